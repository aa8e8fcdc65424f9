package paybridge.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.apache.camel.Exchange;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.ledger.LedgerEntry;
import paybridge.ledger.LedgerStore;

/** {@code GET /api/ledger?paymentId=&subscriptionId=&from=&to=}: entries oldest first (CONTRACT §5). */
public final class LedgerQuery {
    private static final int LIMIT = 10_000;
    private final LedgerStore ledger;

    public LedgerQuery(LedgerStore ledger) {
        this.ledger = ledger;
    }

    public List<LedgerEntry> find(Exchange exchange) {
        return ledger.find(blankToNull(exchange.getMessage().getHeader("paymentId", String.class)),
                blankToNull(exchange.getMessage().getHeader("subscriptionId", String.class)),
                instant(exchange, "from"), instant(exchange, "to"), LIMIT);
    }

    private static Instant instant(Exchange exchange, String name) {
        String value = blankToNull(exchange.getMessage().getHeader(name, String.class));
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ProblemException(Problem.invalid("Invalid query parameter",
                    List.of(new FieldError(name, "must be an ISO-8601 instant such as 2026-11-22T00:00:00Z"))));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
