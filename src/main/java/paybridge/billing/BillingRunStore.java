package paybridge.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.ledger.Sql;

/**
 * {@code billing_runs}. {@code running_lock} is 1 only while a run is RUNNING and is unique, so the
 * INSERT of a second RUNNING run anywhere in the cluster does nothing: at most one run at a time.
 */
public final class BillingRunStore {
    private static final String INSERT = """
            INSERT INTO billing_runs (run_id, as_of, dry_run, status, running_lock, node, started_at, heartbeat_at, items)
            VALUES (:?runId, :?asOf, :?dryRun, 'RUNNING', 1, :?node, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :?items)
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM billing_runs WHERE run_id = :?runId";
    private static final String RUNNING = "SELECT * FROM billing_runs WHERE status = 'RUNNING'";
    // a run other nodes may help with: its starting node has applied what was decided since earlier runs
    private static final String RUNNING_PREPARED = RUNNING + " AND prepared_at IS NOT NULL";
    // stale on the database's clock: a node's clock ahead must not fail a live run, one behind must
    // not keep a dead node's run (and the cluster-wide lock) alive
    private static final String STALE_WHERE = """
            status = 'RUNNING' AND heartbeat_at < CURRENT_TIMESTAMP - CAST(:?staleSeconds AS BIGINT) * INTERVAL '1' SECOND""";
    private static final String STALE = "SELECT run_id FROM billing_runs WHERE " + STALE_WHERE;
    private static final String FAIL_STALE = """
            UPDATE billing_runs SET status = 'FAILED', running_lock = NULL, finished_at = CURRENT_TIMESTAMP
            WHERE run_id = :?runId AND\s""" + STALE_WHERE;
    private static final String HEARTBEAT = """
            UPDATE billing_runs SET heartbeat_at = CURRENT_TIMESTAMP WHERE run_id = :?runId AND status = 'RUNNING'""";
    private static final String PREPARED = """
            UPDATE billing_runs SET count_due = :?due, count_retries = :?retries, items = :?items,
                prepared_at = CURRENT_TIMESTAMP
            WHERE run_id = :?runId""";
    private static final String FINISH = """
            UPDATE billing_runs SET status = :?status, running_lock = NULL, finished_at = CURRENT_TIMESTAMP,
                count_due = :?due, count_paid = :?paid, count_declined = :?declined, count_pending = :?pending,
                count_unknown = :?unknown, count_skipped = :?skipped
            WHERE run_id = :?runId AND status = 'RUNNING'""";
    private static final String STORE_COUNTS = """
            UPDATE billing_runs SET count_paid = :?paid, count_declined = :?declined, count_pending = :?pending,
                count_unknown = :?unknown, count_skipped = :?skipped
            WHERE run_id = :?runId""";

    private final Sql sql;

    public BillingRunStore(Sql sql) {
        this.sql = sql;
    }

    /** Starts a run (started and beaten now, on the database's clock); false when another run is RUNNING somewhere in the cluster. */
    public boolean insert(String runId, Instant asOf, boolean dryRun, String node) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", runId);
        p.put("asOf", asOf);
        p.put("dryRun", dryRun);
        p.put("node", node);
        p.put("items", "[]");
        return sql.update(INSERT, p) == 1;
    }

    public Optional<BillingRun> find(String runId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("runId", runId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(BillingRun.of(rows.get(0)));
    }

    public Optional<BillingRun> running() {
        return first(RUNNING);
    }

    /** The RUNNING run once its starting node has prepared it ({@link #prepared}); empty before. */
    public Optional<BillingRun> runningPrepared() {
        return first(RUNNING_PREPARED);
    }

    private Optional<BillingRun> first(String query) {
        List<Map<String, Object>> rows = sql.query(query, Map.of());
        return rows.isEmpty() ? Optional.empty() : Optional.of(BillingRun.of(rows.get(0)));
    }

    /** RUNNING runs whose node has not beaten for {@code staleAfter} of database time. */
    public List<String> stale(Duration staleAfter) {
        return sql.query(STALE, Map.of("staleSeconds", seconds(staleAfter))).stream()
                .map(r -> (String) r.get("run_id")).toList();
    }

    /** Marks a stale run FAILED; false when it beat meanwhile or was finished by someone else. */
    public boolean failStale(String runId, Duration staleAfter,
                             java.util.function.LongFunction<BillingRun.Counts> countsOfDue) {
        return sql.inTransaction(() -> {
            if (sql.update(FAIL_STALE, Map.of("runId", runId, "staleSeconds", seconds(staleAfter))) != 1) {
                return false;
            }
            // the counts it reached, in the same transaction as its end: billing_run.failed carries them
            storeCounts(runId, countsOfDue.apply(find(runId).orElseThrow().counts().due()));
            ended(runId);
            return true;
        });
    }

    /**
     * A run just ended (in the caller's transaction): billing_run.completed or billing_run.failed, its
     * data the run document as stored, without {@code items} (CONTRACT §8).
     */
    private void ended(String runId) {
        BillingRun run = find(runId).orElseThrow();
        com.fasterxml.jackson.databind.node.ObjectNode data = paybridge.canonical.CanonicalJson.MAPPER.valueToTree(run);
        data.remove("items");
        data.remove("hardDeclined");
        String type = "billing_run." + run.status().toLowerCase(java.util.Locale.ROOT);
        paybridge.ledger.EventFacts.of(sql).record(type + ":" + runId, type, null, null, data);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    public boolean heartbeat(String runId) {
        return sql.update(HEARTBEAT, Map.of("runId", runId)) == 1;
    }

    public void prepared(String runId, long due, String itemsJson) {
        prepared(runId, due, 0, itemsJson);
    }

    /** The attempts due at the run's asOf, how many of them are dunning retries, and a dry run's items. */
    public void prepared(String runId, long due, long retries, String itemsJson) {
        sql.update(PREPARED, Map.of("runId", runId, "due", due, "retries", retries, "items", itemsJson));
    }

    public boolean finish(String runId, String status, BillingRun.Counts c) {
        Map<String, Object> p = counts(runId, c);
        p.put("status", status);
        p.put("due", c.due());
        return sql.inTransaction(() -> {
            if (sql.update(FINISH, p) != 1) {
                return false;
            }
            ended(runId);
            return true;
        });
    }

    public void storeCounts(String runId, BillingRun.Counts c) {
        sql.update(STORE_COUNTS, counts(runId, c));
    }

    private static Map<String, Object> counts(String runId, BillingRun.Counts c) {
        Map<String, Object> p = new HashMap<>();
        p.put("runId", runId);
        p.put("paid", c.paid());
        p.put("declined", c.declined());
        p.put("pending", c.pending());
        p.put("unknown", c.unknown());
        p.put("skipped", c.skipped());
        return p;
    }
}
