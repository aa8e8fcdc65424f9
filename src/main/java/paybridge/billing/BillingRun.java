package paybridge.billing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import paybridge.canonical.CanonicalJson;
import paybridge.ledger.Sql;

/** The run document of CONTRACT §3, as stored in {@code billing_runs}. */
public record BillingRun(
        String runId,
        Instant asOf,
        boolean dryRun,
        String status,
        Instant startedAt,
        Instant finishedAt,
        String node,
        Counts counts,
        List<Item> items) {

    /** {@code due} attempts due at asOf; {@code skipped} those due but not sent by this run. */
    public record Counts(long due, long paid, long declined, long pending, long unknown, long skipped) {
    }

    /** What a dry run would charge. */
    public record Item(String subscriptionId, String paymentId, long amount) {
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }

    public BillingRun withCounts(Counts c) {
        return new BillingRun(runId, asOf, dryRun, status, startedAt, finishedAt, node, c, items);
    }

    static BillingRun of(Map<String, Object> r) {
        Counts counts = new Counts(n(r, "count_due"), n(r, "count_paid"), n(r, "count_declined"), n(r, "count_pending"),
                n(r, "count_unknown"), n(r, "count_skipped"));
        String itemsJson = (String) r.get("items");
        List<Item> items;
        try {
            items = itemsJson == null ? List.of() : CanonicalJson.MAPPER.readValue(itemsJson, new TypeReference<List<Item>>() { });
        } catch (Exception e) {
            throw new IllegalStateException("Unreadable items of run " + r.get("run_id"), e);
        }
        Object dry = r.get("dry_run");
        return new BillingRun((String) r.get("run_id"), Sql.instant(r.get("as_of")),
                dry instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(dry)),
                ((String) r.get("status")).trim(), Sql.instant(r.get("started_at")), Sql.instant(r.get("finished_at")),
                (String) r.get("node"), counts, items);
    }

    private static long n(Map<String, Object> r, String column) {
        return Sql.longValue(r.get(column));
    }
}
