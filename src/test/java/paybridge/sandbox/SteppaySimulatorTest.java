package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Steppay simulator over real HTTP, default settings (JSON webhooks, full billing answers). */
class SteppaySimulatorTest {
    private static final String ID_KEY_SHAPE = "\\d{13}[A-Za-z0-9]{16}";
    private static SteppayTestKit kit;

    @BeforeAll
    static void start() throws Exception {
        kit = new SteppayTestKit(s -> s);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    private static String orderId() {
        return "po-" + UUID.randomUUID();
    }

    private static void assertError(HttpResponse<String> r, int status, String errorCode) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonObject body = SteppayTestKit.json(r);
        assertThat(body.fieldNames()).containsExactly("traceId", "errorCode", "errorMessage", "details");
        assertThat(body.getString("traceId")).isNotBlank();
        assertThat(body.getString("errorCode")).isEqualTo(errorCode);
        assertThat(body.getString("errorMessage")).isNotBlank();
    }

    // ---- auth ----

    @Test
    void missingOrWrongSecretTokenIs403() {
        String body = SteppayTestKit.billingBody(SteppayTestKit.SEED, orderId(), 1000);
        assertError(kit.postWith("/api/payment/billing", body), 403, "INVALID_SECRET_TOKEN");
        assertError(kit.postWith("/api/payment/billing", body, "Secret-Token", "wrong"), 403, "INVALID_SECRET_TOKEN");
        assertError(kit.send(kit.request("/api/payment/receipt/" + SteppayTestKit.SEED).GET()), 403, "INVALID_SECRET_TOKEN");
        assertError(kit.send(kit.request("/api/v1/orders/1").header("Secret-Token", "wrong").GET()), 403,
                "INVALID_SECRET_TOKEN");
        String cancel = new JsonObject().put("idKey", SteppayTestKit.SEED).put("requestPrice", "1").encode();
        assertError(kit.postWith("/api/internal/payment/cancel", cancel), 403, "INVALID_SECRET_TOKEN");
        assertError(kit.postWith("/api/internal/payment/cancel", cancel, "Secret-Key", "wrong"), 403, "INVALID_SECRET_TOKEN");
        assertThat(kit.receipt(SteppayTestKit.SEED).getLong("canceledAmount")).isZero();
    }

