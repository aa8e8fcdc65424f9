package paybridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** An /api caller waits at most paybridge.http.request-timeout; the charge still completes and is recorded. */
class RequestTimeoutTest {

    @Test
    void slowChargeAnswers504ThenIsRecorded() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.http.request-timeout", "PT0.5S", "paybridge.sandbox.latency", "PT1.5S"))) {
            Response r = app.postJson("/api/payments", """
                    {"paymentId": "slow-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 9900,
                     "orderName": "Premium plan", "customer": {"id": "user-42"},
                     "billingKey": "16057932413479698c8vqQG0kMix9"}""");
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.contentType()).startsWith("application/problem+json");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(app.get("/api/payments/slow-1").json().path("status").asText()).isEqualTo("PAID"));
        }
    }
}
