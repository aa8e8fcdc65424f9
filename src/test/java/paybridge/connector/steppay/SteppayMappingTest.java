package paybridge.connector.steppay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.SocketTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorReply;

/** Steppay request and response mapping against the shapes in VENDORS.md. */
class SteppayMappingTest {
    static final String SEED = "16057932413479698c8vqQG0kMix9";

    private static VendorReply ok(String body) {
        return VendorReply.answer(200, body);
    }

    @Test
    void billingBody() throws Exception {
        JsonNode b = VendorJson.MAPPER.readTree(SteppayRequests.billing(SteppayRoutesTest.billing("ord-1", 9900, SEED)).json());
        assertThat(b.get("idKey").asText()).isEqualTo(SEED);
        assertThat(b.at("/partner/partnerOrderId").asText()).isEqualTo("ord-1");
        assertThat(b.at("/partner/partnerUserId").asText()).isEqualTo("user-42");
        assertThat(b.at("/product/itemName").asText()).isEqualTo("Premium plan");
        assertThat(b.at("/product/amount").asLong()).isEqualTo(9900);
        assertThat(b.at("/product/quantity").asInt()).isEqualTo(1);
        assertThat(b.at("/customer/userName").asText()).isEqualTo("홍길동");
        assertThat(b.at("/customer/phone").asText()).isEqualTo("010-1234-5678");
        assertThat(b.at("/customer/email").asText()).isEqualTo("gildong@example.kr");
        assertThat(b.get("taxFreeAmount").asInt()).isZero();
        assertThat(b.get("discount").asInt()).isZero();
        assertThat(b.get("isMobile").asBoolean()).isFalse();

        JsonNode cancel = VendorJson.MAPPER.readTree(SteppayRequests.cancel(new RefundRequest("rf", "o", SEED, 500, 1000, null)).json());
        assertThat(cancel.get("idKey").asText()).isEqualTo(SEED);
        assertThat(cancel.get("requestPrice").asLong()).isEqualTo(500);
        assertThat(SteppayRequests.receipt(SEED).path()).isEqualTo("/api/payment/receipt/" + SEED);
    }

