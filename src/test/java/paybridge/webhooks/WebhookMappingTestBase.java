package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Every mapping row of CONTRACT §4, for both vendors, with the webhooks the sandbox really sends
 * (and, for rows the sandbox never sends, deliveries posted as the vendor would), in the content
 * type of the subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WebhookMappingTestBase {
    RunningPaybridge app;
    String p; // paymentId prefix, unique per content type

    abstract String contentType();

    @BeforeAll
    void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.iamport.webhook-content-type", contentType(),
                "paybridge.sandbox.steppay.webhook-content-type", contentType()));
        p = contentType().startsWith(FORM) ? "wf-" : "wj-";
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private String sandbox(String path) {
        return app.sandboxUrl() + path;
    }

    // ---- iamport

    @Test
    void iamportPaidIsPaidOnce() {
        String id = p + "ip-paid";
        assertThat(app.postJson("/api/payments", keyIn(id, 3000, false)).json().path("status").asText()).isEqualTo("PAID");
        JsonNode entry = awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(entry.path("contentType").asText()).startsWith(contentType());
        List<JsonNode> ledger = ledger(app, id);
        assertThat(types(ledger)).isEqualTo("PAID:3000");
    }

    @Test
    void iamportReadyIsAwaitingDepositThenPaidOnDeposit() {
        String id = p + "ip-vbank";
        JsonNode result = app.postJson("/api/payments", keyIn(id, 4004, false)).json();
        assertThat(result.path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
        awaitEntry(app, id, "PROCESSED", "AWAITING_DEPOSIT");
        String impUid = result.path("vendorPaymentRef").asText();
        assertThat(post(app, sandbox("/iamport/_control/deposit/" + impUid), null).status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
        assertThat(types(ledger(app, id))).isEqualTo("AWAITING_DEPOSIT:0,PAID:4004");
    }

    @Test
    void iamportCancelledIsPartiallyRefundedThenCancelled() {
        String id = p + "ip-cancel";
        String impUid = app.postJson("/api/payments", keyIn(id, 5000, false)).json().path("vendorPaymentRef").asText();
        awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(post(app, sandbox("/iamport/_control/console-cancel/" + impUid), "{\"amount\": 2000}").status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "PARTIALLY_REFUNDED");
        assertThat(types(ledger(app, id))).isEqualTo("PAID:5000,PARTIALLY_REFUNDED:-2000");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PARTIALLY_REFUNDED");
        assertThat(post(app, sandbox("/iamport/_control/console-cancel/" + impUid), "{}").status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "CANCELLED");
        List<JsonNode> ledger = ledger(app, id);
        assertThat(types(ledger)).isEqualTo("PAID:5000,PARTIALLY_REFUNDED:-2000,CANCELLED:-3000");
        assertThat(ledger).allSatisfy(e -> assertThat(e.path("eventKey").asText()).isNotBlank());
        assertThat(sum(ledger)).isZero();
        JsonNode view = payment(app, id);
        assertThat(view.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(view.path("refundedAmount").asLong()).isEqualTo(5000);
    }

    @Test
    void iamportFailedIsFailed() {
        String key = app.postJson("/api/payments", keyIn(p + "ip-key", 1000, true)).json().path("billingKey").asText();
        String id = p + "ip-failed";
        JsonNode declined = app.postJson("/api/payments", billingKey(id, "iamport", 4001, key)).json();
        assertThat(declined.path("status").asText()).isEqualTo("FAILED");
        String impUid = declined.path("vendorPaymentRef").asText();
        assertThat(impUid).startsWith("imp_");
        // iamport sends no webhook for a failure: deliver one as the vendor would
        Response r = deliver(app, "iamport", contentType(), fields("imp_uid", impUid, "merchant_uid", id, "status", "failed"));
        assertThat(r.status()).isEqualTo(200);
        JsonNode entry = awaitSettled(app, r.json().path("inboxId").asText());
        assertThat(entry.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(entry.path("eventType").asText()).isEqualTo("FAILED");
        assertThat(types(ledger(app, id))).isEqualTo("FAILED:0");
    }

    // ---- Steppay

    @Test
    void steppayPaymentIsPaidOnce() {
        String id = p + "sp-paid";
        assertThat(app.postJson("/api/payments", billingKey(id, "steppay", 9900, STEPPAY_KEY)).json().path("status").asText())
                .isEqualTo("PAID");
        awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(types(ledger(app, id))).isEqualTo("PAID:9900");
    }

    /** A Steppay virtual account issued for {@code id} (its VBANK webhook processed): its idKey. */
    private String steppayVbankAwaiting(String id) {
        JsonNode result = app.postJson("/api/payments", billingKey(id, "steppay", 4004, STEPPAY_KEY)).json();
        assertThat(result.path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
        awaitEntry(app, id, "PROCESSED", "AWAITING_DEPOSIT");
        return result.path("vendorPaymentRef").asText();
    }

    @Test
    void steppayVbankIsAwaitingDepositThenPaid() {
        String id = p + "sp-vbank";
        String idKey = steppayVbankAwaiting(id);
        assertThat(post(app, sandbox("/steppay/_control/deposit/" + idKey), null).status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
        assertThat(types(ledger(app, id))).isEqualTo("AWAITING_DEPOSIT:0,PAID:4004");
    }

    @Test
    void steppayVbankClosedBeforeItsDepositIsFailedWithoutMoney() {
        String id = p + "sp-vbank-closed";
        String idKey = steppayVbankAwaiting(id);
        // Steppay's CANCELED webhook for an account that was never paid: not a cancel of money
        assertThat(post(app, sandbox("/steppay/_control/close-unpaid/" + idKey), null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(payment(app, id).path("status").asText()).isEqualTo("FAILED"));
        assertThat(payment(app, id).path("failure").path("message").asText()).isEqualTo("cancelled before it was paid");
        assertThat(sum(ledger(app, id))).isZero();
        assertThat(types(ledger(app, id))).doesNotContain("PAID").doesNotContain("REFUNDED");
    }

    @Test
    void steppayCanceledIsPartiallyRefundedThenCancelled() {
        String id = p + "sp-cancel";
        app.postJson("/api/payments", billingKey(id, "steppay", 9000, STEPPAY_KEY));
        awaitEntry(app, id, "PROCESSED", "PAID");
        assertThat(app.postJson("/api/refunds", "{\"refundId\": \"" + id + "-r1\", \"paymentId\": \"" + id
                + "\", \"amount\": 1000}").status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "PARTIALLY_REFUNDED");
        assertThat(app.postJson("/api/refunds", "{\"refundId\": \"" + id + "-r2\", \"paymentId\": \"" + id + "\"}")
                .status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "CANCELLED");
        List<JsonNode> ledger = ledger(app, id);
        assertThat(ledger).hasSize(3); // PAID and the two returns, each learnt twice (API and webhook)
        assertThat(sum(ledger)).isZero();
        assertThat(payment(app, id).path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void steppayUserCanceledIsAbandonedUnderThePartnerOrderId() {
        String id = p + "sp-abandon";
        Response r = post(app, sandbox("/steppay/_control/first-payment"), """
                {"partnerOrderId": "%s", "partnerUserId": "user-7", "amount": 3000, "itemName": "Plan",
                 "outcome": "USER_CANCELED"}""".formatted(id));
        assertThat(r.status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "ABANDONED");
        assertThat(types(ledger(app, id))).isEqualTo("ABANDONED:0");
        JsonNode view = payment(app, id);
        assertThat(view.path("status").asText()).isEqualTo("ABANDONED");
        assertThat(view.path("method").asText()).isEqualTo("EXTERNAL");
    }

    /**
     * The customer abandons Steppay's checkout and then pays under the same order id: the abandoned payment keeps
     * the order id, the paid one (another idKey) is recorded as a payment of its own under its reference, with
     * its money; before, it was REJECTED as "known under another vendor reference" and its money never recorded.
     */
    @Test
    void steppayPaidAfterAnAbandonedCheckoutUnderTheSameOrderIdIsRecorded() {
        String id = p + "sp-again";
        assertThat(post(app, sandbox("/steppay/_control/first-payment"), """
                {"partnerOrderId": "%s", "partnerUserId": "user-7", "amount": 3000, "itemName": "Plan",
                 "outcome": "USER_CANCELED"}""".formatted(id)).status()).isEqualTo(200);
        awaitEntry(app, id, "PROCESSED", "ABANDONED");
        String paidKey = post(app, sandbox("/steppay/_control/first-payment"), """
                {"partnerOrderId": "%s", "partnerUserId": "user-7", "amount": 3000, "itemName": "Plan"}""".formatted(id))
                .json().path("idKey").asText();
        String paidId = WebhookProcessor.externalPaymentId("steppay", paidKey);
        awaitEntry(app, paidId, "PROCESSED", "PAID");
        assertThat(types(ledger(app, paidId))).isEqualTo("PAID:3000");
        assertThat(payment(app, paidId).path("vendorPaymentRef").asText()).isEqualTo(paidKey);
        assertThat(payment(app, id).path("status").asText()).isEqualTo("ABANDONED");
        assertThat(types(ledger(app, id))).isEqualTo("ABANDONED:0");
    }

    @Test
    void steppayFailedIsFailed() {
        String id = p + "sp-failed";
        assertThat(app.postJson("/api/payments", billingKey(id, "steppay", 4001, STEPPAY_KEY)).json().path("status").asText())
                .isEqualTo("FAILED");
        awaitEntry(app, id, "PROCESSED", "FAILED");
        assertThat(types(ledger(app, id))).isEqualTo("FAILED:0");
    }

    @Test
    void steppayFirstPaymentInTheBrowserIsRecordedAndItsIdKeyIsABillingKey() {
        String id = p + "sp-first";
        JsonNode receipt = post(app, sandbox("/steppay/_control/first-payment"), """
                {"partnerOrderId": "%s", "partnerUserId": "user-8", "amount": 1000, "itemName": "Plan",
                 "paymentMethod": "CARD_BILL"}""".formatted(id)).json();
        String idKey = receipt.path("idKey").asText();
        awaitEntry(app, id, "PROCESSED", "PAID");
        List<JsonNode> ledger = ledger(app, id);
        assertThat(types(ledger)).isEqualTo("PAID:1000");
        assertThat(ledger.get(0).path("vendorPaymentRef").asText()).isEqualTo(idKey);
        assertThat(ledger.get(0).path("source").asText()).isEqualTo("WEBHOOK");
        JsonNode view = payment(app, id);
        assertThat(view.path("method").asText()).isEqualTo("EXTERNAL");
        assertThat(view.path("billingKey").asText()).isEqualTo(idKey);

        // CMS and BILLKEY (deprecated) name a completed payment too: PAID, nothing new in the ledger
        for (String type : new String[] {"CMS", "BILLKEY"}) {
            Response r = deliver(app, "steppay", contentType(), fields("webHookType", type, "orderId", 1, "idKey", idKey));
            JsonNode entry = awaitSettled(app, r.json().path("inboxId").asText());
            assertThat(entry.path("status").asText()).isEqualTo("PROCESSED");
            assertThat(entry.path("eventType").asText()).isEqualTo("PAID");
        }
        assertThat(ledger(app, id)).hasSize(1);

        // the idKey charges again as a billing key
        assertThat(app.postJson("/api/payments", billingKey(id + "-2", "steppay", 1000, idKey)).json().path("status").asText())
                .isEqualTo("PAID");
    }
}
