package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The iamport simulator's charges, lookups and webhooks, over real HTTP. */
class IamportSimulatorTest extends IamportTestSupport {

    // ---- charges

    @Test
    void onetimeJsonChargeIsPaidWithTheFullPaymentShapeAndSendsThePaidWebhook() {
        String token = token();
        long before = System.currentTimeMillis() / 1000;
        Answer a = postJson("/subscribe/payments/onetime", token, onetime("order-1", 10_000));

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(a.code()).isZero();
        assertThat(a.body().get("message").isNull()).isTrue();
        JsonNode p = a.response();
        assertThat(p.get("imp_uid").asText()).matches("imp_\\d{12}");
        assertThat(p.get("merchant_uid").asText()).isEqualTo("order-1");
        assertThat(p.get("amount").isIntegralNumber()).isTrue();
        assertThat(p.get("amount").asLong()).isEqualTo(10_000);
        assertThat(p.get("cancel_amount").asLong()).isZero();
        assertThat(p.get("currency").asText()).isEqualTo("KRW");
        assertThat(p.get("status").asText()).isEqualTo("paid");
        assertThat(p.get("pay_method").asText()).isEqualTo("card");
        assertThat(p.get("pg_provider").asText()).isEqualTo("settle");
        assertThat(p.get("pg_tid").asText()).isNotBlank();
        assertThat(p.get("apply_num").asText()).matches("\\d{8}");
        assertThat(p.get("card_number").asText()).isEqualTo("1234-56**-****-3456");
        assertThat(p.get("card_name").asText()).isNotBlank();
        assertThat(p.get("customer_uid").isNull()).isTrue();
        assertThat(p.get("name").asText()).isEqualTo("월 구독");
        assertThat(p.get("fail_reason").isNull()).isTrue();
        assertThat(p.get("cancel_history")).isEmpty();
        assertThat(p.get("started_at").asLong()).isGreaterThanOrEqualTo(before);
        assertThat(p.get("paid_at").asLong()).isGreaterThanOrEqualTo(before);
        assertThat(p.get("failed_at").asLong()).isZero();
        assertThat(p.get("cancelled_at").asLong()).isZero();
        assertThat(p.get("vbank_num").isNull()).isTrue();
        assertThat(p.get("vbank_date").isNull()).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-1").size() == 1);
        Webhook w = webhooksFor("order-1").get(0);
        assertThat(w.path()).isEqualTo("/webhooks/iamport");
        assertThat(w.contentType()).startsWith("application/json");
        assertThat(w.json().get("imp_uid").asText()).isEqualTo(p.get("imp_uid").asText());
        assertThat(w.json().get("merchant_uid").asText()).isEqualTo("order-1");
        assertThat(w.json().get("status").asText()).isEqualTo("paid");
        assertThat(w.json().has("cancellation_id")).isFalse();
        assertThat(stats().get("charges").asLong()).isEqualTo(1);
        assertThat(stats().get("paid").asLong()).isEqualTo(1);
    }

