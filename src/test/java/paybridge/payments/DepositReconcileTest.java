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

            // another account closed before its deposit (cancelled at the vendor, never paid): FAILED with the
            // vendor's failure (billing reads the code), never PAID, no money in the ledger
            Response closed = app.postJson("/api/payments", Commands.keyIn("dr-vbank-2", 4004, false));
            String closedUid = closed.json().path("vendorPaymentRef").asText();
            assertThat(app.postJson(app.sandboxUrl() + "/iamport/_control/close-unpaid/" + closedUid, "{}").status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(app.get("/api/payments/dr-vbank-2").json().path("status").asText()).isEqualTo("FAILED"));
            JsonNode failed = app.get("/api/payments/dr-vbank-2").json();
            assertThat(failed.path("failure").path("code").asText()).isEqualTo("VENDOR_DECLINED");
            assertThat(failed.path("failure").path("message").asText()).isEqualTo("cancelled before it was paid");
            assertThat(app.get("/api/ledger?paymentId=dr-vbank-2").json().path("entries").toString())
                    .doesNotContain("\"type\":\"PAID\"");
            assertThat(paybridge.billing.DunningPolicy.classify(paybridge.canonical.PaymentStatus.FAILED,
                    app.text("SELECT failure_code FROM payments WHERE payment_id = ?", "dr-vbank-2")))
                    .isEqualTo(paybridge.billing.DunningPolicy.Outcome.DECLINED);
        }
    }

    /**
     * Charges in doubt are looked at before virtual accounts waiting for their deposit, whichever became due
     * first: a backlog of waiting accounts never holds an UNKNOWN charge back from reconcile's batch.
     */
    @Test
    void aChargeInDoubtIsLookedAtBeforeAWaitingAccountDueEarlier() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.operation-timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT0S",
                "paybridge.reconcile.interval", "PT1H"))) {
            app.context().getRouteController().stopRoute("reconcile");
            assertThat(app.postJson("/api/payments", Commands.keyIn("dr-order-vbank", 4004, false)).json()
                    .path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
            assertThat(app.postJson("/api/payments", Commands.billingKey("dr-order-unknown", "steppay", 4003,
                    Commands.STEPPAY_KEY)).json().path("status").asText()).isEqualTo("UNKNOWN");
            paybridge.ledger.PaymentStore payments = app.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> payments.inFlight("dr-order-unknown").orElseThrow().landed()
                    && payments.inFlight("dr-order-vbank").orElseThrow().landed());
            ChargeInFlightTest.sql(app, "UPDATE payments SET next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' HOUR"
                    + " WHERE payment_id = 'dr-order-vbank'");
            ChargeInFlightTest.sql(app, "UPDATE payments SET next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' MINUTE"
                    + " WHERE payment_id = 'dr-order-unknown'");
            assertThat(payments.dueForLook(1)).singleElement()
                    .satisfies(p -> assertThat(p.paymentId()).isEqualTo("dr-order-unknown"));
            assertThat(payments.dueForLook(2)).extracting(paybridge.ledger.PaymentRecord::paymentId)
                    .containsExactly("dr-order-unknown", "dr-order-vbank");
        }
    }
}
