package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.subscription;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * POST /api/billing-runs fails after the run's row committed RUNNING but before its route began (here:
 * the start's audit row). Nothing works on that run, so it must not keep beating: it goes stale, is
 * FAILED, and a later run is started and charges what is due, instead of every start being refused
 * with 409 for as long as the node lives.
 */
class BillingRunStartFailureTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";
    private static final String NEXT = "2027-01-01T00:00:00+09:00";

    @Test
    void aRunWhoseStartFailedBeforeItsRouteGoesStaleAndTheNextRunCharges() {
        // short enough that the abandoned run goes stale within the test; the heartbeat well inside it,
        // so a run that does beat is never taken for stale
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.stale-after", "PT3S",
                "paybridge.billing.heartbeat-interval", "PT0.2S"))) {
            BillingFixtures.insert(app, "lost", 1, "steppay", STEPPAY_KEY, 9900, DUE);
            long before = charges(app, "steppay");
            String body = "{\"asOf\": \"" + AS_OF + "\"}";

            BillingFixtures.sql(app).update("CREATE TRIGGER fail_run_start_audit BEFORE INSERT ON audit FOR EACH ROW CALL '"
                    + FailRunStartAudit.class.getName() + "'", Map.of());
            Response failed;
            try {
                failed = app.postJson("/api/billing-runs", body);
            } finally {
                BillingFixtures.sql(app).update("DROP TRIGGER fail_run_start_audit", Map.of());
            }
            assertThat(failed.status()).as(failed.body()).isGreaterThanOrEqualTo(400);
            assertThat(failed.contentType()).startsWith("application/problem+json");
            // the run's row committed before the failure; its route never began
            List<Map<String, Object>> runs = BillingFixtures.sql(app).query("SELECT run_id FROM billing_runs", Map.of());
            assertThat(runs).hasSize(1);
            String abandoned = (String) runs.get(0).get("run_id");
            assertThat(app.get("/api/payments/lost00000-20261201").status()).isEqualTo(404);

            String next = startOnceTheAbandonedRunIsStale(app, body, Duration.ofSeconds(60));
            assertThat(app.get("/api/billing-runs/" + abandoned).json().path("status").asText()).isEqualTo("FAILED");
            JsonNode done = BillingFixtures.awaitRun(app, next, Duration.ofMinutes(1));
            assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.path("counts").path("paid").asInt()).isEqualTo(1);
            assertThat(charges(app, "steppay")).isEqualTo(before + 1);
            assertThat(app.get("/api/payments/lost00000-20261201").json().path("status").asText()).isEqualTo("PAID");
            assertThat(subscription(app, "lost00000").path("nextBillingAt").asText()).isEqualTo(NEXT);
        }
    }

    /** POSTs until a run is accepted (202); until the abandoned run is stale each answer is its 409. */
    private static String startOnceTheAbandonedRunIsStale(RunningPaybridge app, String body, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            last = app.postJson("/api/billing-runs", body);
            if (last.status() == 202) {
                return last.json().path("runId").asText();
            }
            assertThat(last.status()).as(last.body()).isEqualTo(409);
            BillingFixtures.sleep(200);
        }
        throw new AssertionError("no billing run accepted within " + timeout + ": the abandoned run never went stale;"
                + " last answer " + last.status() + " " + last.body());
    }
}