    @Test
    void formBodiesWorkAndOnetimeWithCustomerUidStoresABillingKeyThatAgainCharges() {
        String token = token();
        Map<String, Object> first = onetime("order-bk-1", 9_900);
        first.put("customer_uid", "cust-1");
        first.put("card_number", "9410123456789012"); // bare digits are accepted too
        Answer a = postForm("/subscribe/payments/onetime", token, first);
        assertThat(a.code()).isZero();
        assertThat(a.response().get("customer_uid").asText()).isEqualTo("cust-1");
        assertThat(a.response().get("card_number").asText()).isEqualTo("941012******9012");

        Answer again = postForm("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-1", "merchant_uid", "order-bk-2", "amount", "9900", "name", "2회차",
                        "buyer_name", "홍길동", "buyer_email", "a@b.kr", "buyer_tel", "010-1234-5678"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.code()).isZero();
        JsonNode p = again.response();
        assertThat(p.get("status").asText()).isEqualTo("paid");
        assertThat(p.get("amount").asLong()).isEqualTo(9_900);
        assertThat(p.get("customer_uid").asText()).isEqualTo("cust-1");
        assertThat(p.get("card_number").asText()).isEqualTo("941012******9012");
        assertThat(p.get("buyer_name").asText()).isEqualTo("홍길동");
        assertThat(p.get("buyer_email").asText()).isEqualTo("a@b.kr");
        assertThat(p.get("buyer_tel").asText()).isEqualTo("010-1234-5678");

        // a second onetime with the same customer_uid replaces the stored card
        Map<String, Object> replace = onetime("order-bk-3", 1_000);
        replace.put("customer_uid", "cust-1");
        replace.put("card_number", "5555-4444-3333-2222");
        assertThat(postJson("/subscribe/payments/onetime", token, replace).code()).isZero();
        Answer third = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-1", "merchant_uid", "order-bk-4", "amount", 1_000, "name", "3회차"));
        assertThat(third.response().get("card_number").asText()).isEqualTo("5555-44**-****-2222");
    }

