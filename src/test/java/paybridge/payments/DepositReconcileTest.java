package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A virtual account's deposit whose webhook never comes (here the sandbox's webhooks go to a closed port):
 * reconcile looks the waiting payment up on its schedule and records the deposit as the webhook would,
 * state, ledger entry and event; while the vendor still waits, nothing moves.
 */
class DepositReconcileTest {

    @Test
    void aDepositWhoseWebhookNeverCameIsRecordedByReconcile() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                "paybridge.vendor.timeout", "PT1S",
                "paybridge.vendor.operation-timeout", "PT1S",
                "paybridge.vendor.in-flight-margin", "PT0S",
                "paybridge.reconcile.interval", "PT0.3S",
                "paybridge.reconcile.max-backoff", "PT0.6S"))) {
            Response issued = app.postJson("/api/payments", Commands.keyIn("dr-vbank-1", 4004, false));
            assertThat(issued.json().path("status").asText()).as(issued.body()).isEqualTo("AWAITING_DEPOSIT");
            String impUid = issued.json().path("vendorPaymentRef").asText();

            // looked at while the vendor still waits: nothing moves
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    Integer.parseInt(app.text("SELECT looks FROM payments WHERE payment_id = ?", "dr-vbank-1")) >= 2);
            assertThat(app.get("/api/payments/dr-vbank-1").json().path("status").asText()).isEqualTo("AWAITING_DEPOSIT");

            Response deposit = app.postJson(app.sandboxUrl() + "/iamport/_control/deposit/" + impUid, "{}");
            assertThat(deposit.status()).as(deposit.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(app.get("/api/payments/dr-vbank-1").json().path("status").asText()).isEqualTo("PAID"));
            JsonNode entries = app.get("/api/ledger?paymentId=dr-vbank-1").json().path("entries");
            assertThat(entries.toString()).contains("\"type\":\"PAID\"").contains("\"amount\":4004").contains("RECONCILE");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    app.get("/api/events?type=payment.paid&paymentId=dr-vbank-1").json().path("events")).hasSize(1));
            // decided: off reconcile's schedule
            assertThat(app.text("SELECT next_look_at FROM payments WHERE payment_id = ?", "dr-vbank-1")).isNull();
        }
    }
}
