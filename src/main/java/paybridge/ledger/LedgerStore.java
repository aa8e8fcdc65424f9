package paybridge.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;

/**
 * The append-only ledger (CONTRACT §5). {@link #append} is idempotent on the event key: the
 * database keeps the first row and ignores every later report of the same fact. Nothing here
 * updates or deletes, and the database refuses it anyway.
 */
public final class LedgerStore {
    // recorded_at is the database's now, whichever node appends: the ledger is ordered and cut into periods
    // (from/to) by it, and nodes' clocks may disagree; occurred_at is the vendor's time when it gave one
    // money returned changes what the payment reads as (CONTRACT §2 status from the ledger) without a change of
    // its row: its updatedAt, by which receivers order its events (§8), moves forward with the entry
    private static final String RETURN_TOUCHES_PAYMENT = """
            UPDATE payments SET updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND)
            WHERE payment_id = :?paymentId""";
    private static final String APPEND = """
            INSERT INTO ledger_entries (recorded_at, occurred_at, vendor, payment_id, vendor_payment_ref,
                subscription_id, type, amount, currency, source, event_key)
            VALUES (CURRENT_TIMESTAMP, COALESCE(CAST(:?occurredAt AS TIMESTAMP WITH TIME ZONE), CURRENT_TIMESTAMP),
                :?vendor, :?paymentId, :?vendorPaymentRef,
                :?subscriptionId, :?type, :?amount, :?currency, :?source, :?eventKey)
            ON CONFLICT DO NOTHING""";

    private static final String RETURNED = """
            SELECT COALESCE(SUM(-amount), 0) AS returned FROM ledger_entries
            WHERE payment_id = :?paymentId AND amount < 0""";

    // one fixed statement: an absent filter is a NULL parameter that disables its condition
    private static final String FIND = """
            SELECT * FROM ledger_entries
            WHERE (CAST(:?paymentId AS VARCHAR(64)) IS NULL OR payment_id = :?paymentId)
              AND (CAST(:?subscriptionId AS VARCHAR(24)) IS NULL OR subscription_id = :?subscriptionId)
              AND (CAST(:?from AS TIMESTAMP WITH TIME ZONE) IS NULL OR recorded_at >= :?from)
              AND (CAST(:?to AS TIMESTAMP WITH TIME ZONE) IS NULL OR recorded_at < :?to)
            ORDER BY recorded_at, entry_id
            LIMIT :?limit""";

    private final Sql sql;

    public LedgerStore(Sql sql) {
        this.sql = sql;
    }

    /** Appends the event unless its key is already there; true when this call added it. */
    public boolean append(PaymentEvent event, LedgerSource source) {
        return append(event, source, null);
    }

    /**
     * As {@link #append(PaymentEvent, LedgerSource)}, for a caller that knows how the payment reads with
     * this entry (a charge settling the attempt it just wrote): its outgoing event carries {@code shown}
     * instead of reading the payment back. Null: read back.
     */
    public boolean append(PaymentEvent event, LedgerSource source, paybridge.canonical.PaymentResult shown) {
        Map<String, Object> p = new HashMap<>();
        p.put("occurredAt", event.occurredAt());
        p.put("vendor", event.vendor());
        p.put("paymentId", event.paymentId());
        p.put("vendorPaymentRef", event.vendorPaymentRef());
        p.put("subscriptionId", event.subscriptionId());
        p.put("type", event.type().name());
        p.put("amount", event.amount());
        p.put("currency", event.currency() == null ? "KRW" : event.currency());
        p.put("source", source.name());
        p.put("eventKey", event.eventKey());
        // the entry and its outgoing event (CONTRACT §8) commit together: a fact already in the
        // ledger (learnt before from another source) is neither a new entry nor a new event
        return sql.inTransaction(() -> {
            if (sql.update(APPEND, p) != 1) {
                return false;
            }
            if (event.amount() < 0) {
                sql.update(RETURN_TOUCHES_PAYMENT, Map.of("paymentId", event.paymentId()));
            }
            EventFacts.of(sql).ledgerEntry(event, shown);
            return true;
        });
    }

    private static final String HAS_KEY = "SELECT COUNT(*) AS n FROM ledger_entries WHERE event_key = :?eventKey";
    private static final String RETURNS_BY_TOTAL_AFTER = """
            SELECT COUNT(*) AS n FROM ledger_entries WHERE payment_id = :?paymentId AND amount < 0
              AND entry_id > :?mark AND event_key LIKE :?byTotal""";

    /**
     * How many returns of the payment were recorded after entry {@code mark} under a cumulative total
     * (a vendor's lookup that lists no cancellation ids): such an entry may hold any return made by then.
     */
    public long returnsByTotalAfter(String paymentId, long mark) {
        return Sql.longValue(sql.query(RETURNS_BY_TOTAL_AFTER, Map.of("paymentId", paymentId, "mark", mark,
                "byTotal", "%:RETURN:t=%")).get(0).get("n"));
    }

    /** Whether the ledger already holds an entry under this event key. */
    public boolean has(String eventKey) {
        return Sql.longValue(sql.query(HAS_KEY, Map.of("eventKey", eventKey)).get(0).get("n")) > 0;
    }

