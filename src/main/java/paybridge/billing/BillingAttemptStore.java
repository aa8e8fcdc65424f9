package paybridge.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import paybridge.ledger.Sql;

/**
 * {@code billing_attempts}: one row per attempt id. Claiming an attempt is inserting its row, and
 * the table's unique constraints decide between racing runs and nodes (CONTRACT §3): the primary key
 * (each attempt id once), {@code (subscription_id, period_date, attempt_no)} (each attempt of a period
 * once) and {@code (subscription_id, paid_period)} (at most one PAID attempt per period).
 */
public final class BillingAttemptStore {
    /** Open states: the attempt was claimed and its outcome is not known yet. */
    public static final List<String> OPEN = List.of("CLAIMED", "SENT", "PENDING", "UNKNOWN");

    // the claim only succeeds while the subscription still waits for exactly this attempt
    private static final String CLAIM = """
            INSERT INTO billing_attempts (payment_id, subscription_id, period_date, attempt_no, run_id, state,
                claimed_by, claimed_at, updated_at)
            SELECT :?paymentId, subscription_id, :?periodDate, :?attemptNo, :?runId, 'CLAIMED', :?node, :?now, :?now
            FROM subscriptions
            WHERE subscription_id = :?subscriptionId AND state = 'ACTIVE' AND period_index = :?periodIndex
                AND COALESCE(retry_attempt, 0) = :?attemptNo
            ON CONFLICT DO NOTHING""";
    // a claim left by a run that is no longer RUNNING, never handed to dispatch (no payments row):
    // nothing can have reached the vendor, so this run may send it
    private static final String TAKE_OVER = """
            UPDATE billing_attempts SET run_id = :?runId, claimed_by = :?node, claimed_at = :?now, updated_at = :?now
            WHERE payment_id = :?paymentId AND state = 'CLAIMED' AND run_id <> :?runId
                AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = billing_attempts.payment_id)
                AND NOT EXISTS (SELECT 1 FROM billing_runs r WHERE r.run_id = billing_attempts.run_id
                    AND r.status = 'RUNNING')""";
    private static final String FIND = "SELECT * FROM billing_attempts WHERE payment_id = :?paymentId";
    private static final String SETTLE = """
            UPDATE billing_attempts SET state = :?state, paid_period = :?paidPeriod, updated_at = :?now
            WHERE payment_id = :?paymentId AND state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN')""";
    private static final String MARK_OPEN = """
            UPDATE billing_attempts SET state = :?state, updated_at = :?now
            WHERE payment_id = :?paymentId AND state IN ('CLAIMED', 'SENT')""";
    private static final String RELEASE = """
            DELETE FROM billing_attempts WHERE payment_id = :?paymentId AND state = 'CLAIMED' AND run_id = :?runId
                AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = billing_attempts.payment_id)""";
    private static final String DECLINES = """
            SELECT COUNT(*) AS n FROM billing_attempts
            WHERE subscription_id = :?subscriptionId AND period_date = :?periodDate AND state = 'DECLINED'""";
    // attempts of earlier runs still open here whose payment has meanwhile been decided (reconcile,
    // webhook, operator) or was recorded by a node that died before it could apply the outcome
    private static final String SETTLED_ELSEWHERE = """
            SELECT a.payment_id, a.subscription_id, a.period_date, a.attempt_no, a.state AS attempt_state,
                p.status AS payment_status, p.failure_code
            FROM billing_attempts a JOIN payments p ON p.payment_id = a.payment_id
            WHERE a.state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN') AND a.run_id <> :?runId
                AND (p.status NOT IN ('PENDING', 'UNKNOWN') OR a.state IN ('CLAIMED', 'SENT'))
            ORDER BY a.payment_id LIMIT :?limit""";
    private static final String RUN_COUNTS = """
            SELECT state, COUNT(*) AS n FROM billing_attempts WHERE run_id = :?runId GROUP BY state""";
    private static final String IN_FLIGHT = """
            SELECT COUNT(*) AS n FROM billing_attempts a WHERE a.run_id = :?runId AND a.state = 'CLAIMED'""";

    private final Sql sql;

    public BillingAttemptStore(Sql sql) {
        this.sql = sql;
    }

    /** Claims an attempt for a run; false when another run or node has it, or the subscription moved on. */
    public boolean claim(DueItem item, String runId, String node) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", item.paymentId());
        p.put("subscriptionId", item.subscriptionId());
        p.put("periodDate", item.periodDate());
        p.put("attemptNo", item.attemptNo());
        p.put("periodIndex", item.periodIndex());
        p.put("runId", runId);
        p.put("node", node);
        p.put("now", Instant.now());
        return sql.update(CLAIM, p) == 1;
    }

    /** Takes over a stale claim (its run ended, it was never sent); false when it is not such a claim. */
    public boolean takeOver(String paymentId, String runId, String node) {
        return sql.update(TAKE_OVER, Map.of("paymentId", paymentId, "runId", runId, "node", node,
                "now", Instant.now())) == 1;
    }

    public Map<String, Object> find(String paymentId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("paymentId", paymentId));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Records a decided outcome (PAID, DECLINED, NOT_CHARGED); false when it was already decided. */
    public boolean settle(String paymentId, String state, LocalDate periodDate) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("state", state);
        p.put("paidPeriod", "PAID".equals(state) ? periodDate : null);
        p.put("now", Instant.now());
        return sql.update(SETTLE, p) == 1;
    }

    /** Records that the attempt was sent and its outcome is open (PENDING or UNKNOWN). */
    public boolean markOpen(String paymentId, String state) {
        return sql.update(MARK_OPEN, Map.of("paymentId", paymentId, "state", state, "now", Instant.now())) == 1;
    }

    /** Gives a claim back when the vendor certainly did not process the charge, so a later run sends it. */
    public boolean release(String paymentId, String runId) {
        return sql.update(RELEASE, Map.of("paymentId", paymentId, "runId", runId)) == 1;
    }

    public int declines(String subscriptionId, LocalDate periodDate) {
        return (int) Sql.longValue(sql.query(DECLINES, Map.of("subscriptionId", subscriptionId,
                "periodDate", periodDate)).get(0).get("n"));
    }

    public List<Map<String, Object>> settledElsewhere(String runId, int limit) {
        return sql.query(SETTLED_ELSEWHERE, Map.of("runId", runId, "limit", limit));
    }

    /** A run's attempts by state. */
    public Map<String, Long> countsOf(String runId) {
        Map<String, Long> counts = new HashMap<>();
        for (Map<String, Object> row : sql.query(RUN_COUNTS, Map.of("runId", runId))) {
            counts.put(((String) row.get("state")).trim(), Sql.longValue(row.get("n")));
        }
        return counts;
    }

    /** A run's claims still waiting for their outcome (in flight on some node, or abandoned by a dead one). */
    public long inFlight(String runId) {
        return Sql.longValue(sql.query(IN_FLIGHT, Map.of("runId", runId)).get(0).get("n"));
    }
}
