package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** A charge in flight when paybridge is told to stop finishes, is answered and is recorded. */
class GracefulShutdownTest {

    @Test
    void chargeInFlightFinishesDuringShutdown() throws Exception {
        RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.sandbox.latency", "PT1.5S"));
        CompletableFuture<Response> charge = CompletableFuture.supplyAsync(() -> app.postJson("/api/payments", """
                {"paymentId": "shutdown-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 9900,
                 "orderName": "Premium plan", "customer": {"id": "user-42"},
                 "billingKey": "16057932413479698c8vqQG0kMix9"}"""));
        // wait until the attempt is recorded (the vendor call is then under way), then stop
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (app.get("/api/payments/shutdown-1").status() == 404 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(charge).isNotDone();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(app::close);
        Response answer = charge.get(30, TimeUnit.SECONDS);
        stopping.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("PAID");
    }
}
