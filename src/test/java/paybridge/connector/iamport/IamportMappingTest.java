package paybridge.connector.iamport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Card;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.NotSentException;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorReply;
import paybridge.connector.http.VendorRequest;

/** iamport request and response mapping against the shapes in VENDORS.md. */
class IamportMappingTest {

    private static JsonNode json(VendorRequest r) throws Exception {
        return VendorJson.MAPPER.readTree(r.json());
    }

    private static VendorReply ok(String body) {
        return VendorReply.answer(200, body);
    }

    static final String PAID = """
            {"code":0,"message":null,"response":{"imp_uid":"imp_123456789012","merchant_uid":"ord-1","amount":3000,
             "cancel_amount":0,"currency":"KRW","status":"paid","customer_uid":"cu_1","paid_at":1624322656,
             "failed_at":0,"cancelled_at":0,"fail_reason":null,"cancel_history":[]}}""";

    // ---- requests

    @Test
    void keyInBodyHasEveryFieldAndDashesA16DigitNumber() throws Exception {
        PaymentCommand cmd = IamportRoutesTest.keyIn("ord-1", 3000, "cu_user-42_5f3a");
        VendorRequest r = IamportRequests.keyIn(cmd, "settle");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/subscribe/payments/onetime");
        JsonNode b = json(r);
        assertThat(b.get("merchant_uid").asText()).isEqualTo("ord-1");
        assertThat(b.get("amount").isIntegralNumber()).isTrue();
        assertThat(b.get("amount").asLong()).isEqualTo(3000);
        assertThat(b.get("card_number").asText()).isEqualTo("1234-1234-1234-1234");
        assertThat(b.get("expiry").asText()).isEqualTo("2028-01");
        assertThat(b.get("birth").asText()).isEqualTo("900101");
        assertThat(b.get("pwd_2digit").asText()).isEqualTo("12");
        assertThat(b.get("customer_uid").asText()).isEqualTo("cu_user-42_5f3a");
        assertThat(b.get("pg").asText()).isEqualTo("settle");
        assertThat(b.get("name").asText()).isEqualTo("Premium plan");
        assertThat(b.get("buyer_name").asText()).isEqualTo("홍길동");
        assertThat(b.get("buyer_email").asText()).isEqualTo("gildong@example.kr");
        assertThat(b.get("buyer_tel").asText()).isEqualTo("010-1234-5678");
        // the request's description never shows the body
        assertThat(r.toString()).doesNotContain("1234-1234").doesNotContain("900101");
    }

    @Test
    void cardNumbers() {
        assertThat(IamportRequests.cardNumber(new Card("1234 5678 9012 3456", null, null, null))).isEqualTo("1234-5678-9012-3456");
        assertThat(IamportRequests.cardNumber(new Card("1234567890123456", null, null, null))).isEqualTo("1234-5678-9012-3456");
        assertThat(IamportRequests.cardNumber(new Card("3714-496353-98431", null, null, null))).isEqualTo("371449635398431");
        assertThat(IamportRequests.cardNumber(new Card("36006666333344", null, null, null))).isEqualTo("36006666333344");
    }

    @Test
    void keyInWithoutSavingSendsNoCustomerUid() throws Exception {
        JsonNode b = json(IamportRequests.keyIn(IamportRoutesTest.keyIn("ord-1", 3000, null), "settle"));
        assertThat(b.has("customer_uid")).isFalse();
    }

