package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Verification against the vendor's record, with the sandbox's own webhooks switched off (sent to
 * a closed port) so each test delivers exactly what it means to: forgeries, unknown payments,
 * duplicates at once, out-of-order deliveries, replays.
 */
class WebhookVerificationTest {
    static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static String iamportToken() {
        return post(app, app.sandboxUrl() + "/iamport/users/getToken",
                "{\"imp_key\": \"sandbox-imp-key\", \"imp_secret\": \"sandbox-imp-secret\"}").json()
                .path("response").path("access_token").asText();
    }

    /** A charge made at iamport without paybridge (e.g. by another system): answers the payment. */
    static JsonNode iamportDirect(String path, String json) {
        return app.send(HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/iamport" + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + iamportToken())
                .POST(HttpRequest.BodyPublishers.ofString(json))).json().path("response");
    }

    static JsonNode firstPayment(String partnerOrderId, long amount) {
        return post(app, app.sandboxUrl() + "/steppay/_control/first-payment", """
                {"partnerOrderId": "%s", "partnerUserId": "user-9", "amount": %d, "itemName": "Plan"}"""
                .formatted(partnerOrderId, amount)).json();
    }

    static JsonNode deliverAndSettle(String vendor, Map<String, ?> fields) {
        Response r = deliver(app, vendor, JSON, fields);
        assertThat(r.status()).isEqualTo(200);
        return awaitSettled(app, r.json().path("inboxId").asText());
    }

    @Test
    void forgedMerchantUidOrAmountIsRejectedAndChangesNothing() {
        String id = "wv-forged";
        String impUid = app.postJson("/api/payments", keyIn(id, 3000, false)).json().path("vendorPaymentRef").asText();
        String victim = "wv-victim";
        assertThat(app.postJson("/api/payments", keyIn(victim, 90000, false)).status()).isEqualTo(200);
        List<JsonNode> before = ledger(app, victim);

        // a real imp_uid, claimed for another order
        JsonNode e1 = deliverAndSettle("iamport", fields("imp_uid", impUid, "merchant_uid", victim, "status", "paid"));
        assertThat(e1.path("status").asText()).isEqualTo("REJECTED");
        assertThat(e1.path("reason").asText()).contains("merchant_uid");
        // a real imp_uid with an amount it never had
        JsonNode e2 = deliverAndSettle("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "paid", "amount", 90000));
        assertThat(e2.path("status").asText()).isEqualTo("REJECTED");
        assertThat(e2.path("reason").asText()).contains("amount");
        // a status the record can never reach (a paid payment never fails; a "cancelled" could still
        // come true, and is retried: WebhookNotShownYetTest)
        JsonNode e3 = deliverAndSettle("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "failed"));
        assertThat(e3.path("status").asText()).isEqualTo("REJECTED");

        assertThat(ledger(app, victim)).hasSize(before.size());
        assertThat(types(ledger(app, id))).isEqualTo("PAID:3000");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
        assertThat(app.lookup("webhookMetrics", WebhookMetrics.class).rejected.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anotherVendorPaymentUnderOurOrderIdNeverChangesOursAndIsRecordedAsItsOwn() {
        // paybridge charged 9900 under this id; someone makes a 100-won Steppay payment under the same order id
        String id = "wv-amount";
        assertThat(app.postJson("/api/payments", billingKey(id, "steppay", 9900, STEPPAY_KEY)).json().path("status").asText())
                .isEqualTo("PAID");
        String otherIdKey = firstPayment(id, 100).path("idKey").asText();
        JsonNode e = deliverAndSettle("steppay", fields("webHookType", "PAYMENT", "orderId", 1, "idKey", otherIdKey));
        // the vendor holds that money: recorded under its own reference, ours untouched
        assertThat(e.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(e.path("paymentId").asText()).isEqualTo(WebhookProcessor.externalPaymentId("steppay", otherIdKey));
        assertThat(types(ledger(app, e.path("paymentId").asText()))).isEqualTo("PAID:100");
        assertThat(types(ledger(app, id))).isEqualTo("PAID:9900");
        assertThat(payment(app, id).path("amount").asLong()).isEqualTo(9900);
    }

    /**
     * A vendor order id that cannot be a paymentId: the payment is recorded as steppay-&lt;idKey&gt;,
     * and later deliveries for it are that payment too (not an order-id mismatch).
     */
    @Test
    void anExternalPaymentUnderItsVendorReferenceTakesItsLaterDeliveries() {
        String idKey = firstPayment("order with spaces #1", 5000).path("idKey").asText();
        for (int i = 0; i < 2; i++) {
            JsonNode e = deliverAndSettle("steppay", fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey));
            assertThat(e.path("status").asText()).as("delivery %d: %s", i + 1, e.path("reason").asText())
                    .isEqualTo("PROCESSED");
            assertThat(e.path("paymentId").asText()).isEqualTo("steppay-" + idKey);
        }
        assertThat(types(ledger(app, "steppay-" + idKey))).isEqualTo("PAID:5000");
    }

    /**
     * A large body does not travel with the fast-path nudge: the fast path reads it back from the inbox.
     * (Its own node with the poll route stopped, so only the fast path can have processed it.)
     */
    @Test
    void aDeliveryWithALargeBodyIsProcessedByTheFastPathToo() throws Exception {
        try (RunningPaybridge fastOnly = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"))) {
            fastOnly.context().getRouteController().stopRoute("webhooks-poll");
            String idKey = post(fastOnly, fastOnly.sandboxUrl() + "/steppay/_control/first-payment", """
                    {"partnerOrderId": "wv-large", "partnerUserId": "user-9", "amount": 6000, "itemName": "Plan"}""")
                    .json().path("idKey").asText();
            Response r = deliver(fastOnly, "steppay", JSON, fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey,
                    "note", "x".repeat(WebhookIntake.QUEUED_BODY_MAX_CHARS)));
            JsonNode e = awaitSettled(fastOnly, r.json().path("inboxId").asText());
            assertThat(e.path("status").asText()).as(e.path("reason").asText()).isEqualTo("PROCESSED");
            assertThat(types(ledger(fastOnly, "wv-large"))).isEqualTo("PAID:6000");
        }
    }

    /**
     * A reference the vendor does not know records nothing: the entry waits for the vendor's lookup to show it
     * (retried; REJECTED after the last retry: WebhookNotShownYetTest) and no payment or entry appears.
     */
    @Test
    void unknownImpUidAndIdKeyRecordNothing() {
        for (String[] delivery : new String[][] {{"iamport", "imp_uid", "imp_999999999999"},
                {"steppay", "idKey", "1605793241347NoSuchKey0000000"}}) {
            Response r = deliver(app, delivery[0], JSON, delivery[0].equals("iamport")
                    ? fields("imp_uid", delivery[2], "merchant_uid", "wv-nothing", "status", "paid")
                    : fields("webHookType", "PAYMENT", "orderId", 1, "idKey", delivery[2]));
            assertThat(r.status()).isEqualTo(200);
            String inboxId = r.json().path("inboxId").asText();
            JsonNode[] e = new JsonNode[1];
            // looked up and found unknown (a claim counts its attempt before the lookup answers)
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                e[0] = entry(app, inboxId);
                return e[0].path("reason").asText().contains("unknown at the vendor");
            });
            assertThat(e[0].path("status").asText()).as(delivery[0]).isEqualTo("PENDING");
        }
        assertThat(ledger(app, "wv-nothing")).isEmpty();
        assertThat(app.get("/api/payments/wv-nothing").status()).isEqualTo(404);
    }

    @Test
    void tenConcurrentDuplicatesMakeOneLedgerEntry() throws Exception {
        String id = "wv-dup";
        String idKey = firstPayment(id, 7000).path("idKey").asText();
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                answers.add(pool.submit((Callable<Response>) () ->
                        deliver(app, "steppay", JSON, fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey))));
            }
            for (Future<Response> f : answers) {
                Response r = f.get();
                assertThat(r.status()).isEqualTo(200);
                assertThat(awaitSettled(app, r.json().path("inboxId").asText()).path("status").asText()).isEqualTo("PROCESSED");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(types(ledger(app, id))).isEqualTo("PAID:7000");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
    }