    @Test
    void billingAnswers() {
        assertThat(SteppayResponses.billing(ok("{\"idKey\":\"1700000000000abcdefghijklmnop\",\"paymentStatus\":\"COMPLETE\"}"), SEED))
                .isEqualTo(ChargeOutcome.paid("1700000000000abcdefghijklmnop", SEED));
        assertThat(SteppayResponses.billing(ok("{\"idKey\":\"k\",\"paymentStatus\":\"VIRTUAL_BANK_STANDBY\"}"), SEED).status())
                .isEqualTo(ChargeStatus.AWAITING_DEPOSIT);
        assertThat(SteppayResponses.billing(ok("{\"idKey\":\"k\",\"paymentStatus\":\"FAILED\"}"), SEED).status())
                .isEqualTo(ChargeStatus.FAILED);
        assertThat(SteppayResponses.billing(ok(null), SEED)).isEqualTo(ChargeOutcome.pending(null, SEED));
        // an answer that names the billing key's own payment (the idKey charged on) is not this payment's reference
        assertThat(SteppayResponses.billing(ok("{\"idKey\":\"" + SEED + "\",\"paymentStatus\":\"COMPLETE\"}"), SEED))
                .isEqualTo(ChargeOutcome.pending(null, SEED));
        assertThat(SteppayResponses.billing(ok("{\"result\":\"SUCCESS\"}"), SEED).status()).isEqualTo(ChargeStatus.PENDING);
        assertThat(SteppayResponses.billing(ok("OK"), SEED).status()).isEqualTo(ChargeStatus.PENDING);

        ChargeOutcome declined = SteppayResponses.billing(VendorReply.answer(400, """
                {"traceId":"abc","errorCode":"PAYMENT_FAILED","errorMessage":"카드 승인 거절: 잔액부족","details":null}"""), SEED);
        assertThat(declined.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(declined.failure().code()).isEqualTo("PAYMENT_FAILED");
        assertThat(declined.failure().message()).isEqualTo("카드 승인 거절: 잔액부족");
        assertThat(declined.billingKey()).isEqualTo(SEED);

        assertThat(SteppayResponses.billing(VendorReply.answer(403, "{\"errorCode\":\"INVALID_SECRET_TOKEN\"}"), SEED).status())
                .isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(SteppayResponses.billing(VendorReply.answer(500, "{\"errorCode\":\"INTERNAL_SERVER_ERROR\"}"), SEED).status())
                .isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(SteppayResponses.billing(VendorReply.failed(new SocketTimeoutException()), SEED).status())
                .isEqualTo(ChargeStatus.UNKNOWN);
    }

    @Test
    void cancelAnswer() {
        RefundOutcome o = SteppayResponses.refund(ok("""
                {"result":"SUCCESS","code":200,"message":"취소 성공","id":7,"response":{"tid":"T0","paymentReceiptUrl":"u",
                 "cancelPayment":{"canceledAmount":"1500","tid":"T1","paymentStatus":"PARTIAL_CANCELED","canceledDate":"2026-11-22T05:00:00.000+09:00"}}}"""));
        assertThat(o).isEqualTo(RefundOutcome.refunded(1500, -1, "T1"));

        VendorPayment receipt = new VendorPayment(true, "steppay", SEED, "o", PaymentStatus.PARTIALLY_REFUNDED, 10000, 0,
                java.util.List.of(), null, null, null);
        // without the receipt's canceledAmount: (amount − remainingBefore) + refundedNow
        assertThat(SteppayResponses.withTotal(o, receipt, 8000).refundedTotal()).isEqualTo(3500);
        assertThat(SteppayResponses.withTotal(o, null, 8000).refundedTotal()).isEqualTo(-1);

        RefundOutcome refused = SteppayResponses.refund(VendorReply.answer(400,
                "{\"traceId\":\"t\",\"errorCode\":\"INVALID_CANCEL_AMOUNT\",\"errorMessage\":\"too much\",\"details\":null}"));
        assertThat(refused.status()).isEqualTo(RefundOutcomeStatus.FAILED);
        assertThat(refused.failure().code()).isEqualTo("INVALID_CANCEL_AMOUNT");
        assertThat(SteppayResponses.refund(ok("{\"response\":{\"cancelPayment\":{\"canceledAmount\":1.5}}}")).status())
                .isEqualTo(RefundOutcomeStatus.UNKNOWN);
        // accepted but not returned: a virtual-account cancel settling later, a cancel that failed. Never REFUNDED
        // (its entry would be keyed before the receipt lists it, and the later CANCELED would add a second)
        for (String state : java.util.List.of("CANCEL_PROGRESS", "CANCELED_FAIL")) {
            RefundOutcome open = SteppayResponses.refund(ok("{\"result\":\"SUCCESS\",\"response\":{\"cancelPayment\":"
                    + "{\"canceledAmount\":10000,\"tid\":\"T2\",\"paymentStatus\":\"" + state + "\"}}}"));
            assertThat(open.status()).as(state).isEqualTo(RefundOutcomeStatus.UNKNOWN);
            assertThat(open.failure().code()).isEqualTo("STEPPAY_" + state);
        }
    }

    @Test
    void receipts() throws Exception {
        VendorPayment p = SteppayResponses.lookup(ok("""
                {"idKey":"16057932413479698c8vqQG0kMix9","orderId":1,"partnerOrderId":"ord-1","paymentStatus":"PARTIAL_CANCELED",
                 "paymentMethod":"CARD_BILL","amount":10000,"canceledAmount":3000,"paymentDate":"2026-11-22T05:00:00.000+09:00",
                 "cancelHistory":[{"canceledAmount":3000,"canceledDate":"2026-11-22T06:00:00.000+09:00","tid":"T1"}]}"""));
        assertThat(p.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(p.orderId()).isEqualTo("ord-1");
        assertThat(p.billingKey()).isEqualTo(SEED);
        assertThat(p.cancelledAmount()).isEqualTo(3000);
        assertThat(p.cancellations()).hasSize(1);
        assertThat(p.occurredAt()).hasToString("2026-11-21T20:00:00Z");

        String[][] statuses = {{"COMPLETE", "PAID"}, {"FAILED", "FAILED"},
                {"USER_CANCELED", "ABANDONED"}, {"VIRTUAL_BANK_STANDBY", "AWAITING_DEPOSIT"}, {"STANDBY", "PENDING"},
                {"CMS_STANDBY", "PENDING"}, {"CANCEL_PROGRESS", "PAID"}, {"CANCELED_FAIL", "PAID"}};
        for (String[] s : statuses) {
            VendorPayment r = SteppayResponses.receipt(VendorJson.MAPPER.readTree(
                    "{\"idKey\":\"k\",\"paymentStatus\":\"" + s[0] + "\",\"paymentMethod\":\"CARD\",\"amount\":100}"));
            assertThat(r.status()).as(s[0]).isEqualTo(PaymentStatus.valueOf(s[1]));
            assertThat(r.billingKey()).isNull();
        }
        // CANCELED after paying: money returned. CANCELED never paid (a virtual account closed before its
        // deposit: no paymentDate, nothing returned, no cancel in its history): FAILED, never CANCELLED
        String paidThenCancelled = "{\"idKey\":\"k\",\"paymentStatus\":\"CANCELED\",\"paymentMethod\":\"VBANK\","
                + "\"amount\":100,\"canceledAmount\":%d,\"paymentDate\":%s,\"cancelHistory\":%s}";
        assertThat(SteppayResponses.receipt(VendorJson.MAPPER.readTree(String.format(paidThenCancelled, 100,
                "\"2026-11-22T05:00:00.000+09:00\"", "[{\"canceledAmount\":100,\"tid\":\"T1\"}]"))).status())
                .isEqualTo(PaymentStatus.CANCELLED);
        assertThat(SteppayResponses.receipt(VendorJson.MAPPER.readTree(String.format(paidThenCancelled, 100,
                "null", "[]"))).status()).as("returned, paymentDate missing").isEqualTo(PaymentStatus.CANCELLED);
        VendorPayment closedUnpaid = SteppayResponses.receipt(VendorJson.MAPPER.readTree(
                String.format(paidThenCancelled, 0, "null", "[]")));
        assertThat(closedUnpaid.status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(closedUnpaid.failureReason()).isEqualTo("cancelled before it was paid");
        assertThat(SteppayResponses.lookup(VendorReply.answer(404,
                "{\"traceId\":\"t\",\"errorCode\":\"PAYMENT_NOT_FOUND\",\"errorMessage\":\"x\",\"details\":null}")))
                .isEqualTo(VendorPayment.notFound("steppay"));
        assertThatThrownBy(() -> SteppayResponses.lookup(VendorReply.answer(500, "{}")))
                .isInstanceOf(VendorUnavailableException.class);
        // a 404 that is not Steppay's (a wrong base URL, a proxy's page): nothing is concluded from it
        for (String notSteppay : new String[] {"", "<html>Not Found</html>", "{\"message\":\"no route\"}"}) {
            assertThatThrownBy(() -> SteppayResponses.lookup(VendorReply.answer(404, notSteppay))).as(notSteppay)
                    .isInstanceOf(VendorUnavailableException.class);
        }
    }

    @Test
    void a403WithABusinessErrorCodeIsADeclineAndOneAboutCredentialsIsNotAttempted() {
        String business = "{\"traceId\":\"t\",\"errorCode\":\"PAYMENT_NOT_ALLOWED\",\"errorMessage\":\"not allowed\",\"details\":null}";
        ChargeOutcome declined = SteppayResponses.billing(VendorReply.answer(403, business), SEED);
        assertThat(declined.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(declined.failure().code()).isEqualTo("PAYMENT_NOT_ALLOWED");
        assertThat(SteppayResponses.refund(VendorReply.answer(403, business)).status()).isEqualTo(RefundOutcomeStatus.FAILED);

        for (String credentials : new String[] {"INVALID_SECRET_TOKEN", "UNAUTHORIZED", "ACCESS_DENIED", "NOT_ALLOWED_IP",
                "INVALID_API_KEY", "FORBIDDEN"}) {
            VendorReply reply = VendorReply.answer(403, "{\"errorCode\":\"" + credentials + "\"}");
            assertThat(SteppayResponses.billing(reply, SEED).status()).as(credentials).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(SteppayResponses.refund(reply).status()).as(credentials).isEqualTo(RefundOutcomeStatus.NOT_ATTEMPTED);
        }
        // a 403 without Steppay's error shape (a proxy, a firewall): not processed
        assertThat(SteppayResponses.billing(VendorReply.answer(403, "<html>Forbidden</html>"), SEED).status())
                .isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(SteppayResponses.refund(VendorReply.answer(403, "")).status()).isEqualTo(RefundOutcomeStatus.NOT_ATTEMPTED);
    }

    @Test
    void aCancelIsKeyedAsTheReceiptShowsIt() {
        RefundOutcome cancel = RefundOutcome.refunded(1500, -1, "T2");
        VendorPayment.Cancellation t1 = new VendorPayment.Cancellation("T1", 1000, null);
        VendorPayment.Cancellation t2 = new VendorPayment.Cancellation("T2", 1500, null);
        // the history lists the cancel: keyed by its tid, the total is the running sum through it
        RefundOutcome listed = SteppayResponses.withTotal(cancel, receipt(2500, java.util.List.of(t1, t2)), 9000);
        assertThat(listed.keyedByTotal()).isFalse();
        assertThat(listed.ledgerCancellationId()).isEqualTo("T2");
        assertThat(listed.refundedTotal()).isEqualTo(2500);
        // no cancelHistory at all: the webhook knows the return only by the cumulative amount, so must the API
        RefundOutcome bare = SteppayResponses.withTotal(cancel, receipt(2500, java.util.List.of()), 9000);
        assertThat(bare.keyedByTotal()).isTrue();
        assertThat(bare.ledgerCancellationId()).isNull();
        assertThat(bare.cancellationId()).as("still the refund's vendor reference").isEqualTo("T2");
        assertThat(bare.refundedTotal()).isEqualTo(2500);
        // listed after another cancel of the same second: its place, and so its running total, is unknown
        java.time.Instant second = java.time.Instant.parse("2026-12-01T00:00:00Z");
        RefundOutcome tied = SteppayResponses.withTotal(cancel, receipt(2500, java.util.List.of(
                new VendorPayment.Cancellation("T1", 1000, second), new VendorPayment.Cancellation("T2", 1500, second))), 9000);
        assertThat(tied.ledgerCancellationId()).isEqualTo("T2");
        assertThat(tied.refundedTotal()).isEqualTo(-1);
        // a history that does not list it yet: keyed by the tid (the history will)
        assertThat(SteppayResponses.withTotal(cancel, receipt(1000, java.util.List.of(t1)), 9000).keyedByTotal()).isFalse();

        VendorPayment inProgress = SteppayResponses.receipt(readTree(
                "{\"idKey\":\"k\",\"paymentStatus\":\"CANCEL_PROGRESS\",\"paymentMethod\":\"VBANK\",\"amount\":100}"));
        assertThat(inProgress.cancelInProgress()).isTrue();
        assertThat(SteppayResponses.receipt(readTree(
                "{\"idKey\":\"k\",\"paymentStatus\":\"COMPLETE\",\"paymentMethod\":\"CARD\",\"amount\":100}"))
                .cancelInProgress()).isFalse();
    }

    private static VendorPayment receipt(long cancelled, java.util.List<VendorPayment.Cancellation> history) {
        return new VendorPayment(true, "steppay", SEED, "o", PaymentStatus.PARTIALLY_REFUNDED, 10000, cancelled, history,
                null, null, null);
    }

    private static JsonNode readTree(String json) {
        try {
            return VendorJson.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
