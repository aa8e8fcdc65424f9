package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Two paybridge nodes on one PostgreSQL database, started at once and both told to run: every period
 * is charged exactly once, and both nodes share the work (CONTRACT §3, several nodes).
 */
class BillingClusterTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";

    private static Map<String, Object> node(Postgres pg, String name) {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.db.url", pg.url());
        p.put("paybridge.db.user", pg.user());
        p.put("paybridge.db.password", "");
        p.put("paybridge.node.id", name);
        // two nodes in one JVM: Quartz keeps schedulers in a JVM-wide registry by name, so each needs
        // its own name here (separate processes share one name: see README, "Running N nodes")
        p.put("paybridge.billing.quartz.instance-name", "paybridge-" + name);
        p.put("paybridge.billing.concurrency", "32");
        p.put("paybridge.billing.join-interval", "PT0.5S");
        p.put("paybridge.sandbox.latency", "PT0.1S");
        return p;
    }

    @Test
    void twoNodesStartedAtOnceChargeEachPeriodOnce() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            CompletableFuture<RunningPaybridge> startA = CompletableFuture.supplyAsync(() -> RunningPaybridge.start(node(pg, "a")));
            CompletableFuture<RunningPaybridge> startB = CompletableFuture.supplyAsync(() -> RunningPaybridge.start(node(pg, "b")));
            try (RunningPaybridge a = startA.join(); RunningPaybridge b = startB.join()) {
                QuartzComponent quartz = a.context().getComponent("quartz", QuartzComponent.class);
                assertThat(quartz.getScheduler().getMetaData().isJobStoreClustered()).isTrue();
                assertThat(quartz.getScheduler().getMetaData().getJobStoreClass().getSimpleName()).isEqualTo("JobStoreTX");

                BillingFixtures.insert(a, "pg", 1000, "steppay", STEPPAY_KEY, 9900, DUE);
                long before = charges(a, "steppay") + charges(b, "steppay");

                String body = "{\"asOf\": \"" + AS_OF + "\"}";
                CompletableFuture<Response> onA = CompletableFuture.supplyAsync(() -> a.postJson("/api/billing-runs", body));
                CompletableFuture<Response> onB = CompletableFuture.supplyAsync(() -> b.postJson("/api/billing-runs", body));
                List<JsonNode> started = new ArrayList<>();
                for (Response r : List.of(onA.join(), onB.join())) {
                    assertThat(r.status()).as(r.body()).isIn(202, 409);
                    if (r.status() == 202) {
                        started.add(r.json());
                    }
                }
                assertThat(started).isNotEmpty();
                for (JsonNode run : started) {
                    JsonNode done = BillingFixtures.awaitRun(a, run.path("runId").asText(), Duration.ofMinutes(2));
                    assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
                }
                // a 409'd POST may be retried once the first run is over: it charges nothing
                JsonNode again = BillingFixtures.run(b, AS_OF);
                assertThat(again.path("counts").path("paid").asInt()).isZero();

                assertThat(charges(a, "steppay") + charges(b, "steppay")).isEqualTo(before + 1000);
                try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), "");
                     Statement s = c.createStatement()) {
                    assertThat(count(s, "SELECT COUNT(*) FROM payments WHERE subscription_id LIKE 'pg%'")).isEqualTo(1000);
                    assertThat(count(s, "SELECT COUNT(*) FROM billing_attempts WHERE state = 'PAID'")).isEqualTo(1000);
                    assertThat(count(s, "SELECT COUNT(*) FROM subscriptions WHERE period_index = 1")).isEqualTo(1000);
                    assertThat(count(s, "SELECT COUNT(*) FROM ledger_entries WHERE type = 'PAID'")).isEqualTo(1000);
                    // the work was shared
                    assertThat(count(s, "SELECT COUNT(DISTINCT claimed_by) FROM billing_attempts")).isEqualTo(2);
                }
            }
        }
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