    // oldest first: largestTotalHeld follows the ledger's returned sum entry by entry
    private static final String RETURN_KEYS = """
            SELECT amount, event_key FROM ledger_entries WHERE payment_id = :?paymentId AND amount < 0
            ORDER BY entry_id""";
    private static final String RETURN_KEYS_UP_TO = """
            SELECT amount, event_key FROM ledger_entries WHERE payment_id = :?paymentId AND amount < 0 AND entry_id <= :?mark
            ORDER BY entry_id""";
    /** How a return's event key names its cancellation ({@link PaymentEvent#eventKey()}). */
    private static final String BY_CANCELLATION = ":RETURN:c=";
    /** How a return's event key names the payment's cumulative returned amount (a record without a history). */
    private static final String BY_TOTAL = ":RETURN:t=";

    /**
     * What the ledger holds of a payment's returns: their sum, and the largest cumulative total a return is
     * keyed by (0 when none is): the returns a vendor's history lists up to that total are in the ledger
     * already, under that key, whatever ids the history gives them.
     */
    public record Returns(long returned, long largestTotalKey, java.util.Set<String> cancellationIds) {
        public static final Returns NONE = new Returns(0, 0, java.util.Set.of());
    }

    /** The payment's returns as the ledger holds them ({@link Returns}); one read. */
    public Returns returns(String paymentId) {
        return returns(paymentId, sql.query(RETURN_KEYS, Map.of("paymentId", paymentId)));
    }

    /** As {@link #returns(String)}, of the entries up to {@code mark} (a refund's ledger mark). */
    public Returns returns(String paymentId, long mark) {
        return returns(paymentId, sql.query(RETURN_KEYS_UP_TO, Map.of("paymentId", paymentId, "mark", mark)));
    }

    private static Returns returns(String paymentId, List<Map<String, Object>> rows) {
        long returned = 0;
        long largestTotal = 0;
        for (Map<String, Object> r : rows) {
            returned -= amount(r);
            largestTotal = Math.max(largestTotal, totalKeyed(paymentId, r));
        }
        return new Returns(returned, largestTotal, cancellationIds(rows));
    }

    /**
     * The largest cumulative total a return of the payment is keyed by whose entry brought what the ledger
     * holds returned to at least that total: the ledger then held the vendor's returns up to it (a return
     * without an id, entered alone under its running total, need not have; it does not count). 0 when none.
     */
    public long largestTotalHeld(String paymentId) {
        long returned = 0;
        long largest = 0;
        for (Map<String, Object> r : sql.query(RETURN_KEYS, Map.of("paymentId", paymentId))) {
            returned -= amount(r);
            long total = totalKeyed(paymentId, r);
            if (total > 0 && returned >= total) {
                largest = Math.max(largest, total);
            }
        }
        return largest;
    }

    private static long amount(Map<String, Object> row) {
        return Sql.longValue(row.containsKey("amount") ? row.get("amount") : row.get("AMOUNT"));
    }

    /** The cumulative total a return's entry is keyed by ({@code vendor:paymentId:RETURN:t=<total>}); 0 for any other key. */
    private static long totalKeyed(String paymentId, Map<String, Object> row) {
        Object key = row.containsKey("event_key") ? row.get("event_key") : row.get("EVENT_KEY");
        String text = key == null ? "" : key.toString();
        // a paymentId holds no ':'
        int at = text.indexOf(":" + paymentId + BY_TOTAL);
        if (at < 0) {
            return 0;
        }
        String total = text.substring(at + paymentId.length() + 1 + BY_TOTAL.length());
        return !total.isEmpty() && total.length() < 19 && total.chars().allMatch(Character::isDigit)
                ? Long.parseLong(total) : 0;
    }

    private static java.util.Set<String> cancellationIds(List<Map<String, Object>> rows) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Map<String, Object> r : rows) {
            Object key = r.containsKey("event_key") ? r.get("event_key") : r.get("EVENT_KEY");
            int at = key == null ? -1 : key.toString().indexOf(BY_CANCELLATION);
            if (at >= 0) {
                ids.add(key.toString().substring(at + BY_CANCELLATION.length()));
            }
        }
        return ids;
    }

    /** What the ledger says was returned to the customer for a payment (a positive number). */
    public long returned(String paymentId) {
        return Sql.longValue(sql.query(RETURNED, Map.of("paymentId", paymentId)).get(0).get("returned"));
    }

    /** Entries matching every filter given (null = no filter), oldest first. */
    public List<LedgerEntry> find(String paymentId, String subscriptionId, Instant from, Instant to, int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("subscriptionId", subscriptionId);
        p.put("from", from);
        p.put("to", to);
        p.put("limit", limit);
        List<LedgerEntry> out = new ArrayList<>();
        for (Map<String, Object> row : sql.query(FIND, p)) {
            out.add(entry(row));
        }
        return out;
    }

    private static LedgerEntry entry(Map<String, Object> r) {
        return new LedgerEntry(Sql.longValue(r.get("entry_id")), Sql.instant(r.get("recorded_at")),
                Sql.instant(r.get("occurred_at")), (String) r.get("vendor"), (String) r.get("payment_id"),
                (String) r.get("vendor_payment_ref"), (String) r.get("subscription_id"), (String) r.get("type"),
                Sql.longValue(r.get("amount")), ((String) r.get("currency")).trim(), (String) r.get("source"),
                (String) r.get("event_key"));
    }
}
