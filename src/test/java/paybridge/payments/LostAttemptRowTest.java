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
        try (RunningPaybridge app = start()) {
            ChargeOutcome first = firstSend(app, "lost-row-1", null);
            long charges = sandboxCharges(app);

            RunningPaybridge.Response resend = app.postJson("/api/payments", Commands.keyIn("lost-row-1", 3000, false));
            assertThat(resend.status()).as(resend.body()).isEqualTo(202);
            assertThat(resend.json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(resend.json().path("failure").path("code").asText()).isEqualTo("IAMPORT_HOLDS_PAYMENT");

            awaitPaid(app, "lost-row-1", first);
            assertThat(sandboxCharges(app)).as("charges at the vendor").isEqualTo(charges);
        }
    }

    /**
     * A KEY_IN that saves its card: the re-send names the customer_uid the first send stored at iamport
     * (made from the paymentId, not drawn anew), so the settled payment's billing key is one iamport knows.
     */
    @Test
    void aReSentKeyInThatSavesItsCardNamesTheBillingKeyTheFirstSendStored() throws Exception {
        try (RunningPaybridge app = start()) {
            String storedAtTheVendor = "cu_user-42_" + ChargeService.keySuffix("lost-row-2");
            ChargeOutcome first = firstSend(app, "lost-row-2", storedAtTheVendor);
            assertThat(first.billingKey()).isEqualTo(storedAtTheVendor);

            RunningPaybridge.Response resend = app.postJson("/api/payments", Commands.keyIn("lost-row-2", 3000, true));
            assertThat(resend.json().path("status").asText()).as(resend.body()).isEqualTo("UNKNOWN");
            assertThat(resend.json().path("billingKey").asText()).isEqualTo(storedAtTheVendor);
            awaitPaid(app, "lost-row-2", first);
            assertThat(app.get("/api/payments/lost-row-2").json().path("billingKey").asText()).isEqualTo(storedAtTheVendor);
        }
    }

    private static RunningPaybridge start() {
        return RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT1S",
                "paybridge.vendor.in-flight-margin", "PT1S",
                "paybridge.reconcile.interval", "PT0.2S",
                // the sandbox's webhook would record the lost payment too; this is about the re-send
                "paybridge.webhook.processing-enabled", "false"));
    }

    /** The first send, made through the connector as the charge route made it; its row is then lost. */
    private static ChargeOutcome firstSend(RunningPaybridge app, String paymentId, String customerUid) {
        ChargeOutcome first = app.context().createProducerTemplate().requestBody("direct:iamport-keyin",
                new PaymentCommand(paymentId, "iamport", PaymentMethod.KEY_IN, 3000, "KRW", "Premium plan", 1,
                        new Customer("user-42", "홍길동", null, null),
                        new Card("4111-2222-3333-4444", "2028-01", "900101", "12"), customerUid != null, customerUid, null),
                ChargeOutcome.class);
        assertThat(first.status()).isEqualTo(ChargeStatus.PAID);
        return first;
    }

    private static void awaitPaid(RunningPaybridge app, String paymentId, ChargeOutcome first) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode p = app.get("/api/payments/" + paymentId).json();
            assertThat(p.path("status").asText()).isEqualTo("PAID");
            assertThat(p.path("vendorPaymentRef").asText()).isEqualTo(first.vendorPaymentRef());
        });
    }

    private static long sandboxCharges(RunningPaybridge app) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.sandboxUrl() + "/iamport/_stats")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body()).path("charges").asLong();
    }
}
