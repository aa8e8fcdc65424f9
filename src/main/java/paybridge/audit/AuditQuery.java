package paybridge.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/**
 * {@code GET /api/audit?from=&to=&actor=&after=&limit=} (CONTRACT §2): {@code {"entries": [...], "next"}},
 * oldest first; {@code from}/{@code to} filter on the row's time ({@code from} inclusive, {@code to}
 * exclusive, as the ledger's), {@code limit} 1..1000 (default 100), {@code after} the {@code next} of
 * the previous page (opaque; it names the last row's position, so a page never repeats or skips a row:
 * the list stops at the horizon of {@link AuditStore}, below which no row is added any more).
 */
public final class AuditQuery {
    static final int LIMIT_DEFAULT = 100;
    static final int LIMIT_MAX = 1000;

    /** The answer. */
    public record Page(List<Entry> entries, String next) {
    }

    /** One entry as the API shows it: {@code at} as an ISO-8601 instant. */
    public record Entry(String auditId, String at, String actor, String action, String target, String reason) {
    }

    private final AuditStore store;

    public AuditQuery(AuditStore store) {
        this.store = store;
    }

    public Page list(Exchange exchange) {
        var m = exchange.getMessage();
        List<FieldError> errors = new ArrayList<>();
        Instant from = instant(m.getHeader("from", String.class), "from", errors);
        Instant to = instant(m.getHeader("to", String.class), "to", errors);
        String actor = blankToNull(m.getHeader("actor", String.class));
        if (actor != null && actor.length() > 40) {
            errors.add(new FieldError("actor", "an API key's name: at most 40 characters"));
        }
        int limit = LIMIT_DEFAULT;
        String limitText = blankToNull(m.getHeader("limit", String.class));
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > LIMIT_MAX) {
                errors.add(new FieldError("limit", "an integer from 1 to " + LIMIT_MAX));
            }
        }
        Cursor cursor = null;
        String after = blankToNull(m.getHeader("after", String.class));
        if (after != null) {
            cursor = Cursor.parse(after);
            if (cursor == null) {
                errors.add(new FieldError("after", "not a cursor this list returned (use its \"next\")"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors.size() + " invalid query parameter(s)", errors));
        }
        // one more than the page: a next page exists only when there is more
        List<AuditEntry> rows = store.page(from, to, actor, cursor == null ? null : cursor.at(),
                cursor == null ? null : cursor.auditId(), limit + 1);
        List<AuditEntry> page = rows.size() > limit ? rows.subList(0, limit) : rows;
        String next = rows.size() > limit ? Cursor.of(page.get(page.size() - 1)).encode() : null;
        return new Page(page.stream().map(e -> new Entry(String.valueOf(e.auditId()), e.at().toString(), e.actor(),
                e.action(), e.target(), e.reason())).toList(), next);
    }

    private static Instant instant(String value, String name, List<FieldError> errors) {
        String v = blankToNull(value);
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(name, "must be an ISO-8601 instant such as 2026-11-22T00:00:00Z"));
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The position after a row: (time, id), the list's order. Opaque to callers (base64url). */
    record Cursor(Instant at, long auditId) {
        static Cursor of(AuditEntry e) {
            return new Cursor(e.at(), e.auditId());
        }

        String encode() {
            return new paybridge.api.TimeCursor(at, String.valueOf(auditId)).encode();
        }

        static Cursor parse(String text) {
            paybridge.api.TimeCursor cursor = paybridge.api.TimeCursor.parse(text);
            return cursor == null || cursor.numericKey() == null ? null : new Cursor(cursor.at(), cursor.numericKey());
        }
    }
}
