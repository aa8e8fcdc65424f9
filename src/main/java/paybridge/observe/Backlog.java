package paybridge.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import paybridge.ledger.Sql;

/**
 * What is waiting and for how long, counted in the database (so every node of a cluster reports the
 * same numbers): payments still PENDING or UNKNOWN and not updated for longer than
 * {@code paybridge.reconcile.alert-after}, webhook inbox entries not yet processed, and those flagged
 * after every retry failed, and billing-key issuances still PENDING past their in-flight bound (an
 * answer that was lost: only the caller sending the same request again settles one). Read by the health checks and the gauges
 * as a {@link BoundedReading}: kept for {@code refresh}, so probes and scrapes cost at most one round of
 * bounded queries per period, and answer while a table is locked. Each query uses an index
 * ({@code payments_status_idx}, {@code webhook_inbox_due_order_idx}).
 */
public final class Backlog {
    private static final String STUCK = """
            SELECT COUNT(*) AS n, MIN(updated_at) AS oldest FROM payments
            WHERE status IN ('PENDING', 'UNKNOWN') AND updated_at < :?before""";
    // open payments reconcile looked at and could not settle (left for an operator: see unsettled_reason)
    private static final String UNSETTLEABLE = """
            SELECT COUNT(*) AS n FROM payments WHERE status IN ('PENDING', 'UNKNOWN') AND unsettled_reason IS NOT NULL""";
    private static final String INBOX = """
            SELECT COUNT(*) AS n, SUM(CASE WHEN flagged THEN 1 ELSE 0 END) AS flagged FROM webhook_inbox
            WHERE status IN ('RECEIVED', 'PENDING')""";

    // billing-key issuances whose answer was lost and that nobody asked again for: the vendor may hold a
    // key paybridge does not know (the vendor's idempotency keeps its answer for a limited time: Toss 15 days)
    private static final String PENDING_BILLING_KEYS = """
            SELECT COUNT(*) AS n FROM billing_keys WHERE status = 'PENDING' AND in_flight_until < CURRENT_TIMESTAMP""";

    /** One reading. {@code oldestStuck} is null when nothing is stuck. */
    public record Snapshot(long stuckPayments, Instant oldestStuck, long inboxOpen, long inboxFlagged, Instant at,
                           long unsettleablePayments, long pendingBillingKeys) {
    }

    private final Sql sql;
    private final Duration alertAfter;
    private final BoundedReading<Snapshot> reading;

    public Backlog(Sql sql, Duration alertAfter, Duration refresh, Clock clock) {
        this.sql = sql;
        this.alertAfter = alertAfter;
        this.reading = new BoundedReading<>(this::query, refresh, clock);
    }

    public Duration alertAfter() {
        return alertAfter;
    }

    /** The latest reading, queried again when older than {@code refresh}; throws when the database fails. */
    public Snapshot read() {
        return reading.get();
    }

    /** For a gauge: {@code value} of the latest reading, NaN when the database cannot be read. */
    public double valueOrNaN(ToDoubleFunction<Snapshot> value) {
        return reading.valueOrNaN(value);
    }

    private Snapshot query(Instant now) {
        Duration bound = BoundedReading.QUERY_TIMEOUT;
        Map<String, Object> stuck = first(sql.query(STUCK, Map.of("before", now.minus(alertAfter)), bound));
        Map<String, Object> inbox = first(sql.query(INBOX, Map.of(), bound));
        Map<String, Object> unsettleable = first(sql.query(UNSETTLEABLE, Map.of(), bound));
        Map<String, Object> pendingKeys = first(sql.query(PENDING_BILLING_KEYS, Map.of(), bound));
        long stuckCount = Sql.longValue(value(stuck, "n"));
        return new Snapshot(stuckCount, stuckCount == 0 ? null : Sql.instant(value(stuck, "oldest")),
                Sql.longValue(value(inbox, "n")), Sql.longValue(value(inbox, "flagged")), now,
                Sql.longValue(value(unsettleable, "n")), Sql.longValue(value(pendingKeys, "n")));
    }

    private static Map<String, Object> first(List<Map<String, Object>> rows) {
        return rows == null || rows.isEmpty() ? Map.of() : rows.get(0);
    }

    /** Column labels come back upper case from H2 and lower case from PostgreSQL. */
    private static Object value(Map<String, Object> row, String column) {
        Object v = row.get(column);
        return v != null ? v : row.get(column.toUpperCase(java.util.Locale.ROOT));
    }
}
