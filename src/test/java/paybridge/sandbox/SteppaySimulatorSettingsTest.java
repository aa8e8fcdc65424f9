package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Steppay simulator behaviour that depends on {@link SandboxSettings}: one sandbox per test. */
class SteppaySimulatorSettingsTest {

    @Test
    void formWebhooksWhenConfigured() throws Exception {
        try (SteppayTestKit kit = new SteppayTestKit(
                s -> s.iamportWebhookContentType("application/json").steppayWebhookContentType("application/x-www-form-urlencoded"))) {
            HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, "po-form", 1000);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonObject answer = SteppayTestKit.json(r);
            String idKey = answer.getString("idKey");

            SteppayTestKit.Webhook hook = kit.awaitWebhook("PAYMENT", idKey);
            assertThat(hook.path()).isEqualTo("/webhooks/steppay");
            assertThat(hook.contentType()).startsWith("application/x-www-form-urlencoded");
            assertThat(hook.body()).isEqualTo("webHookType=PAYMENT&orderId=" + answer.getLong("orderId") + "&idKey=" + idKey);
        }
    }

    @Test
    void emptyBillingResponseStillCharges() throws Exception {
        try (SteppayTestKit kit = new SteppayTestKit(s -> s.steppayBillingResponse("empty"))) {
            HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, "po-empty", 2500);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
            assertThat(kit.stats().getLong("charges")).isEqualTo(1);

            // The caller learns the idKey only from the webhook (or a lookup).
            SteppayTestKit.Webhook hook = await().atMost(Duration.ofSeconds(5))
                    .until(() -> kit.webhooks.stream().filter(w -> w.type().equals("PAYMENT")).findFirst(),
                            java.util.Optional::isPresent).get();
            JsonObject receipt = kit.receipt(hook.idKey());
            assertThat(receipt.getString("paymentStatus")).isEqualTo("COMPLETE");
            assertThat(receipt.getString("partnerOrderId")).isEqualTo("po-empty");
            assertThat(receipt.getLong("amount")).isEqualTo(2500);

            // Errors keep their body in this mode.
            assertThat(SteppayTestKit.json(kit.billing(SteppayTestKit.SEED, "po-empty-2", TestAmounts.DECLINE))
                    .getString("errorCode")).isEqualTo("PAYMENT_FAILED");
        }
    }

    @Test
    void hangChargesAtOnceButAnswersLate() throws Exception {
        try (SteppayTestKit kit = new SteppayTestKit(s -> s.hang(Duration.ofSeconds(2)))) {
            HttpRequest request = kit.request("/api/payment/billing").timeout(Duration.ofMillis(500))
                    .header("Secret-Token", SteppayTestKit.TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            SteppayTestKit.billingBody(SteppayTestKit.SEED, "po-hang", TestAmounts.HANG)))
                    .build();
            assertThatThrownBy(() -> kit.http.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);

            // The caller gave up, yet the vendor charged: visible in the stats and announced by webhook.
            JsonObject stats = kit.stats();
            assertThat(stats.getLong("charges")).isEqualTo(1);
            assertThat(stats.getLong("paid")).isEqualTo(1);
            SteppayTestKit.Webhook hook = await().atMost(Duration.ofSeconds(5))
                    .until(() -> kit.webhooks.stream().filter(w -> w.type().equals("PAYMENT")).findFirst(),
                            java.util.Optional::isPresent).get();
            long start = System.nanoTime();
            JsonObject receipt = kit.receipt(hook.idKey());
            // The hanging answer holds no thread: other calls are answered meanwhile.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(receipt.getString("paymentStatus")).isEqualTo("COMPLETE");
            assertThat(receipt.getString("partnerOrderId")).isEqualTo("po-hang");
            assertThat(receipt.getLong("amount")).isEqualTo(TestAmounts.HANG);
        }
    }

    @Test
    void hangAnswersAfterTheHangDelay() throws Exception {
        try (SteppayTestKit kit = new SteppayTestKit(s -> s.hang(Duration.ofMillis(600)))) {
            long start = System.nanoTime();
            HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, "po-hang-wait", TestAmounts.HANG);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(SteppayTestKit.json(r).getString("paymentStatus")).isEqualTo("COMPLETE");
        }
    }

    @Test
    void latencyDelaysEveryVendorAnswer() throws Exception {
        Duration latency = Duration.ofMillis(300);
        try (SteppayTestKit kit = new SteppayTestKit(s -> s.latency(latency))) {
            long start = System.nanoTime();
            HttpResponse<String> ok = kit.get("/api/payment/receipt/" + SteppayTestKit.SEED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(latency);
            assertThat(ok.statusCode()).isEqualTo(200);

            start = System.nanoTime();
            HttpResponse<String> refused = kit.send(kit.request("/api/payment/receipt/" + SteppayTestKit.SEED).GET());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(latency);
            assertThat(refused.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void customSecretTokenIsTheOneAccepted() throws Exception {
        try (SteppayTestKit kit = new SteppayTestKit(s -> s.steppaySecretToken("another-token"))) {
            assertThat(kit.get("/api/payment/receipt/" + SteppayTestKit.SEED).statusCode()).isEqualTo(403);
            assertThat(kit.send(kit.request("/api/payment/receipt/" + SteppayTestKit.SEED)
                    .header("Secret-Token", "another-token").GET()).statusCode()).isEqualTo(200);
        }
    }
}
