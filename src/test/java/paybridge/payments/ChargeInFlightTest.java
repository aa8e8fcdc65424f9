package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.observe.PaybridgeMeters;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;

/**
 * A charge is never concluded "never charged" while it can be in flight, and the vendor's record
 * wins over such a conclusion (CONTRACT §2). The vendor is a scripted iamport double on real HTTP
 * whose answers are as slow as each test needs; its lookups answer 404 until a record is published.
 */
class ChargeInFlightTest {
    private static final String FIVE_HUNDRED = "{\"code\":-1,\"message\":\"server error\",\"response\":null}";
    private static final String UNAUTHORIZED = "{\"code\":-1,\"message\":\"Unauthorized\",\"response\":null}";

    private static RunningPaybridge start(ScriptedIamport vendor, Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.reconcile.interval", "PT0.2S",
                // verified webhooks settle payments too; these tests are about the charge and reconcile
                "paybridge.webhook.processing-enabled", "false"));
        all.putAll(settings);
        return RunningPaybridge.start(all);
    }

    /**
     * Every call within paybridge.vendor.timeout, yet the operation as a whole (three token tries, the
     * charge, a 401, a new token, the re-send) takes longer than the old grace of 2 x timeout + 5 s;
     * reconcile runs every 200 ms and the vendor's lookup answers 404 throughout. The charge must not
     * be concluded "never charged" while it is in flight: the vendor's PAID answer is the outcome.
     */
    @Test
    void aSlowOperationIsNeverConcludedNeverChargedWhileInFlight() throws Exception {
        Duration call = Duration.ofMillis(1700);
        try (ScriptedIamport vendor = ScriptedIamport.start()
                .token(Step.after(call, 500, FIVE_HUNDRED), Step.after(call, 500, FIVE_HUNDRED), Step.slow(call),
                        Step.slow(call))
                .charge(Step.after(call, 401, UNAUTHORIZED), Step.slow(call));
             RunningPaybridge app = start(vendor, Map.of(
                     // each 1.7 s call well within its timeout on a busy machine; the operation (6 x 1.7 s)
                     // still longer than the old grace of 2 x timeout + 5 s, and well within its budget
                     "paybridge.vendor.timeout", "PT2.5S",
                     "paybridge.vendor.operation-timeout", "PT16S",
                     "paybridge.vendor.in-flight-margin", "PT1S"))) {
            List<String> seen = new ArrayList<>();
            CompletableFuture<Response> charge = CompletableFuture.supplyAsync(
                    () -> app.postJson("/api/payments", Commands.keyIn("f-slow-1", 3000, false)));
            while (!charge.isDone()) {
                Response now = app.get("/api/payments/f-slow-1");
                if (now.status() == 200 || now.status() == 202) {
                    seen.add(now.json().path("status").asText());
                }
                Thread.sleep(100);
            }
            Response answer = charge.get();
            assertThat(answer.json().path("status").asText()).isEqualTo("PAID");
            assertThat(seen).doesNotContain("FAILED");
            assertThat(vendor.chargeRequests.get()).isEqualTo(2); // the 401, then the re-send
            assertThat(vendor.lookupRequests.get()).as("looked up while in flight").isZero();
            JsonNode entries = app.get("/api/ledger?paymentId=f-slow-1").json().path("entries");
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).path("type").asText()).isEqualTo("PAID");
        }
    }

    /**
     * The answer is lost (UNKNOWN) while the vendor charged; its lookup shows the payment only 7 s
     * later (reconcile's first round comes earlier). An UNKNOWN attempt waits for its horizon like a PENDING one: it is never
     * concluded "never charged" from the early 404, and settles PAID from the record.
     */
    @Test
    void anUnknownAttemptAlsoWaitsForItsHorizon() throws Exception {
        try (ScriptedIamport vendor = ScriptedIamport.start()
                .charge(Step.slow(Duration.ofMillis(1500)))
                .lookupLag(Duration.ofSeconds(7));
             RunningPaybridge app = start(vendor, Map.of(
                     "paybridge.vendor.timeout", "PT1S",
                     "paybridge.vendor.operation-timeout", "PT1S",
                     "paybridge.vendor.in-flight-margin", "PT8S"))) {
            Response r = app.postJson("/api/payments", Commands.keyIn("f-unknown-1", 3000, false));
            assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                String status = app.get("/api/payments/f-unknown-1").json().path("status").asText();
                seen.add(status);
                assertThat(status).isIn("PAID", "FAILED");
            });
            assertThat(seen).doesNotContain("FAILED");
            JsonNode entries = app.get("/api/ledger?paymentId=f-unknown-1").json().path("entries");
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).path("type").asText()).isEqualTo("PAID");
            assertThat(entries.get(0).path("source").asText()).isEqualTo("RECONCILE");
        }
    }

    /**
     * A conclusion drawn anyway (built here by hand while the charge is in flight: FAILED NOT_CHARGED,
     * as a misconfigured node would leave it) is overturned by the charge's own late PAID answer: the
     * payment is PAID with its PAID entry, marked overturned, the alert counter counts it and an ERROR
     * line names the payment.
     */
    @Test
    void theLatePaidAnswerWinsOverANotChargedConclusion() throws Exception {
        try (ScriptedIamport vendor = ScriptedIamport.start().charge(Step.slow(Duration.ofSeconds(2)));
             RunningPaybridge app = start(vendor, Map.of("paybridge.vendor.timeout", "PT5S"));
             LogCapture log = new LogCapture()) {
            CompletableFuture<Response> charge = CompletableFuture.supplyAsync(
                    () -> app.postJson("/api/payments", Commands.keyIn("f-late-1", 3000, false)));
            await().atMost(Duration.ofSeconds(10)).until(() -> vendor.chargeRequests.get() == 1);
            assertThat(sql(app, "UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED' "
                    + "WHERE payment_id = ? AND status = 'PENDING'", "f-late-1")).isEqualTo(1);

            Response answer = charge.get();
            assertThat(answer.json().path("status").asText()).isEqualTo("PAID");
            assertThat(app.get("/api/payments/f-late-1").json().path("status").asText()).isEqualTo("PAID");
            JsonNode entries = app.get("/api/ledger?paymentId=f-late-1").json().path("entries");
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).path("type").asText()).isEqualTo("PAID");
            assertThat(entries.get(0).path("amount").asLong()).isEqualTo(3000);
            assertThat(column(app, "overturned_from", "f-late-1")).isEqualTo("NOT_CHARGED");
            assertThat(overturned(app)).isEqualTo(1.0);
            assertThat(log.text()).containsPattern("ERROR \\S+ paymentId=f-late-1 .*NOT_CHARGED");
        }
    }

    static double overturned(RunningPaybridge app) {
        Counter c = app.lookup(PaybridgeMeters.BEAN, PaybridgeMeters.class).registry()
                .find("paybridge.not_charged.overturned").tag("vendor", "iamport").counter();
        return c == null ? 0 : c.count();
    }

    static int sql(RunningPaybridge app, String statement, Object... params) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    static String column(RunningPaybridge app, String column, String paymentId) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM payments WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
