package paybridge.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import paybridge.ledger.Sql;

/**
 * What is waiting and for how long, counted in the database (so every node of a cluster reports the
 * same numbers): payments still PENDING or UNKNOWN and not updated for longer than
 * {@code paybridge.reconcile.alert-after}, webhook inbox entries not yet processed, and those flagged
 * after every retry failed, and billing-key issuances still PENDING past their in-flight bound (an
 * answer that was lost: only the caller sending the same request again settles one). Read by the health checks and the gauges; kept for {@code refresh} so
 * probes and scrapes cost at most one round of queries per period. Each query uses an index
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

    /** Each reading's bound: a probe or a scrape answers even while a table is locked. */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
    /** Longer than a reading can take when it answers (four bounded queries, a pool connection's wait). */
    static final Duration STUCK_READER = Duration.ofSeconds(60);
    /** After a reading failed, the next is tried only this much later: a scrape's gauges do not each wait again. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

    private final Sql sql;
    private final java.util.concurrent.locks.ReentrantLock reading = new java.util.concurrent.locks.ReentrantLock();
    private final Duration alertAfter;
    private final Duration refresh;
    private final Clock clock;
    private volatile Snapshot last;
    private volatile Instant failedAt;

    public Backlog(Sql sql, Duration alertAfter, Duration refresh, Clock clock) {
        this.sql = sql;
        this.alertAfter = alertAfter;
        this.refresh = refresh;
        this.clock = clock;
    }

    public Duration alertAfter() {
        return alertAfter;
    }

    /** The latest reading, queried again when older than {@code refresh}; throws when the database fails. */
    public Snapshot read() {
        Snapshot s = last;
        Instant now = clock.instant();
        if (s != null && s.at().plus(refresh).isAfter(now)) {
            return s;
        }
        Instant failed = failedAt;
        if (failed != null && failed.plus(RETRY_AFTER_FAILURE).isAfter(now)) {
            throw new IllegalStateException("the backlog could not be read at " + failed + "; read again from "
                    + failed.plus(RETRY_AFTER_FAILURE));
        }
        // one caller reads at a time; the others answer with the last reading rather than queue behind a
        // reading that waits (a locked table, a database failing over): probes and scrapes never pile up
        if (!reading.tryLock()) {
            // the last reading while another is under way, but not one so old that the reader must be stuck
            // (a connection that never answers): then unknown, never a frozen number
            if (s != null && s.at().plus(refresh).plus(STUCK_READER).isAfter(now)) {
                return s;
            }
            throw new IllegalStateException("the backlog is being read by another caller");
        }
        try {
            s = last;
            if (s != null && s.at().plus(refresh).isAfter(now)) {
                return s;
            }
            Map<String, Object> stuck;
            Map<String, Object> inbox;
            Map<String, Object> unsettleable;
            Map<String, Object> pendingKeys;
            try {
                stuck = first(sql.query(STUCK, Map.of("before", now.minus(alertAfter)), QUERY_TIMEOUT));
                inbox = first(sql.query(INBOX, Map.of(), QUERY_TIMEOUT));
                unsettleable = first(sql.query(UNSETTLEABLE, Map.of(), QUERY_TIMEOUT));
                pendingKeys = first(sql.query(PENDING_BILLING_KEYS, Map.of(), QUERY_TIMEOUT));
            } catch (RuntimeException e) {
                failedAt = now;
                throw e;
            }
            failedAt = null;
            long stuckCount = Sql.longValue(value(stuck, "n"));
            s = new Snapshot(stuckCount, stuckCount == 0 ? null : Sql.instant(value(stuck, "oldest")),
                    Sql.longValue(value(inbox, "n")), Sql.longValue(value(inbox, "flagged")), now,
                    Sql.longValue(value(unsettleable, "n")), Sql.longValue(value(pendingKeys, "n")));
            last = s;
            return s;
        } finally {
            reading.unlock();
        }
    }

    /** For gauges: a reading, or null when the database cannot be read (the gauge shows NaN). */
    public Snapshot readOrNull() {
        try {
            return read();
        } catch (RuntimeException e) {
            return null;
        }
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
