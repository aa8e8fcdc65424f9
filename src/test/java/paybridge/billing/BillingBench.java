package paybridge.billing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.sandbox.SandboxServer;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * The billing benchmark (bench/billing.sh runs it): N due subscriptions on the Steppay sandbox at a
 * given latency and concurrency, one run, on one node or several nodes sharing one PostgreSQL database.
 * Prints the run's own duration (startedAt to finishedAt) and the bound N x latency / (nodes x concurrency).
 *
 * <p>Arguments: nodes (1), subscriptions (10000), latency (PT0.1S), concurrency (64), db (h2 | pg), warm-up (3000).
 *
 * <p>Warm-up: a billing run normally happens in a JVM that has been taking traffic for hours, its hot paths
 * compiled. A fresh JVM runs the first few thousand charges at half speed (JIT compilation on the same two
 * cores), so before the measured run the bench charges {@code warm-up} other subscriptions (yearly, due a
 * month earlier, so the measured run does not take them again) and waits until their webhooks are processed.
 * {@code 0} measures a cold JVM. {@code -Dbench.rounds=N} measures N runs in a row in the same JVM (each over
 * its own n subscriptions, the webhooks drained in between); each RESULT line says how long the JIT compiler
 * threads were busy during the run ({@code jit=}: CompilationMXBean's total compilation time, elapsed time
 * summed over the compiler threads, not CPU time: a sign of how warm the JVM is).
 */
public final class BillingBench {
    private BillingBench() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Duration latency = Duration.parse(args.length > 2 ? args[2] : "PT0.1S");
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        boolean pg = nodes > 1 || (args.length > 4 && args[4].equals("pg"));
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 3000;
        Postgres db = pg ? Postgres.createDatabase() : null;
        List<RunningPaybridge> apps = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                Map<String, Object> p = new HashMap<>(paybridge.bench.BenchProfile.properties());
                p.put("paybridge.sandbox.latency", latency.toString());
                p.put("paybridge.billing.concurrency", String.valueOf(concurrency));
                p.put("paybridge.billing.join-interval", "PT0.2S");
                p.put("paybridge.node.id", "bench-" + i);
                p.put("paybridge.db.pool-size", String.valueOf(Math.max(16, concurrency / 2)));
                if (db != null) {
                    p.put("paybridge.db.url", db.url());
                    p.put("paybridge.db.user", db.user());
                    p.put("paybridge.db.password", "");
                    p.put("paybridge.billing.quartz.instance-name", "bench-" + i);
                }
                p.putAll(paybridge.bench.BenchProfile.overrides());
                apps.add(RunningPaybridge.start(p));
            }
            RunningPaybridge first = apps.get(0);
            if (warmup > 0) {
                warmUp(apps, warmup);
            }
            int rounds = Integer.getInteger("bench.rounds", 1);
            for (int round = 1; round <= rounds; round++) {
                // each round its own subscriptions, due a day after the last round's (yearly: none due twice)
                String due = java.time.LocalDate.of(2026, 12, 1).plusDays(round - 1) + "T00:00:00+09:00";
                Instant t0 = Instant.now();
                BillingFixtures.insert(first, "b" + round + "-", n, "steppay", BillingFixtures.STEPPAY_KEY, 9900, "P1Y", due);
                System.out.printf("inserted %d subscriptions in %d ms%n", n, Duration.between(t0, Instant.now()).toMillis());
                long before = apps.stream().mapToLong(a -> BillingFixtures.charges(a, "steppay")).sum();
                long compiledBefore = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                Instant wall = Instant.now();
                String runId = BillingFixtures.startRun(first, due.replace("T00:", "T03:"), false);
                JsonNode done = BillingFixtures.awaitRun(first, runId, Duration.ofMinutes(30), 1000);
                // the run's own startedAt..finishedAt is the measure: polling once a second only finds the end
                long wallMs = Duration.between(wall, Instant.now()).toMillis();
                long jitMs = java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
                        - compiledBefore;
                long charged = apps.stream().mapToLong(a -> BillingFixtures.charges(a, "steppay")).sum() - before;
                long runMs = Duration.between(Instant.parse(done.path("startedAt").asText()),
                        Instant.parse(done.path("finishedAt").asText())).toMillis();
                double bound = n * latency.toMillis() / (double) concurrency / 1000.0;
                System.out.printf("RESULT nodes=%d db=%s subscriptions=%d latency=%s concurrency=%d warmup=%d round=%d "
                                + "run=%.2fs wall=%.2fs jit=%.1fs charged=%d counts=%s bound(1 node)=%.2fs ratio=%.2f%n",
                        nodes, pg ? "postgresql" : "h2", n, latency, concurrency, warmup, round, runMs / 1000.0,
                        wallMs / 1000.0, jitMs / 1000.0, charged, done.path("counts"), bound, runMs / 1000.0 / bound);
                if (round < rounds) {
                    awaitWebhooksDrained(apps);
                }
            }
        } finally {
            for (RunningPaybridge app : apps) {
                app.close();
            }
            if (db != null) {
                db.close();
            }
        }
        System.exit(0);
    }

    /** Charges {@code n} yearly subscriptions due 2026-11-01 and waits until the webhook inbox is empty again. */
    private static void warmUp(List<RunningPaybridge> apps, int n) throws Exception {
        RunningPaybridge first = apps.get(0);
        Instant t0 = Instant.now();
        BillingFixtures.insert(first, "w", n, "steppay", BillingFixtures.STEPPAY_KEY, 9900, "P1Y", "2026-11-01T00:00:00+09:00");
        JsonNode done = BillingFixtures.run(first, "2026-11-01T03:00:00+09:00");
        awaitWebhooksDrained(apps);
        System.out.printf("warm-up: %d charged (%s), webhooks drained, in %d ms%n", n, done.path("counts"),
                Duration.between(t0, Instant.now()).toMillis());
    }

    /** Until no sandbox has a delivery pending and the inbox has nothing open, twice in a row (5 min at most). */
    private static void awaitWebhooksDrained(List<RunningPaybridge> apps) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int quiet = 0;
        while (quiet < 2) {
            if (System.nanoTime() > deadline) {
                System.out.println("WARNING: webhooks not drained after 5 minutes; measuring anyway");
                return;
            }
            Thread.sleep(500);
            boolean idle = true;
            for (RunningPaybridge app : apps) {
                SandboxServer sandbox = app.lookup("sandbox", SandboxServer.class);
                idle &= (sandbox == null || sandbox.webhooks().pendingCount() == 0) && openWebhooks(app) == 0;
            }
            quiet = idle ? quiet + 1 : 0;
        }
    }

    private static long openWebhooks(RunningPaybridge app) throws Exception {
        try (Connection c = app.lookup("dataSource", DataSource.class).getConnection();
             ResultSet r = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM webhook_inbox WHERE status IN ('RECEIVED', 'PENDING')")) {
            r.next();
            return r.getLong(1);
        }
    }
}
