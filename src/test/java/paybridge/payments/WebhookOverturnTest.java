package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A verified webhook whose looked-up record shows paid a payment concluded FAILED NOT_CHARGED is not
 * a contradiction: the vendor's record wins, the payment becomes PAID (with its entry and the alert).
 */
class WebhookOverturnTest {

    @Test
    void aPaidWebhookOverturnsANotChargedConclusion() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of())) {
            assertThat(app.postJson("/api/payments", Commands.keyIn("w-nc-1", 3000, false)).json().path("status").asText())
                    .isEqualTo("PAID");
            JsonNode[] entry = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                entry[0] = null;
                for (JsonNode e : app.get("/api/webhooks?vendor=iamport").json().path("entries")) {
                    if ("w-nc-1".equals(e.path("paymentId").asText()) && "PROCESSED".equals(e.path("status").asText())) {
                        entry[0] = e;
                    }
                }
                assertThat(entry[0]).isNotNull();
            });
            // the state a wrong "never charged" conclusion leaves (its FAILED entry of 0 included)
            assertThat(ChargeInFlightTest.sql(app, "UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED' "
                    + "WHERE payment_id = ?", "w-nc-1")).isEqualTo(1);
            double before = ChargeInFlightTest.overturned(app);

            Response replay = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/webhooks/"
                    + entry[0].path("inboxId").asText() + "/replay")).POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(replay.json().path("status").asText()).isEqualTo("PROCESSED");
            assertThat(app.get("/api/payments/w-nc-1").json().path("status").asText()).isEqualTo("PAID");
            assertThat(ChargeInFlightTest.column(app, "overturned_from", "w-nc-1")).isEqualTo("NOT_CHARGED");
            assertThat(ChargeInFlightTest.overturned(app)).isEqualTo(before + 1);
            JsonNode ledger = app.get("/api/ledger?paymentId=w-nc-1").json().path("entries");
            assertThat(ledger).hasSize(1);
            assertThat(ledger.get(0).path("type").asText()).isEqualTo("PAID");
        }
    }

    /**
     * An operator's FAILED committed after the webhook read the payment (still UNKNOWN) and before its
     * transaction: the webhook decides from the row as it is under its lock, so the vendor's PAID
     * overturns the operator's FAILED (PAID, marked overturned, its entry), never a FAILED payment beside
     * a PAID entry. Built by the operator's transaction holding the payment's row while the webhook waits.
     */
    @Test
    void anOperatorsFailedCommittedWhileTheWebhookWaitsIsOverturnedNotLeftBesideAPaidEntry() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.sandbox.hang", "PT2S",
                "paybridge.vendor.in-flight-margin", "PT0S",
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.processing-enabled", "false"))) {
            // charged at the vendor, its answer lost; its webhook stored, not processed
            assertThat(app.postJson("/api/payments", Commands.keyIn("w-race-1", 4002, false)).json().path("status").asText())
                    .isEqualTo("UNKNOWN");
            String[] inboxId = new String[1];
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode entries = app.get("/api/webhooks?vendor=iamport").json().path("entries");
                assertThat(entries).isNotEmpty();
                inboxId[0] = entries.get(0).path("inboxId").asText();
            });
            double before = ChargeInFlightTest.overturned(app);
            paybridge.ledger.Database db = app.lookup("database", paybridge.ledger.Database.class);
            java.util.concurrent.ExecutorService replayer = java.util.concurrent.Executors.newSingleThreadExecutor();
            java.util.concurrent.Future<Response> replay;
            try (java.sql.Connection operator = db.dataSource().getConnection();
                 java.sql.Connection observer = db.dataSource().getConnection()) {
                operator.setAutoCommit(false);
                int session = paybridge.testing.H2Locks.session(operator);
                try (var lock = operator.prepareStatement("SELECT payment_id FROM payments WHERE payment_id = 'w-race-1' FOR UPDATE")) {
                    lock.executeQuery().close();
                }
                replay = replayer.submit(() -> app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/webhooks/"
                        + inboxId[0] + "/replay")).POST(HttpRequest.BodyPublishers.noBody())));
                await().atMost(Duration.ofSeconds(20)).until(() -> paybridge.testing.H2Locks.waitingFor(observer, session) > 0);
                // what /resolve FAILED writes (SETTLE_OPEN_LANDED), committed while the webhook waits
                try (var resolve = operator.prepareStatement("""
                        UPDATE payments SET status = 'FAILED', failure_code = 'OPERATOR', failure_message = 'not in the console',
                            updated_at = CURRENT_TIMESTAMP, version = version + 1, next_look_at = NULL
                        WHERE payment_id = 'w-race-1' AND status IN ('PENDING', 'UNKNOWN')""")) {
                    assertThat(resolve.executeUpdate()).isEqualTo(1);
                }
                operator.commit();
            }
            Response replayed = replay.get(30, java.util.concurrent.TimeUnit.SECONDS);
            replayer.shutdown();
            assertThat(replayed.json().path("status").asText()).as(replayed.body()).isEqualTo("PROCESSED");
            JsonNode payment = app.get("/api/payments/w-race-1").json();
            assertThat(payment.path("status").asText()).as("the vendor's record wins over the operator's FAILED")
                    .isEqualTo("PAID");
            assertThat(ChargeInFlightTest.column(app, "overturned_from", "w-race-1")).isEqualTo("OPERATOR");
            assertThat(ChargeInFlightTest.overturned(app)).isEqualTo(before + 1);
            JsonNode ledger = app.get("/api/ledger?paymentId=w-race-1").json().path("entries");
            assertThat(ledger).extracting(e -> e.path("type").asText()).containsExactly("PAID");
        }
    }
}