    @Test
    void againWithAnUnknownCustomerIsABusinessError() {
        Answer a = postJson("/subscribe/payments/again", token(),
                Map.of("customer_uid", "nobody", "merchant_uid", "order-x", "amount", 1_000, "name", "n"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.code()).isEqualTo(-1);
        assertThat(a.message()).isEqualTo("등록되지 않은 구매자입니다.");
        assertThat(a.response().isNull()).isTrue();
        assertThat(stats().get("charges").asLong()).isZero();
    }

    @Test
    void invalidParametersAre400NamingTheParameter() {
        String token = token();
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[]{"merchant_uid", without(onetime("o", 1000), "merchant_uid")});
        cases.add(new Object[]{"merchant_uid", with(onetime("o", 1000), "merchant_uid", "m".repeat(41))});
        cases.add(new Object[]{"amount", without(onetime("o", 1000), "amount")});
        cases.add(new Object[]{"amount", with(onetime("o", 1000), "amount", 0)});
        cases.add(new Object[]{"amount", with(onetime("o", 1000), "amount", -5)});
        cases.add(new Object[]{"amount", with(onetime("o", 1000), "amount", 1000.5)});
        cases.add(new Object[]{"amount", with(onetime("o", 1000), "amount", "1,000")});
        cases.add(new Object[]{"card_number", without(onetime("o", 1000), "card_number")});
        cases.add(new Object[]{"card_number", with(onetime("o", 1000), "card_number", "1234-5678-9012")});
        cases.add(new Object[]{"expiry", without(onetime("o", 1000), "expiry")});
        cases.add(new Object[]{"expiry", with(onetime("o", 1000), "expiry", "2030-13")});
        cases.add(new Object[]{"birth", with(onetime("o", 1000), "birth", "8001011")});
        cases.add(new Object[]{"pwd_2digit", with(onetime("o", 1000), "pwd_2digit", "123")});
        cases.add(new Object[]{"customer_uid", with(onetime("o", 1000), "customer_uid", "c".repeat(81))});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Answer a = postJson("/subscribe/payments/onetime", token, (Map<String, Object>) c[1]);
            assertThat(a.status()).as("%s in %s", c[0], c[1]).isEqualTo(400);
            assertThat(a.code()).isEqualTo(-1);
            assertThat(a.message()).as("%s in %s", c[0], c[1]).contains((String) c[0]);
            assertThat(a.response().isNull()).isTrue();
        }
        // a form amount that is not a number, and again without its name
        Answer form = postForm("/subscribe/payments/onetime", token, with(onetime("o", 1000), "amount", "abc"));
        assertThat(form.status()).isEqualTo(400);
        assertThat(form.message()).contains("amount");
        Answer again = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "c", "merchant_uid", "o", "amount", 1000));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.message()).contains("name");
        Answer malformed = postRaw("/subscribe/payments/onetime", token, "application/json", "{not json");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(stats().get("charges").asLong()).isZero();
    }

    @Test
    void declinedOnetimeIsCodeMinusOneButStoredAsFailedWithoutBillingKeyOrWebhook() {
        String token = token();
        Map<String, Object> body = onetime("order-decline", TestAmounts.DECLINE);
        body.put("customer_uid", "cust-declined");
        Answer a = postJson("/subscribe/payments/onetime", token, body);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.code()).isEqualTo(-1);
        assertThat(a.message()).isEqualTo("카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림");
        assertThat(a.response().isNull()).isTrue();

        Answer found = get("/payments/find/order-decline", token);
        assertThat(found.code()).isZero();
        assertThat(found.response().get("status").asText()).isEqualTo("failed");
        assertThat(found.response().get("fail_reason").asText()).isEqualTo(a.message());
        assertThat(found.response().get("failed_at").asLong()).isPositive();
        assertThat(found.response().get("paid_at").asLong()).isZero();

        Answer again = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-declined", "merchant_uid", "order-after-decline", "amount", 1000, "name", "n"));
        assertThat(again.message()).isEqualTo("등록되지 않은 구매자입니다.");

        // a paid charge afterwards proves webhooks flow; the failed one never sends one
        assertThat(postJson("/subscribe/payments/onetime", token, onetime("order-marker", 1000)).code()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> !webhooksFor("order-marker").isEmpty());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> webhooksFor("order-decline").isEmpty());
        assertThat(stats().get("charges").asLong()).isEqualTo(2);
        assertThat(stats().get("failed").asLong()).isEqualTo(1);
    }

    @Test
    void declinedAgainIsCodeZeroWithAFailedPaymentAndNoWebhook() {
        String token = token();
        Map<String, Object> first = onetime("order-first", 1000);
        first.put("customer_uid", "cust-2");
        assertThat(postJson("/subscribe/payments/onetime", token, first).code()).isZero();
        Answer a = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-2", "merchant_uid", "order-again-decline", "amount", TestAmounts.DECLINE, "name", "n"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.code()).isZero();
        assertThat(a.response().get("status").asText()).isEqualTo("failed");
        assertThat(a.response().get("fail_reason").asText()).isNotBlank();
        assertThat(a.response().get("apply_num").isNull()).isTrue();
        assertThat(get("/payments/" + a.response().get("imp_uid").asText(), token).response().get("status").asText())
                .isEqualTo("failed");
        await().atMost(Duration.ofSeconds(5)).until(() -> !webhooksFor("order-first").isEmpty());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> webhooksFor("order-again-decline").isEmpty());
        assertThat(stats().get("failed").asLong()).isEqualTo(1);
    }

    @Test
    void aMerchantUidUsedByAnyEarlierPaymentIsRefused() {
        String token = token();
        Answer paid = postJson("/subscribe/payments/onetime", token, onetime("order-dup", 1000));
        Answer dup = postJson("/subscribe/payments/onetime", token, onetime("order-dup", 2000));
        assertThat(dup.status()).isEqualTo(200);
        assertThat(dup.code()).isEqualTo(-1);
        assertThat(dup.message()).contains("중복 결제 방지").contains("merchant_uid");
        assertThat(dup.response().isNull()).isTrue();

        postJson("/subscribe/payments/onetime", token, onetime("order-dup-failed", TestAmounts.DECLINE));
        assertThat(postJson("/subscribe/payments/onetime", token, onetime("order-dup-failed", 1000)).message())
                .contains("중복 결제 방지");

        Map<String, Object> withCustomer = onetime("order-dup-c", 1000);
        withCustomer.put("customer_uid", "cust-dup");
        postJson("/subscribe/payments/onetime", token, withCustomer);
        Answer againDup = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-dup", "merchant_uid", "order-dup", "amount", 1000, "name", "n"));
        assertThat(againDup.code()).isEqualTo(-1);
        assertThat(againDup.message()).contains("중복 결제 방지");

        Answer found = get("/payments/find/order-dup", token);
        assertThat(found.response().get("imp_uid").asText()).isEqualTo(paid.response().get("imp_uid").asText());
        assertThat(found.response().get("amount").asLong()).isEqualTo(1000);
        assertThat(stats().get("charges").asLong()).isEqualTo(3);
    }

    @Test
    void concurrentChargesWithOneMerchantUidMakeExactlyOnePayment() {
        String token = token();
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(postJsonAsync("/subscribe/payments/onetime", token, onetime("order-race", 5000)));
        }
        List<Answer> answers = calls.stream().map(CompletableFuture::join).toList();
        assertThat(answers).filteredOn(a -> a.code() == 0).hasSize(1);
        assertThat(answers).filteredOn(a -> a.code() == -1 && a.message().contains("중복")).hasSize(19);
        JsonNode stats = stats();
        assertThat(stats.get("charges").asLong()).isEqualTo(1);
        assertThat(stats.get("paid").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-race").size() == 1);
    }

    @Test
    void hangChargesButAnswersOnlyAfterTheCallerGaveUp() {
        String token = token();
        var request = request("/subscribe/payments/onetime", token, Duration.ofMillis(500))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json(onetime("order-hang", TestAmounts.HANG))))
                .build();
        assertThatThrownBy(() -> http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        Answer found = get("/payments/find/order-hang", token);
        assertThat(found.code()).isZero();
        assertThat(found.response().get("status").asText()).isEqualTo("paid");
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-hang").size() == 1);
        assertThat(stats().get("charges").asLong()).isEqualTo(1);
    }

    @Test
    void hangAnswersEventuallyForAPatientCaller() {
        long started = System.nanoTime();
        Answer a = postJson("/subscribe/payments/onetime", token(), onetime("order-hang-patient", TestAmounts.HANG));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(a.code()).isZero();
        assertThat(a.response().get("status").asText()).isEqualTo("paid");
    }

    @Test
    void serverErrorIs500AndStoresNothing() {
        String token = token();
        Answer a = postJson("/subscribe/payments/onetime", token, onetime("order-500", TestAmounts.SERVER_ERROR));
        assertThat(a.status()).isEqualTo(500);
        assertThat(a.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(a.body().toString()).isEqualTo("{\"code\":-1,\"message\":\"Internal Server Error\",\"response\":null}");
        assertThat(get("/payments/find/order-500", token).status()).isEqualTo(404);

        Map<String, Object> first = onetime("order-500-bk", 1000);
        first.put("customer_uid", "cust-500");
        postJson("/subscribe/payments/onetime", token, first);
        Answer again = postJson("/subscribe/payments/again", token,
                Map.of("customer_uid", "cust-500", "merchant_uid", "order-500-again", "amount", TestAmounts.SERVER_ERROR, "name", "n"));
        assertThat(again.status()).isEqualTo(500);
        assertThat(get("/payments/find/order-500-again", token).status()).isEqualTo(404);
        assertThat(stats().get("charges").asLong()).isEqualTo(1);
        // the merchant_uid stays free: a retry after the 500 can charge
        assertThat(postJson("/subscribe/payments/onetime", token, onetime("order-500", 1000)).code()).isZero();
    }

    @Test
    void virtualAccountIsReadyUntilTheDepositThenPaid() {
        String token = token();
        long now = System.currentTimeMillis() / 1000;
        Answer a = postJson("/subscribe/payments/onetime", token, onetime("order-vbank", TestAmounts.VIRTUAL_ACCOUNT));
        assertThat(a.code()).isZero();
        JsonNode p = a.response();
        String impUid = p.get("imp_uid").asText();
        assertThat(p.get("status").asText()).isEqualTo("ready");
        assertThat(p.get("pay_method").asText()).isEqualTo("vbank");
        assertThat(p.get("vbank_num").asText()).matches("\\d+");
        assertThat(p.get("vbank_name").asText()).isNotBlank();
        assertThat(p.get("vbank_holder").asText()).isNotBlank();
        assertThat(p.get("vbank_date").asLong()).isBetween(now + 3 * 86_400 - 5, now + 3 * 86_400 + 5);
        assertThat(p.get("paid_at").asLong()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-vbank").size() == 1);
        assertThat(webhooksFor("order-vbank").get(0).json().get("status").asText()).isEqualTo("ready");

        // not cancellable while waiting for the deposit
        assertThat(postJson("/payments/cancel", token, Map.of("imp_uid", impUid)).code()).isEqualTo(1);

        Answer deposit = postJson("/_control/deposit/" + impUid, null, Map.of());
        assertThat(deposit.code()).isZero();
        assertThat(deposit.response().get("status").asText()).isEqualTo("paid");
        assertThat(deposit.response().get("paid_at").asLong()).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-vbank").size() == 2);
        assertThat(webhooksFor("order-vbank")).extracting(w -> w.json().get("status").asText())
                .containsExactlyInAnyOrder("ready", "paid");
        assertThat(get("/payments/" + impUid, token).response().get("status").asText()).isEqualTo("paid");
        assertThat(postJson("/_control/deposit/" + impUid, null, Map.of()).code()).isEqualTo(1);
        assertThat(postJson("/_control/deposit/imp_000000000000", null, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void noticeUrlOverridesTheWebhookAddress() {
        Map<String, Object> body = onetime("order-notice", 1000);
        body.put("notice_url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/custom/notice");
        assertThat(postJson("/subscribe/payments/onetime", token(), body).code()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-notice").size() == 1);
        assertThat(webhooksFor("order-notice").get(0).path()).isEqualTo("/custom/notice");
    }

    // ---- lookups

    @Test
    void lookupsOfUnknownPaymentsAre404() {
        String token = token();
        Answer byImp = get("/payments/imp_000000000000", token);
        assertThat(byImp.status()).isEqualTo(404);
        assertThat(byImp.body().toString()).isEqualTo("{\"code\":-1,\"message\":\"존재하지 않는 결제정보입니다.\",\"response\":null}");
        assertThat(get("/payments/find/nope", token).status()).isEqualTo(404);
        assertThat(get("/payments/find/nope/paid", token).status()).isEqualTo(404);
    }

    @Test
    void findFiltersByStatus() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-find", 1000))
                .response().get("imp_uid").asText();
        assertThat(get("/payments/" + impUid, token).response().get("merchant_uid").asText()).isEqualTo("order-find");
        assertThat(get("/payments/find/order-find", token).response().get("imp_uid").asText()).isEqualTo(impUid);
        assertThat(get("/payments/find/order-find/paid", token).response().get("imp_uid").asText()).isEqualTo(impUid);
        assertThat(get("/payments/find/order-find/cancelled", token).status()).isEqualTo(404);
        assertThat(get("/payments/find/order-find/bogus", token).status()).isEqualTo(400);
    }

    // ---- cancels

    @Test
    void partialThenFullCancel() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-cancel", 10_000))
                .response().get("imp_uid").asText();

        Answer partial = postJson("/payments/cancel", token,
                Map.of("imp_uid", impUid, "amount", 3_000, "checksum", 10_000, "reason", "부분환불"));
        assertThat(partial.code()).isZero();
        JsonNode p = partial.response();
        assertThat(p.get("status").asText()).isEqualTo("paid");
        assertThat(p.get("cancel_amount").asLong()).isEqualTo(3_000);
        assertThat(p.get("cancel_reason").asText()).isEqualTo("부분환불");
        assertThat(p.get("cancel_history")).hasSize(1);
        JsonNode h = p.get("cancel_history").get(0);
        assertThat(h.get("amount").asLong()).isEqualTo(3_000);
        assertThat(h.get("reason").asText()).isEqualTo("부분환불");
        assertThat(h.get("pg_tid").asText()).isNotBlank();
        assertThat(h.get("cancelled_at").asLong()).isPositive();
        assertThat(h.get("cancellation_id").asText()).isNotBlank();

        // amount absent = all that remains; merchant_uid alone finds the payment (form body)
        Answer full = postForm("/payments/cancel", token, Map.of("merchant_uid", "order-cancel", "checksum", "7000"));
        assertThat(full.code()).isZero();
        JsonNode f = full.response();
        assertThat(f.get("status").asText()).isEqualTo("cancelled");
        assertThat(f.get("cancel_amount").asLong()).isEqualTo(10_000);
        assertThat(f.get("cancelled_at").asLong()).isPositive();
        assertThat(f.get("cancel_history")).hasSize(2);
        assertThat(f.get("cancel_history").get(1).get("amount").asLong()).isEqualTo(7_000);
        assertThat(f.get("cancel_history").get(1).get("cancellation_id").asText())
                .isNotEqualTo(h.get("cancellation_id").asText());

        Answer already = postJson("/payments/cancel", token, Map.of("imp_uid", impUid));
        assertThat(already.status()).isEqualTo(200);
        assertThat(already.code()).isEqualTo(1);
        assertThat(already.message()).isEqualTo("이미 전액취소된 주문입니다.");
        assertThat(already.response().isNull()).isTrue();
        assertThat(get("/payments/find/order-cancel/cancelled", token).code()).isZero();
        assertThat(stats().get("cancels").asLong()).isEqualTo(2);

        // API cancels send no webhook without enable_webhook: only the paid one arrived
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> webhooksFor("order-cancel").size() == 1);
        assertThat(webhooksFor("order-cancel").get(0).json().get("status").asText()).isEqualTo("paid");
    }

    @Test
    void checksumMismatchAndOverCancelCancelNothing() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-checksum", 10_000))
                .response().get("imp_uid").asText();
        Answer mismatch = postJson("/payments/cancel", token, Map.of("imp_uid", impUid, "amount", 1_000, "checksum", 9_999));
        assertThat(mismatch.status()).isEqualTo(200);
        assertThat(mismatch.code()).isEqualTo(1);
        assertThat(mismatch.message()).contains("checksum");
        Answer over = postJson("/payments/cancel", token, Map.of("imp_uid", impUid, "amount", 10_001));
        assertThat(over.code()).isEqualTo(1);
        assertThat(over.response().isNull()).isTrue();
        JsonNode p = get("/payments/" + impUid, token).response();
        assertThat(p.get("cancel_amount").asLong()).isZero();
        assertThat(p.get("cancel_history")).isEmpty();
        assertThat(stats().get("cancels").asLong()).isZero();

        assertThat(postJson("/payments/cancel", token, Map.of("imp_uid", impUid, "amount", 1_000.5)).status()).isEqualTo(400);
        assertThat(postJson("/payments/cancel", token, Map.of("reason", "x")).status()).isEqualTo(400);
        assertThat(postJson("/payments/cancel", token, Map.of("imp_uid", "imp_000000000000")).status()).isEqualTo(404);
        assertThat(postJson("/payments/cancel", token, Map.of("merchant_uid", "nope")).status()).isEqualTo(404);
    }

    @Test
    void cancelOfAFailedPaymentIsRefused() {
        String token = token();
        postJson("/subscribe/payments/onetime", token, onetime("order-failed", TestAmounts.DECLINE));
        Answer a = postJson("/payments/cancel", token, Map.of("merchant_uid", "order-failed"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.code()).isEqualTo(1);
    }

    @Test
    void impUidWinsOverMerchantUid() {
        String token = token();
        String a = postJson("/subscribe/payments/onetime", token, onetime("order-a", 1_000)).response().get("imp_uid").asText();
        postJson("/subscribe/payments/onetime", token, onetime("order-b", 1_000));
        Answer c = postJson("/payments/cancel", token, Map.of("imp_uid", a, "merchant_uid", "order-b"));
        assertThat(c.response().get("merchant_uid").asText()).isEqualTo("order-a");
        assertThat(get("/payments/find/order-b", token).response().get("status").asText()).isEqualTo("paid");
    }

    @Test
    void concurrentCancelsNeverExceedThePaidAmount() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-cc", 10_000))
                .response().get("imp_uid").asText();
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(postJsonAsync("/payments/cancel", token, Map.of("imp_uid", impUid, "amount", 3_000)));
        }
        List<Answer> answers = calls.stream().map(CompletableFuture::join).toList();
        assertThat(answers).filteredOn(a -> a.code() == 0).hasSize(3);
        assertThat(answers).filteredOn(a -> a.code() == 1).hasSize(17);
        JsonNode p = get("/payments/" + impUid, token).response();
        assertThat(p.get("cancel_amount").asLong()).isEqualTo(9_000);
        assertThat(p.get("status").asText()).isEqualTo("paid");
        Set<String> ids = new HashSet<>();
        p.get("cancel_history").forEach(h -> ids.add(h.get("cancellation_id").asText()));
        assertThat(ids).hasSize(3);

        // a concurrent full cancel of what is left: exactly one wins
        calls.clear();
        for (int i = 0; i < 10; i++) {
            calls.add(postJsonAsync("/payments/cancel", token, Map.of("imp_uid", impUid, "checksum", 1_000)));
        }
        assertThat(calls.stream().map(CompletableFuture::join).filter(a -> a.code() == 0)).hasSize(1);
        assertThat(get("/payments/" + impUid, token).response().get("cancel_amount").asLong()).isEqualTo(10_000);
    }

    @Test
    void apiCancelWithEnableWebhookSendsTheCancelledWebhook() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-cwh", 5_000))
                .response().get("imp_uid").asText();
        Answer c = postForm("/payments/cancel", token, Map.of("imp_uid", impUid, "amount", "2000", "enable_webhook", "true"));
        assertThat(c.code()).isZero();
        String cancellationId = c.response().get("cancel_history").get(0).get("cancellation_id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-cwh").size() == 2);
        JsonNode cancelled = webhooksFor("order-cwh").stream().map(Webhook::json)
                .filter(j -> j.get("status").asText().equals("cancelled")).findFirst().orElseThrow();
        assertThat(cancelled.get("imp_uid").asText()).isEqualTo(impUid);
        assertThat(cancelled.get("cancellation_id").asText()).isEqualTo(cancellationId);
    }

    @Test
    void consoleCancelAlwaysSendsTheCancelledWebhook() {
        String token = token();
        String impUid = postJson("/subscribe/payments/onetime", token, onetime("order-console", 5_000))
                .response().get("imp_uid").asText();
        Answer partial = postJson("/_control/console-cancel/" + impUid, null, Map.of("amount", 1_000));
        assertThat(partial.code()).isZero();
        assertThat(partial.response().get("cancel_amount").asLong()).isEqualTo(1_000);
        Answer rest = postJson("/_control/console-cancel/" + impUid, null, Map.of());
        assertThat(rest.response().get("status").asText()).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-console").size() == 3);
        Set<String> sentIds = new HashSet<>();
        webhooksFor("order-console").stream().map(Webhook::json)
                .filter(j -> j.get("status").asText().equals("cancelled"))
                .forEach(j -> sentIds.add(j.get("cancellation_id").asText()));
        Set<String> historyIds = new HashSet<>();
        rest.response().get("cancel_history").forEach(h -> historyIds.add(h.get("cancellation_id").asText()));
        assertThat(sentIds).hasSize(2).isEqualTo(historyIds);
        assertThat(postJson("/_control/console-cancel/" + impUid, null, Map.of()).message()).isEqualTo("이미 전액취소된 주문입니다.");
        assertThat(postJson("/_control/console-cancel/imp_000000000000", null, Map.of()).status()).isEqualTo(404);
    }

    // ---- small helpers

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, Object> without(Map<String, Object> body, String key) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        copy.remove(key);
        return copy;
    }
}