    @Test
    void againAndCancelAndLookups() throws Exception {
        JsonNode again = json(IamportRequests.again(IamportRoutesTest.again("ord-2", 9900, "cu_1")));
        assertThat(again.get("customer_uid").asText()).isEqualTo("cu_1");
        assertThat(again.get("merchant_uid").asText()).isEqualTo("ord-2");
        assertThat(again.get("amount").asLong()).isEqualTo(9900);
        assertThat(again.get("name").asText()).isEqualTo("Premium plan");
        assertThat(again.get("buyer_tel").asText()).isEqualTo("010-1234-5678");
        assertThat(again.has("card_number")).isFalse();

        JsonNode byRef = json(IamportRequests.cancel(new RefundRequest("rf", "ord-1", "imp_1", 1000, 3000, "why")));
        assertThat(byRef.get("imp_uid").asText()).isEqualTo("imp_1");
        assertThat(byRef.has("merchant_uid")).isFalse();
        assertThat(byRef.get("amount").asLong()).isEqualTo(1000);
        assertThat(byRef.get("checksum").asLong()).isEqualTo(3000);
        assertThat(byRef.get("reason").asText()).isEqualTo("why");
        JsonNode byOrder = json(IamportRequests.cancel(new RefundRequest("rf", "ord-1", null, 1000, 3000, null)));
        assertThat(byOrder.get("merchant_uid").asText()).isEqualTo("ord-1");
        assertThat(byOrder.has("imp_uid")).isFalse();

        assertThat(IamportRequests.findByMerchantUid("ord-1").path()).isEqualTo("/payments/find/ord-1");
        assertThat(IamportRequests.byImpUid("imp_123456789012").path()).isEqualTo("/payments/imp_123456789012");
        assertThatThrownBy(() -> IamportRequests.byImpUid("../users/getToken")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- charge answers

    @Test
    void paidAndFailedAndReady() {
        ChargeOutcome paid = IamportResponses.keyIn(ok(PAID), "cu_1");
        assertThat(paid).isEqualTo(ChargeOutcome.paid("imp_123456789012", "cu_1"));

        ChargeOutcome failed = IamportResponses.again(ok("""
                {"code":0,"message":null,"response":{"imp_uid":"imp_2","merchant_uid":"o","amount":100,"status":"failed",
                 "fail_reason":"[4004] 잔액부족"}}"""), "cu_1");
        assertThat(failed.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo("IAMPORT_FAILED");
        assertThat(failed.failure().message()).isEqualTo("[4004] 잔액부족");
        assertThat(failed.billingKey()).isEqualTo("cu_1");

        ChargeOutcome ready = IamportResponses.keyIn(ok("""
                {"code":0,"message":null,"response":{"imp_uid":"imp_3","amount":100,"status":"ready"}}"""), null);
        assertThat(ready.status()).isEqualTo(ChargeStatus.AWAITING_DEPOSIT);
    }

    @Test
    void codeNotZeroIsADecline() {
        ChargeOutcome o = IamportResponses.keyIn(ok("""
                {"code":-1,"message":"카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림","response":null}"""), "cu_1");
        assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(o.failure().code()).isEqualTo("IAMPORT_REJECTED");
        assertThat(o.failure().message()).contains("[F113]");
        assertThat(o.billingKey()).isNull(); // nothing was stored
    }

    @Test
    void transportOutcomes() {
        assertThat(IamportResponses.keyIn(VendorReply.failed(new ConnectException("refused")), null).status())
                .isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(IamportResponses.keyIn(VendorReply.failed(new ConnectTimeoutException("connect")), null).failure().code())
                .isEqualTo("VENDOR_UNREACHABLE");
        ChargeOutcome timeout = IamportResponses.keyIn(VendorReply.failed(new SocketTimeoutException("read")), null);
        assertThat(timeout.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(timeout.failure().code()).isEqualTo("VENDOR_TIMEOUT");
        ChargeOutcome lost = IamportResponses.keyIn(VendorReply.failed(new NoHttpResponseException("gone")), null);
        assertThat(lost.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(lost.failure().code()).isEqualTo("VENDOR_CONNECTION_LOST");
        ChargeOutcome noToken = IamportResponses.keyIn(VendorReply.failed(new NotSentException("NO_TOKEN", "x", null)), null);
        assertThat(noToken.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(noToken.failure().code()).isEqualTo("NO_TOKEN");
        assertThat(IamportResponses.keyIn(VendorReply.answer(401, "{\"code\":-1,\"message\":\"Unauthorized\"}"), null).status())
                .isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(IamportResponses.keyIn(VendorReply.answer(502, "<html>"), null).failure().code()).isEqualTo("VENDOR_5XX");
        assertThat(IamportResponses.keyIn(ok("not json"), null).status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(IamportResponses.keyIn(ok("{\"code\":0,\"response\":{\"imp_uid\":\"i\",\"status\":\"paid\",\"amount\":10.5}}"), null)
                .status()).isEqualTo(ChargeStatus.PAID); // the charge answer's amount is not read
    }

    // ---- refunds

    @Test
    void cancelAnswerGivesTheUnclaimedCancellationOfTheRequestedAmount() {
        RefundOutcome o = IamportResponses.refund(ok("""
                {"code":0,"message":null,"response":{"imp_uid":"imp_1","amount":10000,"cancel_amount":4000,"status":"paid",
                 "cancel_history":[{"amount":3000,"cancelled_at":1700000000,"reason":"a","cancellation_id":"c-1"},
                                   {"amount":1000,"cancelled_at":1700000100,"reason":"b","cancellation_id":"c-2"}]}}"""), 1000,
                Set.of("c-1"));
        assertThat(o).isEqualTo(RefundOutcome.refunded(1000, 4000, "c-2"));

        // a console cancel of another amount in the same second, listed after ours: ours is still ours
        String consoleAfter = """
                {"code":0,"message":null,"response":{"imp_uid":"imp_1","amount":10000,"cancel_amount":3000,"status":"paid",
                 "cancel_history":[{"amount":1000,"cancelled_at":1700000100,"reason":"ours","cancellation_id":"c-ours"},
                                   {"amount":2000,"cancelled_at":1700000100,"reason":"console","cancellation_id":"c-console"}]}}""";
        assertThat(IamportResponses.refund(ok(consoleAfter), 1000, Set.of())).isEqualTo(RefundOutcome.refunded(1000, 3000, "c-ours"));
        // a console cancel a minute after ours: the total through ours leaves it out (a lookup keys a return
        // without an id by that running total)
        assertThat(IamportResponses.refund(ok(consoleAfter.replace("\"cancelled_at\":1700000100,\"reason\":\"console\"",
                "\"cancelled_at\":1700000160,\"reason\":\"console\"")), 1000, Set.of()))
                .isEqualTo(RefundOutcome.refunded(1000, 1000, "c-ours"));
        // one of the same amount: which is ours cannot be told, reconcile decides; none: the same
        String twoOfTheAmount = consoleAfter.replace("\"amount\":2000", "\"amount\":1000");
        assertThat(IamportResponses.refund(ok(twoOfTheAmount), 1000, Set.of()).status()).isEqualTo(RefundOutcomeStatus.UNKNOWN);
        assertThat(IamportResponses.refund(ok(consoleAfter), 500, Set.of()).status()).isEqualTo(RefundOutcomeStatus.UNKNOWN);
        // one already accounted for before this refund: the other is ours
        assertThat(IamportResponses.refund(ok(twoOfTheAmount), 1000, Set.of("c-ours")))
                .isEqualTo(RefundOutcome.refunded(1000, 3000, "c-console"));

        RefundOutcome refused = IamportResponses.refund(ok("{\"code\":1,\"message\":\"이미 전액취소된 주문입니다.\",\"response\":null}"), 1,
                Set.of());
        assertThat(refused.status()).isEqualTo(RefundOutcomeStatus.FAILED);
        assertThat(refused.failure().message()).isEqualTo("이미 전액취소된 주문입니다.");
        assertThat(IamportResponses.refund(VendorReply.failed(new SocketTimeoutException()), 1, Set.of()).status())
                .isEqualTo(RefundOutcomeStatus.UNKNOWN);
        assertThat(IamportResponses.refund(VendorReply.failed(new ConnectException()), 1, Set.of()).status())
                .isEqualTo(RefundOutcomeStatus.NOT_ATTEMPTED);
    }

    // ---- lookups

    @Test
    void paymentStatuses() throws Exception {
        VendorPayment paid = IamportResponses.lookup(ok(PAID));
        assertThat(paid.status()).isEqualTo(PaymentStatus.PAID);
        assertThat(paid.vendorPaymentRef()).isEqualTo("imp_123456789012");
        assertThat(paid.orderId()).isEqualTo("ord-1");
        assertThat(paid.billingKey()).isEqualTo("cu_1");
        assertThat(paid.occurredAt()).isNotNull();

        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"cancel_amount\":1000,\"status\":\"paid\"}")).status())
                .isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"cancel_amount\":3000,\"status\":\"cancelled\"}")).status())
                .isEqualTo(PaymentStatus.CANCELLED);
        // a virtual account closed before its deposit: never paid, nothing returned; not a paid payment
        VendorPayment closedUnpaid = IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"cancel_amount\":0,\"status\":\"cancelled\",\"pay_method\":\"vbank\","
                        + "\"paid_at\":0,\"cancelled_at\":1700000000}"));
        assertThat(closedUnpaid.status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(closedUnpaid.failureReason()).isEqualTo("cancelled before it was paid");
        // its "cancelled" webhook (and a late "ready" one) is borne out by that record: the payment leaves
        // AWAITING_DEPOSIT as FAILED
        IamportWebhooks rules = new IamportWebhooks(new paybridge.Settings(new org.apache.camel.impl.DefaultCamelContext()
                .getPropertiesComponent()));
        for (String claimed : new String[] {"cancelled", "ready"}) {
            assertThat(rules.check(new paybridge.connector.VendorWebhook("iamport", "i", null, claimed, null, null), closedUnpaid)
                    .isConsistent()).as(claimed).isTrue();
        }
        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"cancel_amount\":3000,\"status\":\"cancelled\",\"paid_at\":1690000000}"))
                .status()).isEqualTo(PaymentStatus.CANCELLED);
        // a record that lists a return was paid first, whatever else it leaves out
        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"status\":\"cancelled\",\"cancel_history\":[{\"amount\":3000,"
                        + "\"cancelled_at\":1700000000,\"cancellation_id\":\"cx-9\"}]}")).status())
                .isEqualTo(PaymentStatus.CANCELLED);
        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"status\":\"failed\",\"fail_reason\":\"no\"}")).failureReason())
                .isEqualTo("no");
        assertThat(IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000,\"status\":\"ready\"}")).status())
                .isEqualTo(PaymentStatus.AWAITING_DEPOSIT);
        assertThatThrownBy(() -> IamportResponses.payment(VendorJson.MAPPER.readTree(
                "{\"imp_uid\":\"i\",\"amount\":3000.5,\"status\":\"paid\"}"))).isInstanceOf(VendorJson.BadResponseException.class);

        assertThat(IamportResponses.lookup(VendorReply.answer(404,
                "{\"code\":-1,\"message\":\"존재하지 않는 결제정보입니다.\",\"response\":null}")))
                .isEqualTo(VendorPayment.notFound("iamport"));
        // a 404 that is not iamport's answer (a wrong base URL, a proxy's page) concludes nothing
        for (String notIamport : new String[] {"", "<html><body>Not Found</body></html>", "{\"error\":\"not found\"}",
                "{\"code\":0,\"message\":null,\"response\":null}", "{\"code\":404,\"message\":\"Not Found\"}"}) {
            assertThatThrownBy(() -> IamportResponses.lookup(VendorReply.answer(404, notIamport))).as(notIamport)
                    .isInstanceOf(VendorUnavailableException.class);
        }
        assertThatThrownBy(() -> IamportResponses.lookup(VendorReply.answer(503, "")))
                .isInstanceOf(VendorUnavailableException.class);
    }

    // ---- token

    @Test
    void tokenAnswerAndItsLifetime() {
        var grant = IamportResponses.token(ok("""
                {"code":0,"message":null,"response":{"access_token":"c659d28525e034bfe0e75be9d71122585da0c97e",
                 "now":1624322656,"expired_at":1624324456}}"""));
        assertThat(grant.accessToken()).isEqualTo("c659d28525e034bfe0e75be9d71122585da0c97e");
        assertThat(grant.ttl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(grant.toString()).doesNotContain("c659d");
        assertThatThrownBy(() -> IamportResponses.token(VendorReply.answer(401, "{}")))
                .isInstanceOf(NotSentException.class).extracting(e -> ((NotSentException) e).code())
                .isEqualTo("VENDOR_AUTH_REJECTED");
        assertThatThrownBy(() -> IamportResponses.token(VendorReply.failed(new ConnectException())))
                .isInstanceOf(NotSentException.class).extracting(e -> ((NotSentException) e).code()).isEqualTo("NO_TOKEN");
    }

    @Test
    void tokenCacheRefreshesAMinuteBeforeExpiryAndInvalidatesOnlyTheRejectedToken() {
        AtomicLong clock = new AtomicLong();
        AtomicInteger fetches = new AtomicInteger();
        IamportTokenCache cache = new IamportTokenCache(() -> new IamportResponses.TokenGrant(
                "t" + fetches.incrementAndGet(), Duration.ofMinutes(30)), clock::get);
        assertThat(cache.token()).isEqualTo("t1");
        clock.set(Duration.ofMinutes(28).toNanos());
        assertThat(cache.token()).isEqualTo("t1");
        clock.set(Duration.ofMinutes(29).plusSeconds(1).toNanos());
        assertThat(cache.token()).isEqualTo("t2");
        cache.invalidate("t1"); // an old token rejected: the current one stays
        assertThat(cache.token()).isEqualTo("t2");
        assertThat(cache.renew("t2")).isEqualTo("t3");
        assertThat(fetches).hasValue(3);
    }

    @Test
    void aFailedFetchIsNotCached() {
        AtomicInteger fetches = new AtomicInteger();
        IamportTokenCache cache = new IamportTokenCache(() -> {
            if (fetches.incrementAndGet() == 1) {
                throw new NotSentException("NO_TOKEN", "down", null);
            }
            return new IamportResponses.TokenGrant("t", Duration.ofMinutes(30));
        });
        assertThatThrownBy(cache::token).isInstanceOf(NotSentException.class);
        assertThat(cache.token()).isEqualTo("t");
    }
}
