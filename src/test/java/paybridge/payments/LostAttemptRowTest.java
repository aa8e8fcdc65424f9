package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Card;
import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.testing.RunningPaybridge;

/**
 * A charge whose attempt row was lost after its vendor call had left (a crash on H2 within its write
 * delay, a database restored from an older backup): the vendor holds a PAID payment under the paymentId
 * and paybridge holds nothing. The caller's re-send is a fresh attempt to paybridge, and iamport refuses
 * the duplicate merchant_uid as it refuses a card; recorded as that decline, the customer who was charged
 * would read FAILED, and a billing run would charge the period again. iamport's record decides instead:
 * UNKNOWN at once, then PAID by reconcile's lookup, one charge at the vendor.
 */
class LostAttemptRowTest {

    @Test
    void aReSendAfterTheRowWasLostIsSettledFromTheVendorsRecordNotRecordedAsADecline() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT1S",
                "paybridge.vendor.in-flight-margin", "PT1S",
                "paybridge.reconcile.interval", "PT0.2S",
                // the sandbox's webhook would record the lost payment too; this is about the re-send
                "paybridge.webhook.processing-enabled", "false"))) {
            String paymentId = "lost-row-1";
            // the first send, made through the connector as the charge route made it; its row is then lost
            ChargeOutcome first = app.context().createProducerTemplate().requestBody("direct:iamport-keyin",
                    new PaymentCommand(paymentId, "iamport", PaymentMethod.KEY_IN, 3000, "KRW", "Premium plan", 1,
                            new Customer("user-42", "홍길동", null, null),
                            new Card("4111-2222-3333-4444", "2028-01", "900101", "12"), false, null, null),
                    ChargeOutcome.class);
            assertThat(first.status()).isEqualTo(ChargeStatus.PAID);
            long charges = sandboxCharges(app);

            RunningPaybridge.Response resend = app.postJson("/api/payments", """
                    {"paymentId": "lost-row-1", "vendor": "iamport", "method": "KEY_IN", "amount": 3000,
                     "orderName": "Premium plan", "customer": {"id": "user-42", "name": "홍길동"},
                     "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"}}""");
            assertThat(resend.status()).as(resend.body()).isEqualTo(202);
            assertThat(resend.json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(resend.json().path("failure").path("code").asText()).isEqualTo("IAMPORT_HOLDS_PAYMENT");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode p = app.get("/api/payments/" + paymentId).json();
                assertThat(p.path("status").asText()).isEqualTo("PAID");
                assertThat(p.path("vendorPaymentRef").asText()).isEqualTo(first.vendorPaymentRef());
            });
            assertThat(sandboxCharges(app)).as("charges at the vendor").isEqualTo(charges);
        }
    }

    private static long sandboxCharges(RunningPaybridge app) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.sandboxUrl() + "/iamport/_stats")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("charges").asLong();
    }
}