    @Test
    void secretKeyHeaderIsAcceptedOnCancelOnly() {
        String body = SteppayTestKit.billingBody(SteppayTestKit.SEED, orderId(), 1000);
        assertError(kit.postWith("/api/payment/billing", body, "Secret-Key", SteppayTestKit.TOKEN), 403,
                "INVALID_SECRET_TOKEN");
        assertError(kit.send(kit.request("/api/payment/receipt/" + SteppayTestKit.SEED)
                .header("Secret-Key", SteppayTestKit.TOKEN).GET()), 403, "INVALID_SECRET_TOKEN");

        String idKey = kit.firstPayment(orderId(), 1000, "CARD_BILL").getString("idKey");
        HttpResponse<String> r = kit.postWith("/api/internal/payment/cancel",
                new JsonObject().put("idKey", idKey).put("requestPrice", "100").encode(),
                "Secret-Key", SteppayTestKit.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(kit.receipt(idKey).getLong("canceledAmount")).isEqualTo(100);
    }

    // ---- billing ----

    @Test
    void seededPaymentIsABillingKey() {
        JsonObject seed = kit.receipt(SteppayTestKit.SEED);
        assertThat(seed.getString("paymentStatus")).isEqualTo("COMPLETE");
        assertThat(seed.getString("paymentMethod")).isEqualTo("CARD_BILL");
        assertThat(seed.getLong("amount")).isEqualTo(100);
        assertThat(seed.getString("partnerOrderId")).isEqualTo("sandbox-first-payment");
        assertThat(seed.getLong("orderId")).isEqualTo(1);
    }

    @Test
    void billingOnTheSeededKeyChargesAndSendsPaymentWebhook() {
        JsonObject before = kit.stats();
        String partnerOrderId = orderId();
        HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, partnerOrderId, 9900);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonObject answer = SteppayTestKit.json(r);
        String idKey = answer.getString("idKey");
        assertThat(idKey).matches(ID_KEY_SHAPE).isNotEqualTo(SteppayTestKit.SEED);
        assertThat(answer.getString("paymentStatus")).isEqualTo("COMPLETE");
        assertThat(answer.getString("paymentMethod")).isEqualTo("CARD_BILL");
        assertThat(answer.getLong("amount")).isEqualTo(9900);
        assertThat(answer.getString("orderCode")).startsWith("order_");
        assertThat(answer.getString("paymentDate")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*");

        JsonObject receipt = kit.receipt(idKey);
        assertThat(receipt.getString("paymentStatus")).isEqualTo("COMPLETE");
        assertThat(receipt.getString("partnerOrderId")).isEqualTo(partnerOrderId);
        assertThat(receipt.getString("partnerUserId")).isEqualTo("user-1");
        assertThat(receipt.getString("itemName")).isEqualTo("Monthly plan");
        assertThat(receipt.getLong("amount")).isEqualTo(9900);
        assertThat(receipt.getLong("canceledAmount")).isZero();
        assertThat(receipt.getJsonArray("cancelHistory")).isEmpty();

        SteppayTestKit.Webhook hook = kit.awaitWebhook("PAYMENT", idKey);
        assertThat(hook.path()).isEqualTo("/webhooks/steppay");
        assertThat(hook.contentType()).startsWith("application/json");
        assertThat(hook.body()).isEqualTo("{\"webHookType\":\"PAYMENT\",\"orderId\":" + receipt.getLong("orderId")
                + ",\"idKey\":\"" + idKey + "\"}");

        JsonObject after = kit.stats();
        assertThat(after.getLong("charges")).isGreaterThanOrEqualTo(before.getLong("charges") + 1);
        assertThat(after.getLong("paid")).isGreaterThanOrEqualTo(before.getLong("paid") + 1);
        assertThat(after.getLong("requests")).isGreaterThan(before.getLong("requests"));
    }

    @Test
    void amountMayBeANumericString() {
        HttpResponse<String> r = kit.post("/api/payment/billing",
                SteppayTestKit.billingBody(SteppayTestKit.SEED, orderId(), "1500"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(SteppayTestKit.json(r).getLong("amount")).isEqualTo(1500);
    }

    @Test
    void invalidBillingRequestsAre400NamingTheFields() {
        HttpResponse<String> r = kit.post("/api/payment/billing", new JsonObject()
                .put("partner", new JsonObject().put("partnerUserId", "u")).put("product", new JsonObject()).encode());
        assertError(r, 400, "INVALID_REQUEST");
        JsonArray details = SteppayTestKit.json(r).getJsonArray("details");
        List<String> fields = new ArrayList<>();
        details.forEach(d -> fields.add(((JsonObject) d).getString("field")));
        assertThat(fields).containsExactlyInAnyOrder("idKey", "partner.partnerOrderId", "product.amount");

        for (Object bad : new Object[] {0, -100, 100.5, "100.5", "1e3", "abc", true}) {
            HttpResponse<String> rr = kit.post("/api/payment/billing",
                    SteppayTestKit.billingBody(SteppayTestKit.SEED, orderId(), bad));
            assertError(rr, 400, "INVALID_REQUEST");
            assertThat(rr.body()).as("amount " + bad).contains("product.amount");
        }
        assertError(kit.post("/api/payment/billing", "not json"), 400, "INVALID_REQUEST");
        assertError(kit.post("/api/payment/billing", "[1,2]"), 400, "INVALID_REQUEST");
        assertError(kit.post("/api/payment/billing", new JsonObject(SteppayTestKit.billingBody(SteppayTestKit.SEED,
                orderId(), 1000)).put("discount", -1).encode()), 400, "INVALID_REQUEST");
    }

    @Test
    void unknownBillingKeyIsRefused() {
        long charges = kit.stats().getLong("charges");
        assertError(kit.billing("1605793241347NoSuchKey0000000", orderId(), 1000), 400, "BILLING_KEY_NOT_FOUND");
        assertThat(kit.stats().getLong("charges")).isEqualTo(charges);
    }

    @Test
    void onlyBillMethodsIssueBillingKeys() {
        String card = kit.firstPayment(orderId(), 1000, "CARD").getString("idKey");
        kit.awaitWebhook("PAYMENT", card);
        assertError(kit.billing(card, orderId(), 1000), 400, "BILLING_KEY_NOT_FOUND");

        String cardBill = kit.firstPayment(orderId(), 0, "CARD_BILL").getString("idKey");
        assertThat(kit.billing(cardBill, orderId(), 1000).statusCode()).isEqualTo(200);
    }

    @Test
    void repeatedPartnerOrderIdChargesAgain() {
        long charges = kit.stats().getLong("charges");
        String partnerOrderId = orderId();
        HttpResponse<String> first = kit.billing(SteppayTestKit.SEED, partnerOrderId, 5000);
        HttpResponse<String> second = kit.billing(SteppayTestKit.SEED, partnerOrderId, 5000);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        String a = SteppayTestKit.json(first).getString("idKey");
        String b = SteppayTestKit.json(second).getString("idKey");
        assertThat(a).isNotEqualTo(b);
        assertThat(kit.receipt(a).getString("partnerOrderId")).isEqualTo(partnerOrderId);
        assertThat(kit.receipt(b).getString("partnerOrderId")).isEqualTo(partnerOrderId);
        assertThat(kit.stats().getLong("charges")).isGreaterThanOrEqualTo(charges + 2);
        assertThat(kit.sandbox.steppay().charges()).isGreaterThanOrEqualTo(charges + 2);
    }

    @Test
    void declineIs400StoresFailedAndSendsFailedWebhook() {
        long failed = kit.stats().getLong("failed");
        String partnerOrderId = orderId();
        HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, partnerOrderId, TestAmounts.DECLINE);
        assertError(r, 400, "PAYMENT_FAILED");
        assertThat(SteppayTestKit.json(r).getString("errorMessage")).contains("거절");

        SteppayTestKit.Webhook hook = await().atMost(Duration.ofSeconds(5)).until(
                () -> kit.webhooks.stream().filter(w -> w.type().equals("FAILED")
                        && kit.receipt(w.idKey()).getString("partnerOrderId").equals(partnerOrderId)).findFirst(),
                java.util.Optional::isPresent).get();
        JsonObject receipt = kit.receipt(hook.idKey());
        assertThat(receipt.getString("paymentStatus")).isEqualTo("FAILED");
        assertThat(receipt.getLong("amount")).isEqualTo(TestAmounts.DECLINE);
        assertThat(kit.stats().getLong("failed")).isGreaterThanOrEqualTo(failed + 1);
        // A failed payment is neither cancellable nor a billing key, and paid nothing.
        assertError(kit.cancel(hook.idKey(), 100), 400, "NOT_CANCELLABLE");
        assertError(kit.billing(hook.idKey(), orderId(), 1000), 400, "BILLING_KEY_NOT_FOUND");
        assertThat(SteppayTestKit.json(kit.get("/api/v1/orders/" + receipt.getLong("orderId"))).getLong("paidAmount"))
                .isZero();
    }

    @Test
    void serverErrorIs500AndChargesNothing() {
        JsonObject before = kit.stats();
        String partnerOrderId = orderId();
        assertError(kit.billing(SteppayTestKit.SEED, partnerOrderId, TestAmounts.SERVER_ERROR), 500,
                "INTERNAL_SERVER_ERROR");
        JsonObject after = kit.stats();
        assertThat(after.getLong("charges")).isEqualTo(before.getLong("charges"));
        assertThat(after.getLong("paid")).isEqualTo(before.getLong("paid"));

        // A later charge's webhook arrives; none ever named a payment of the failed call.
        String later = SteppayTestKit.json(kit.billing(SteppayTestKit.SEED, orderId(), 1000)).getString("idKey");
        kit.awaitWebhook("PAYMENT", later);
        assertThat(kit.webhooks).noneMatch(w -> partnerOrderId.equals(kit.receipt(w.idKey()).getString("partnerOrderId")));
    }

    @Test
    void virtualAccountWaitsForDeposit() {
        HttpResponse<String> r = kit.billing(SteppayTestKit.SEED, orderId(), TestAmounts.VIRTUAL_ACCOUNT);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject answer = SteppayTestKit.json(r);
        String idKey = answer.getString("idKey");
        assertThat(answer.getString("paymentStatus")).isEqualTo("VIRTUAL_BANK_STANDBY");
        assertThat(answer.getString("paymentMethod")).isEqualTo("VBANK");
        kit.awaitWebhook("VBANK", idKey);
        assertThat(kit.find("PAYMENT", idKey)).isEmpty();
        assertThat(SteppayTestKit.json(kit.get("/api/v1/orders/" + answer.getString("orderCode"))).getLong("paidAmount"))
                .isZero();
        assertError(kit.cancel(idKey, 100), 400, "NOT_CANCELLABLE");

        long paid = kit.stats().getLong("paid");
        HttpResponse<String> deposit = kit.send(kit.request("/_control/deposit/" + idKey)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(deposit.statusCode()).as(deposit.body()).isEqualTo(200);
        assertThat(kit.receipt(idKey).getString("paymentStatus")).isEqualTo("COMPLETE");
        assertThat(kit.receipt(idKey).getString("paymentDate")).isNotBlank();
        kit.awaitWebhook("PAYMENT", idKey);
        assertThat(kit.stats().getLong("paid")).isGreaterThanOrEqualTo(paid + 1);

        assertError(kit.send(kit.request("/_control/deposit/" + idKey).POST(HttpRequest.BodyPublishers.noBody())),
                400, "NOT_VIRTUAL_BANK_STANDBY");
        assertError(kit.send(kit.request("/_control/deposit/nope").POST(HttpRequest.BodyPublishers.noBody())),
                404, "PAYMENT_NOT_FOUND");
    }

    // ---- lookups ----

    @Test
    void receiptAndOrderLookups() {
        JsonObject paid = SteppayTestKit.json(kit.billing(SteppayTestKit.SEED, orderId(), 12000));
        long orderId = paid.getLong("orderId");
        for (String key : new String[] {String.valueOf(orderId), paid.getString("orderCode")}) {
            HttpResponse<String> r = kit.get("/api/v1/orders/" + key);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
            JsonObject order = SteppayTestKit.json(r);
            assertThat(order.getLong("id")).isEqualTo(orderId);
            assertThat(order.getString("orderCode")).isEqualTo(paid.getString("orderCode"));
            assertThat(order.getString("idKey")).isEqualTo(paid.getString("idKey"));
            assertThat(order.getLong("paidAmount")).isEqualTo(12000);
            assertThat(order.getLong("returnedAmount")).isZero();
            assertThat(order.getJsonObject("payment").getLong("amount")).isEqualTo(12000);
            assertThat(order.getJsonObject("payment").getString("paymentMethod")).isEqualTo("CARD_BILL");
            assertThat(order.getJsonObject("payment").getString("paymentDate")).isEqualTo(paid.getString("paymentDate"));
        }
        assertThat(kit.receipt(paid.getString("idKey")).fieldNames()).containsExactly("idKey", "orderId", "orderCode",
                "partnerOrderId", "partnerUserId", "paymentStatus", "paymentMethod", "amount", "canceledAmount",
                "itemName", "paymentDate", "cancelHistory");

        assertError(kit.get("/api/payment/receipt/1605793241347NoSuchKey0000000"), 404, "PAYMENT_NOT_FOUND");
        assertError(kit.get("/api/v1/orders/999999999"), 404, "ORDER_NOT_FOUND");
        assertError(kit.get("/api/v1/orders/order_nope"), 404, "ORDER_NOT_FOUND");
        assertError(kit.get("/api/nothing/here"), 404, "NOT_FOUND");
    }

    // ---- cancel ----

    @Test
    void partialThenFullCancel() {
        JsonObject first = kit.firstPayment(orderId(), 1000, "CARD_BILL");
        String idKey = first.getString("idKey");
        long cancels = kit.stats().getLong("cancels");

        HttpResponse<String> r = kit.cancel(idKey, "300");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject answer = SteppayTestKit.json(r);
        assertThat(answer.getString("result")).isEqualTo("SUCCESS");
        assertThat(answer.getInteger("code")).isEqualTo(200);
        assertThat(answer.getString("message")).isEqualTo("취소 성공");
        assertThat(answer.getLong("id")).isEqualTo(first.getLong("orderId"));
        JsonObject response = answer.getJsonObject("response");
        assertThat(response.getString("tid")).isNotBlank();
        assertThat(response.getString("paymentReceiptUrl")).startsWith("http://").endsWith("/receipt/" + idKey);
        JsonObject cancelPayment = response.getJsonObject("cancelPayment");
        assertThat(cancelPayment.getLong("canceledAmount")).isEqualTo(300);
        assertThat(cancelPayment.getString("paymentStatus")).isEqualTo("PARTIAL_CANCELED");
        assertThat(cancelPayment.getString("tid")).isNotBlank();
        assertThat(cancelPayment.getString("canceledDate")).isNotBlank();

        JsonObject receipt = kit.receipt(idKey);
        assertThat(receipt.getString("paymentStatus")).isEqualTo("PARTIAL_CANCELED");
        assertThat(receipt.getLong("canceledAmount")).isEqualTo(300);
        assertThat(receipt.getJsonArray("cancelHistory")).hasSize(1);
        assertThat(receipt.getJsonArray("cancelHistory").getJsonObject(0).getLong("canceledAmount")).isEqualTo(300);
        assertThat(SteppayTestKit.json(kit.get("/api/v1/orders/" + first.getLong("orderId"))).getLong("returnedAmount"))
                .isEqualTo(300);
        kit.awaitWebhook("CANCELED", idKey);

        HttpResponse<String> rest = kit.cancel(idKey, 700);
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
        assertThat(SteppayTestKit.json(rest).getJsonObject("response").getJsonObject("cancelPayment")
                .getString("paymentStatus")).isEqualTo("CANCELED");
        receipt = kit.receipt(idKey);
        assertThat(receipt.getString("paymentStatus")).isEqualTo("CANCELED");
        assertThat(receipt.getLong("canceledAmount")).isEqualTo(1000);
        assertThat(receipt.getJsonArray("cancelHistory")).hasSize(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.find("CANCELED", idKey).size() == 2);
        assertThat(kit.stats().getLong("cancels")).isGreaterThanOrEqualTo(cancels + 2);

        assertError(kit.cancel(idKey, 1), 400, "NOT_CANCELLABLE");
    }

    @Test
    void invalidCancelAmounts() {
        String idKey = kit.firstPayment(orderId(), 1000, "CARD_BILL").getString("idKey");
        assertError(kit.cancel(idKey, 1001), 400, "INVALID_CANCEL_AMOUNT");
        assertError(kit.cancel(idKey, "1001"), 400, "INVALID_CANCEL_AMOUNT");
        assertError(kit.cancel(idKey, 0), 400, "INVALID_CANCEL_AMOUNT");
        assertError(kit.cancel(idKey, "-5"), 400, "INVALID_CANCEL_AMOUNT");
        for (Object bad : new Object[] {12.5, "12.5", "abc", "", null}) {
            assertError(kit.cancel(idKey, bad), 400, "INVALID_REQUEST");
        }
        assertError(kit.post("/api/internal/payment/cancel", "{\"requestPrice\": 1}"), 400, "INVALID_REQUEST");
        assertError(kit.cancel("1605793241347NoSuchKey0000000", 100), 404, "PAYMENT_NOT_FOUND");
        JsonObject receipt = kit.receipt(idKey);
        assertThat(receipt.getLong("canceledAmount")).isZero();
        assertThat(receipt.getString("paymentStatus")).isEqualTo("COMPLETE");

        assertThat(kit.cancel(idKey, 400).statusCode()).isEqualTo(200);
        assertError(kit.cancel(idKey, 601), 400, "INVALID_CANCEL_AMOUNT");
        assertThat(kit.cancel(idKey, "600").statusCode()).isEqualTo(200);
    }

    @Test
    void concurrentCancelsNeverExceedTheAmount() {
        String idKey = kit.firstPayment(orderId(), 1000, "CARD_BILL").getString("idKey");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            HttpRequest request = kit.request("/api/internal/payment/cancel")
                    .header("Secret-Token", SteppayTestKit.TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            new JsonObject().put("idKey", idKey).put("requestPrice", "100").encode()))
                    .build();
            calls.add(kit.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        long ok = calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
        assertThat(ok).isEqualTo(10);
        JsonObject receipt = kit.receipt(idKey);
        assertThat(receipt.getLong("canceledAmount")).isEqualTo(1000);
        assertThat(receipt.getString("paymentStatus")).isEqualTo("CANCELED");
        assertThat(receipt.getJsonArray("cancelHistory")).hasSize(10);
    }

    // ---- first payment control ----

    @Test
    void userCanceledFirstPayment() {
        HttpResponse<String> r = kit.postWith("/_control/first-payment", new JsonObject()
                .put("partnerOrderId", orderId()).put("amount", 1000).put("outcome", "USER_CANCELED").encode());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject receipt = SteppayTestKit.json(r);
        String idKey = receipt.getString("idKey");
        assertThat(receipt.getString("paymentStatus")).isEqualTo("USER_CANCELED");
        assertThat(receipt.getString("paymentMethod")).isEqualTo("CARD_BILL");
        kit.awaitWebhook("USER_CANCELED", idKey);
        assertThat(kit.find("PAYMENT", idKey)).isEmpty();
        assertError(kit.billing(idKey, orderId(), 1000), 400, "BILLING_KEY_NOT_FOUND");
        assertError(kit.cancel(idKey, 100), 400, "NOT_CANCELLABLE");
    }

    @Test
    void firstPaymentIsCompleteAndAnnounced() {
        JsonObject receipt = kit.firstPayment("first-" + UUID.randomUUID(), 2000, "CMS_BILL");
        assertThat(receipt.getString("paymentStatus")).isEqualTo("COMPLETE");
        assertThat(receipt.getString("paymentMethod")).isEqualTo("CMS_BILL");
        assertThat(receipt.getString("idKey")).matches(ID_KEY_SHAPE);
        kit.awaitWebhook("PAYMENT", receipt.getString("idKey"));

        HttpResponse<String> bad = kit.postWith("/_control/first-payment", new JsonObject()
                .put("partnerOrderId", orderId()).put("amount", 1000).put("paymentMethod", "GOLD").encode());
        assertError(bad, 400, "INVALID_REQUEST");
        assertThat(bad.body()).contains("paymentMethod");
    }

    @Test
    void oversizedBodyIsRefused() {
        String huge = "{\"idKey\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        HttpResponse<String> r = kit.post("/api/payment/billing", huge);
        assertError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(kit.receipt(SteppayTestKit.SEED).getString("paymentStatus")).isEqualTo("COMPLETE");
    }
}
