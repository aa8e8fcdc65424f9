package paybridge.connector.toss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.payments.RefundService;
import paybridge.sandbox.toss.TossSimulator;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Toss ignores a second cancel of a paymentKey within about a second (TOSS.md) and may answer it with the
 * payment as it stands, listing the first cancel. Two refunds of one amount in flight together: the one
 * whose answer names the return the other refund was decided with is not REFUNDED by it (both would be,
 * on one return, and the customer would be short of the second refund); it stays UNKNOWN and refund
 * reconcile concludes it never happened, its reservation released.
 */
class TossIgnoredCancelTest {

    @Test
    void aReturnAnotherRefundWasDecidedWithNeverCountsForASecondRefund() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                // the held answer (4 s) within one call's timeout and the operation's budget; the refunds'
                // in-flight bound (budget + timeout + margin) as short as that allows
                "paybridge.vendor.timeout", "PT6S",
                "paybridge.vendor.operation-timeout", "PT6S",
                "paybridge.sandbox.hang", "PT4S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.3S",
                "paybridge.reconcile.max-backoff", "PT1S"))) {
            String customer = "user-tci";
            String authKey = app.postJson(app.sandboxUrl() + "/toss/_control/auth-key",
                    "{\"customerKey\": \"" + customer + "\"}").json().path("authKey").asText();
            String billingKey = app.postJson("/api/billing-keys", """
                    {"vendor": "toss", "customer": {"id": "%s"}, "authKey": "%s"}""".formatted(customer, authKey))
                    .json().path("billingKey").asText();
            Response paid = app.postJson("/api/payments", """
                    {"paymentId": "tci-0001", "vendor": "toss", "method": "BILLING_KEY", "amount": 9900,
                     "orderName": "Premium plan", "customer": {"id": "%s"}, "billingKey": "%s"}"""
                    .formatted(customer, billingKey));
            assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");
            String paymentKey = paid.json().path("vendorPaymentRef").asText();
            // no webhooks: nothing records the first cancel in the ledger before the second refund is asked
            control(app, paymentKey, "{\"webhooks\": false}");

            // the first refund: applied at Toss at once (4002: its answer comes 1.5 s later)
            CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> refund(app, "tci-rf-a", 4002));
            await().atMost(Duration.ofSeconds(10)).until(() -> record(app, paymentKey).path("cancels").size() == 1);
            // the second, of the same amount, within the second: ignored by Toss, answered with the first cancel
            control(app, paymentKey, "{\"next\": \"IGNORED\"}");
            Response second = refund(app, "tci-rf-b", 4002);
            Response firstAnswer = first.get(30, TimeUnit.SECONDS);
            // the answer that came second names the return the first was decided with (the ignored cancel's
            // answer comes at once; the first refund's is held back 4 s): UNKNOWN, for refund reconcile
            assertThat(java.util.List.of(firstAnswer.body(), second.body())).as("one answer left open")
                    .anyMatch(body -> body.contains(RefundService.RETURN_CLAIMED));

            // one return at Toss, one REFUNDED refund, the other concluded never refunded and released
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(java.util.List.of(
                    refund(app, "tci-rf-a", 4002).json().path("status").asText(),
                    refund(app, "tci-rf-b", 4002).json().path("status").asText()))
                    .containsExactlyInAnyOrder("REFUNDED", "FAILED"));
            assertThat(record(app, paymentKey).path("cancels")).hasSize(1);
            assertThat(record(app, paymentKey).path("balanceAmount").asLong()).isEqualTo(5898);
            long ledger = 0;
            for (JsonNode e : app.get("/api/ledger?paymentId=tci-0001").json().path("entries")) {
                ledger += e.path("amount").asLong();
            }
            assertThat(ledger).isEqualTo(5898);
            // what remains refundable is what Toss still holds
            Response rest = refund(app, "tci-rf-c", 5898);
            assertThat(rest.json().path("status").asText()).as(rest.body()).isEqualTo("REFUNDED");
        }
    }

    private static void control(RunningPaybridge app, String paymentKey, String json) {
        Response r = app.postJson(app.sandboxUrl() + "/toss/_control/cancel-fault/" + paymentKey, json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static Response refund(RunningPaybridge app, String refundId, long amount) {
        return app.postJson("/api/refunds", "{\"refundId\": \"%s\", \"paymentId\": \"tci-0001\", \"amount\": %d}"
                .formatted(refundId, amount));
    }

    private static JsonNode record(RunningPaybridge app, String paymentKey) {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/toss/v1/payments/" + paymentKey))
                .header("Authorization", TossRequests.basicAuth(TossSimulator.SECRET_KEY)).GET();
        return app.send(get).json();
    }
}
