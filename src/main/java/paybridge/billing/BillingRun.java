package paybridge.billing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import paybridge.canonical.CanonicalJson;
import paybridge.ledger.Sql;

/**
 * The run document of CONTRACT §3, as stored in {@code billing_runs}. Beside the contract's fields:
 * {@code retriesDue} — how many of the {@code counts.due} attempts are dunning retries ({@code -r<n>}),
 * the rest being periods charged for the first time; {@code hardDeclined} — the subscriptions this run's
 * HARD declines made PAST_DUE at once (never retried), apart from the SOFT ones in dunning (both are in
 * {@code counts.declined}).
 */
public record BillingRun(
        String runId,
        Instant asOf,
        boolean dryRun,
        String status,
        Instant startedAt,
        Instant finishedAt,
        String node,
        Counts counts,
        long retriesDue,
        List<HardDecline> hardDeclined,
        List<Item> items) {

    /** {@code due} attempts due at asOf; {@code skipped} those due but not sent by this run. */
    public record Counts(long due, long paid, long declined, long pending, long unknown, long skipped) {
    }

    /**
     * What a dry run would charge. {@code attempt}: 0 for a period's first attempt, n for the dunning
     * retry {@code -r<n>} ({@code retry} true).
     */
    public record Item(String subscriptionId, String paymentId, long amount, int attempt, boolean retry) {
    }

    /** An attempt of this run declined HARD: its subscription is PAST_DUE ({@code HARD_DECLINE}). */
    public record HardDecline(String subscriptionId, String paymentId, String code) {
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }

    public BillingRun withCounts(Counts c) {
        return new BillingRun(runId, asOf, dryRun, status, startedAt, finishedAt, node, c, retriesDue, hardDeclined, items);
    }

    public BillingRun withHardDeclined(List<HardDecline> list) {
        return new BillingRun(runId, asOf, dryRun, status, startedAt, finishedAt, node, counts, retriesDue, List.copyOf(list),
                items);
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
                (String) r.get("node"), counts, n(r, "count_retries"), List.of(), items);
    }

    private static long n(Map<String, Object> r, String column) {
        return Sql.longValue(r.get(column));
    }
}
