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
}