    @Test
    void cancelledProcessedBeforePaidConverges() {
        String id = "wv-order";
        JsonNode paid = iamportDirect("/subscribe/payments/onetime", """
                {"merchant_uid": "%s", "amount": 8000, "card_number": "4111-2222-3333-4444", "expiry": "2028-01",
                 "birth": "900101", "pwd_2digit": "12", "name": "Plan"}""".formatted(id));
        String impUid = paid.path("imp_uid").asText();
        JsonNode cancelled = post(app, app.sandboxUrl() + "/iamport/_control/console-cancel/" + impUid, "{}").json()
                .path("response");
        String cancellationId = cancelled.path("cancel_history").get(0).path("cancellation_id").asText();

        JsonNode c = deliverAndSettle("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "cancelled",
                "cancellation_id", cancellationId));
        assertThat(c.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(c.path("eventType").asText()).isEqualTo("CANCELLED");
        JsonNode p = deliverAndSettle("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "paid"));
        assertThat(p.path("status").asText()).isEqualTo("PROCESSED");

        List<JsonNode> ledger = ledger(app, id);
        assertThat(types(ledger)).isEqualTo("PAID:8000,CANCELLED:-8000");
        assertThat(sum(ledger)).isZero();
        assertThat(payment(app, id).path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void replayIsIdempotentAndUnknownIsA404() {
        String id = "wv-replay";
        String idKey = firstPayment(id, 2500).path("idKey").asText();
        JsonNode e = deliverAndSettle("steppay", fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey));
        String inboxId = e.path("inboxId").asText();
        for (int i = 0; i < 2; i++) {
            Response r = post(app, app.baseUrl() + "/api/webhooks/" + inboxId + "/replay", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("inboxId").asText()).isEqualTo(inboxId);
            assertThat(r.json().path("status").asText()).isEqualTo("PROCESSED");
        }
        assertThat(types(ledger(app, id))).isEqualTo("PAID:2500");
        Response missing = post(app, app.baseUrl() + "/api/webhooks/00000000-0000-0000-0000-000000000000/replay", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
    }

    @Test
    void listingFiltersAndIsNewestFirst() {
        // an imp_uid iamport never issues: REJECTED at once (400)
        assertThat(deliver(app, "iamport", JSON, fields("imp_uid", "imp 999999999998", "status", "paid")).status())
                .isEqualTo(400);
        List<JsonNode> rejected = inbox(app, "status=REJECTED&vendor=iamport");
        assertThat(rejected).isNotEmpty().allSatisfy(x -> {
            assertThat(x.path("status").asText()).isEqualTo("REJECTED");
            assertThat(x.path("vendor").asText()).isEqualTo("iamport");
        });
        List<JsonNode> all = inbox(app, "");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i - 1).path("receivedAt").asText()).isGreaterThanOrEqualTo(all.get(i).path("receivedAt").asText());
        }
        assertThat(app.get("/api/webhooks?status=DONE").status()).isEqualTo(400);
    }
}
