package paybridge.connector.toss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Customer;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.BillingKeyOutcome;
import paybridge.connector.BillingKeyRequest;
import paybridge.connector.ChargeStatus;
import paybridge.connector.ClaimCheck;
import paybridge.connector.DeclineCategory;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.VendorWebhook;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorReply;

/** Toss request and response mapping against the shapes in TOSS.md. */
class TossMappingTest {
    static final String KEY = "Z_t5vOvQxrj4499PeiJcjen28-V2RyqgYTwN44Rdzk0=";

    /** A Payment object as TOSS.md describes it (fields used), DONE, one partial cancel when asked. */
    static String payment(String status, long total, long... cancels) {
        StringBuilder c = new StringBuilder();
        long left = total;
        for (int i = 0; i < cancels.length; i++) {
            left -= cancels[i];
            c.append(i == 0 ? "" : ",").append("""
                    {"cancelAmount":%d,"cancelReason":"customer request","canceledAt":"2024-02-13T12:20:23+09:00",
                     "transactionKey":"txrd_%d","refundableAmount":%d,"cancelStatus":"DONE"}""".formatted(cancels[i], i, left));
        }
        return """
                {"mId":"tvivarepublica","paymentKey":"tgen_20240213121757MJOxX","orderId":"ord-toss-0001","orderName":"Premium plan",
                 "status":"%s","method":"카드","requestedAt":"2024-02-13T12:17:57+09:00","approvedAt":"2024-02-13T12:18:14+09:00",
                 "totalAmount":%d,"balanceAmount":%d,"currency":"KRW","card":{"number":"43301234****123*","approveNo":"00000000"},
                 "cancels":%s,"lastTransactionKey":"txrd_x","receipt":{"url":"https://dashboard.tosspayments.com/receipt"}}"""
                .formatted(status, total, left, cancels.length == 0 ? "null" : "[" + c + "]");
    }

    static PaymentCommand command(String paymentId, long amount, String customerId) {
        return new PaymentCommand(paymentId, "toss", PaymentMethod.BILLING_KEY, amount, "KRW", "Premium plan", 1,
                new Customer(customerId, "홍길동", "010-1234-5678", "gildong@example.kr"), null, false, KEY, null);
    }

    @Test
    void requestsAreTossShapes() throws Exception {
        var charge = TossRequests.billing(command("ord-toss-0001", 9900, "user-42"));
        assertThat(charge.method()).isEqualTo("POST");
        assertThat(charge.path()).isEqualTo("/v1/billing/" + KEY);
        JsonNode b = VendorJson.MAPPER.readTree(charge.json());
        assertThat(b.get("customerKey").asText()).isEqualTo("user-42");
        assertThat(b.get("amount").asLong()).isEqualTo(9900);
        assertThat(b.get("orderId").asText()).isEqualTo("ord-toss-0001");
        assertThat(b.get("orderName").asText()).isEqualTo("Premium plan");
        assertThat(b.get("customerName").asText()).isEqualTo("홍길동");
        assertThat(b.get("customerEmail").asText()).isEqualTo("gildong@example.kr");
        assertThat(b.get("customerMobilePhone").asText()).isEqualTo("01012345678");

        var cancel = TossRequests.cancel(new RefundRequest("rf-1", "ord-toss-0001", "tgen_1", 1000, 9900, null));
        assertThat(cancel.path()).isEqualTo("/v1/payments/tgen_1/cancel");
        JsonNode c = VendorJson.MAPPER.readTree(cancel.json());
        assertThat(c.get("cancelAmount").asLong()).isEqualTo(1000);
        assertThat(c.get("cancelReason").asText()).isNotBlank();

        var issue = TossRequests.issue(new BillingKeyRequest("toss", "user-42", "bln_abc", "k", false));
        assertThat(issue.path()).isEqualTo("/v1/billing/authorizations/issue");
        assertThat(VendorJson.MAPPER.readTree(issue.json()).get("authKey").asText()).isEqualTo("bln_abc");
        assertThat(VendorJson.MAPPER.readTree(issue.json()).get("customerKey").asText()).isEqualTo("user-42");
        assertThat(issue.toString()).doesNotContain("bln_abc");

        assertThat(TossRequests.byOrderId("ord-toss-0001").path()).isEqualTo("/v1/payments/orders/ord-toss-0001");
        assertThat(TossRequests.byPaymentKey("tgen_1").path()).isEqualTo("/v1/payments/tgen_1");
        assertThatThrownBy(() -> TossRequests.byPaymentKey("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void basicAuthIsTheSecretKeyWithAnEmptyPassword() {
        String header = TossRequests.basicAuth("test_sk_abc");
        assertThat(new String(Base64.getDecoder().decode(header.substring("Basic ".length())))).isEqualTo("test_sk_abc:");
        Map<String, String> h = TossRequests.headers(header, TossRequests.chargeKey("ord-1"));
        assertThat(h).containsEntry("Idempotency-Key", "paybridge-charge-ord-1");
        assertThat(TossRequests.chargeKey("ord-1")).isEqualTo(TossRequests.chargeKey("ord-1"));
        assertThat(TossRequests.cancelKey("rf-1")).isNotEqualTo(TossRequests.chargeKey("rf-1"));
    }

    @Test
    void chargeAnswers() {
        var paid = TossResponses.charge(VendorReply.answer(200, payment("DONE", 9900)), KEY, "ord-toss-0001", 9900);
        assertThat(paid.status()).isEqualTo(ChargeStatus.PAID);
        assertThat(paid.vendorPaymentRef()).isEqualTo("tgen_20240213121757MJOxX");
        assertThat(paid.billingKey()).isEqualTo(KEY);
        assertThat(TossResponses.charge(VendorReply.answer(200, payment("WAITING_FOR_DEPOSIT", 4004)), KEY, "ord-toss-0001", 4004).status())
                .isEqualTo(ChargeStatus.AWAITING_DEPOSIT);
        assertThat(TossResponses.charge(VendorReply.answer(200, payment("IN_PROGRESS", 100)), KEY, "ord-toss-0001", 100).status())
                .isEqualTo(ChargeStatus.PENDING);

        // declines are 4xx with a code: the vendor's answer about the payment, final for the order
        var declined = TossResponses.charge(VendorReply.answer(403,
                "{\"code\":\"REJECT_CARD_PAYMENT\",\"message\":\"한도초과 혹은 잔액부족으로 결제에 실패했습니다.\"}"), KEY, "o", 1);
        assertThat(declined.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(declined.failure().code()).isEqualTo("REJECT_CARD_PAYMENT");
        var noKey = TossResponses.charge(VendorReply.answer(404, "{\"code\":\"NOT_FOUND_BILLING_KEY\",\"message\":\"x\"}"), KEY, "o", 1);
        assertThat(noKey.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(noKey.failure().code()).isEqualTo("NOT_FOUND_BILLING_KEY");
        // ...unless an earlier ask of the same charge was lost: that one may have charged, the lookup decides
        var afterLost = TossResponses.charge(VendorReply.answer(404, "{\"code\":\"NOT_FOUND_BILLING_KEY\",\"message\":\"x\"}"),
                KEY, "o", 1, true);
        assertThat(afterLost.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(TossResponses.charge(VendorReply.answer(403,
                "{\"code\":\"REJECT_CARD_PAYMENT\",\"message\":\"x\"}"), KEY, "o", 1, true).status()).isEqualTo(ChargeStatus.UNKNOWN);
        // only NOT_FOUND_BILLING_KEY says the key is unknown: any other 404 concludes nothing
        for (String code : new String[] {"NOT_FOUND_PAYMENT", "NOT_FOUND"}) {
            var other = TossResponses.charge(VendorReply.answer(404, "{\"code\":\"" + code + "\",\"message\":\"x\"}"), KEY, "o", 1);
            assertThat(other.status()).as(code).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        }
        // DONE must be this charge: our orderId and our amount, else UNKNOWN
        assertThat(TossResponses.charge(VendorReply.answer(200, payment("DONE", 9900)), KEY, "ord-toss-0001", 9000).status())
                .isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(TossResponses.charge(VendorReply.answer(200, payment("DONE", 9900)), KEY, "ord-toss-0002", 9900).status())
                .isEqualTo(ChargeStatus.UNKNOWN);

        // our fault: credentials are not attempted; a malformed request is a paybridge bug and a decline
        assertThat(TossResponses.charge(VendorReply.answer(401, "{\"code\":\"UNAUTHORIZED_KEY\",\"message\":\"x\"}"), KEY, "o", 1)
                .failure().code()).isEqualTo("VENDOR_AUTH_REJECTED");
        assertThat(TossResponses.charge(VendorReply.answer(401, "{\"code\":\"UNAUTHORIZED_KEY\",\"message\":\"x\"}"), KEY, "o", 1)
                .status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(TossResponses.charge(VendorReply.answer(403, "{\"code\":\"FORBIDDEN_REQUEST\",\"message\":\"x\"}"), KEY, "o", 1)
                .status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        assertThat(TossResponses.charge(VendorReply.answer(400, "{\"code\":\"INVALID_REQUEST\",\"message\":\"x\"}"), KEY, "o", 1)
                .status()).isEqualTo(ChargeStatus.FAILED);
        // the order exists: to a re-ask after a lost answer, the lookup decides (never FAILED); to the first
        // ask it is this charge's only if an earlier send was lost here, else another system's: an operator decides
        assertThat(TossResponses.charge(VendorReply.answer(400, "{\"code\":\"DUPLICATED_ORDER_ID\",\"message\":\"x\"}"), KEY, "o", 1,
                true).status()).isEqualTo(ChargeStatus.UNKNOWN);
        var firstAsk = TossResponses.charge(VendorReply.answer(400, "{\"code\":\"DUPLICATED_ORDER_ID\",\"message\":\"x\"}"), KEY, "o", 1);
        assertThat(firstAsk.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(firstAsk.failure().code()).isEqualTo("ORDER_ID_IN_USE");
        // still being processed at Toss, to the first ask or a re-ask: in flight (its horizon counts again)
        for (boolean lostBefore : new boolean[] {false, true}) {
            var processing = TossResponses.charge(VendorReply.answer(409,
                    "{\"code\":\"IDEMPOTENT_REQUEST_PROCESSING\",\"message\":\"x\"}"), KEY, "o", 1, lostBefore);
            assertThat(processing.status()).isEqualTo(ChargeStatus.UNKNOWN);
            assertThat(processing.failure().code()).isEqualTo("VENDOR_STILL_PROCESSING");
        }
        // lost answers
        assertThat(TossResponses.charge(VendorReply.answer(500,
                "{\"code\":\"FAILED_INTERNAL_SYSTEM_PROCESSING\",\"message\":\"x\"}"), KEY, "o", 1).status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(TossResponses.charge(VendorReply.failed(new SocketTimeoutException()), KEY, "o", 1).status())
                .isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(TossResponses.charge(VendorReply.failed(new ConnectException()), KEY, "o", 1).status())
                .isEqualTo(ChargeStatus.NOT_ATTEMPTED);
        // a 4xx without Toss's shape is not Toss's answer
        assertThat(TossResponses.charge(VendorReply.answer(404, "<html/>"), KEY, "o", 1).status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
    }

    @Test
    void declineTable() {
        TossDeclines table = new TossDeclines(java.util.Set.of("REJECT_CARD_COMPANY"));
        assertThat(table.category(new Failure("REJECT_CARD_PAYMENT", "x"))).isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("INVALID_STOPPED_CARD", "x"))).isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("INVALID_CARD_LOST_OR_STOLEN", "x"))).isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("NOT_FOUND_BILLING_KEY", "x"))).isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("SOMETHING_NEW", "x"))).as("unlisted: SOFT").isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("REJECT_CARD_COMPANY", "x"))).as("operator's HARD").isEqualTo(DeclineCategory.HARD);

        // the same decline learnt from Toss's record (a charge whose answer was lost, reconciled; a webhook's
        // lookup): stored as VENDOR_DECLINED with the record's failure, still HARD
        VendorPayment aborted = TossResponses.lookup(VendorReply.answer(200, payment("ABORTED", 9900).replace(
                "\"cancels\":null", "\"cancels\":null,\"failure\":{\"code\":\"INVALID_CARD_LOST_OR_STOLEN\","
                        + "\"message\":\"분실 또는 도난 카드입니다.\"}")));
        Failure learnt = paybridge.payments.VendorRecordFacts.failure(paybridge.canonical.PaymentStates.find(
                PaymentStatus.UNKNOWN, paybridge.canonical.PaymentStates.Fact.VENDOR_DECLINED).orElseThrow(), aborted);
        assertThat(learnt.code()).isEqualTo("VENDOR_DECLINED");
        assertThat(table.category(learnt)).isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("VENDOR_DECLINED", "REJECT_CARD_PAYMENT 한도초과"))).isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("VENDOR_DECLINED", "Toss reports the payment ABORTED")))
                .isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("PROVIDER_ERROR", "INVALID_CARD_LOST_OR_STOLEN")))
                .as("only a decline learnt from the record reads its message").isEqualTo(DeclineCategory.SOFT);
    }

    @Test
    void cancelAnswerKeysTheReturnByItsTransactionKey() {
        var first = TossResponses.refund(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000)), 1000, Set.of(), false);
        assertThat(first.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
        assertThat(first.refundedNow()).isEqualTo(1000);
        assertThat(first.refundedTotal()).isEqualTo(1000);
        assertThat(first.cancellationId()).isEqualTo("txrd_0");
        var rest = TossResponses.refund(VendorReply.answer(200, payment("CANCELED", 9900, 1000, 8900)), 8900, Set.of("txrd_0"), false);
        assertThat(rest.refundedNow()).isEqualTo(8900);
        assertThat(rest.refundedTotal()).isEqualTo(9900);
        assertThat(rest.cancellationId()).isEqualTo("txrd_1");
        // the total through the return, not the payment's: a later cancel (at another time) is not in it; returns
        // of one time cannot be placed, and the payment's total stands
        String twoTimes = payment("PARTIAL_CANCELED", 9900, 1000, 2000);
        int later = twoTimes.lastIndexOf("2024-02-13T12:20:23+09:00");
        twoTimes = twoTimes.substring(0, later) + "2024-02-13T12:25:00+09:00" + twoTimes.substring(later + 25);
        assertThat(TossResponses.refund(VendorReply.answer(200, twoTimes), 1000, Set.of(), false).refundedTotal())
                .isEqualTo(1000);
        assertThat(TossResponses.refund(VendorReply.answer(200, twoTimes), 2000, Set.of(), false).refundedTotal())
                .isEqualTo(3000);
        assertThat(TossResponses.refund(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000, 2000)), 1000,
                Set.of(), false).refundedTotal()).isEqualTo(3000);
        // by what no earlier return claims and the amount, never by position
        var same = TossResponses.refund(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000, 1000)), 1000,
                Set.of("txrd_1"), false);
        assertThat(same.cancellationId()).isEqualTo("txrd_0");
        assertThat(TossResponses.refund(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000, 1000)), 1000,
                Set.of(), false).status()).as("two candidates").isEqualTo(RefundOutcomeStatus.UNKNOWN);
        assertThat(TossResponses.refund(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000)), 2000,
                Set.of(), false).status()).as("none of that amount").isEqualTo(RefundOutcomeStatus.UNKNOWN);
        String refused = "{\"code\":\"NOT_CANCELABLE_AMOUNT\",\"message\":\"x\"}";
        assertThat(TossResponses.refund(VendorReply.answer(400, refused), 1, Set.of(), false).status())
                .isEqualTo(RefundOutcomeStatus.FAILED);
        assertThat(TossResponses.refund(VendorReply.answer(400, refused), 1, Set.of(), true).status())
                .as("refused after an ask was lost").isEqualTo(RefundOutcomeStatus.UNKNOWN);
        assertThat(TossResponses.refund(VendorReply.answer(409,
                "{\"code\":\"IDEMPOTENT_REQUEST_PROCESSING\",\"message\":\"x\"}"), 1, Set.of(), false).status())
                .isEqualTo(RefundOutcomeStatus.UNKNOWN);
        assertThat(TossResponses.refund(VendorReply.failed(new SocketTimeoutException()), 1, Set.of(), false).status())
                .isEqualTo(RefundOutcomeStatus.UNKNOWN);
    }

    @Test
    void billingKeyAnswers() {
        BillingKeyOutcome issued = TossResponses.issue(VendorReply.answer(200, """
                {"mId":"tvivarepublica","customerKey":"user-42","authenticatedAt":"2024-02-13T12:17:57+09:00","method":"카드",
                 "billingKey":"%s","card":{"issuerCode":"61","acquirerCode":"31","number":"43301234****123*",
                 "cardType":"신용","ownerType":"개인"}}""".formatted(KEY)), false);
        assertThat(issued.status()).isEqualTo(BillingKeyOutcome.Status.ISSUED);
        assertThat(issued.billingKey()).isEqualTo(KEY);
        assertThat(issued.cardNumber()).isEqualTo("43301234****123*");
        assertThat(issued.cardIssuer()).isEqualTo("61");
        assertThat(issued.toString()).doesNotContain(KEY);
        assertThat(TossResponses.issue(VendorReply.answer(400, "{\"code\":\"INVALID_AUTH_KEY\",\"message\":\"x\"}"), false).status())
                .isEqualTo(BillingKeyOutcome.Status.REFUSED);
        assertThat(TossResponses.issue(VendorReply.answer(400, "{\"code\":\"INVALID_AUTH_KEY\",\"message\":\"x\"}"), true).status())
                .as("refused after an ask was lost").isEqualTo(BillingKeyOutcome.Status.UNKNOWN);
        assertThat(TossResponses.issue(VendorReply.failed(new SocketTimeoutException()), false).status())
                .isEqualTo(BillingKeyOutcome.Status.UNKNOWN);
    }

    @Test
    void lookups() {
        VendorPayment p = TossResponses.lookup(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000)));
        assertThat(p.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(p.orderId()).isEqualTo("ord-toss-0001");
        assertThat(p.amount()).isEqualTo(9900);
        assertThat(p.cancelledAmount()).isEqualTo(1000);
        assertThat(p.cancellations()).singleElement().satisfies(c -> assertThat(c.cancellationId()).isEqualTo("txrd_0"));
        // a cancelled payment whose answer lists no cancels[]: balanceAmount tells what was returned, one return
        // keyed by that total
        VendorPayment unlisted = TossResponses.lookup(VendorReply.answer(200, payment("CANCELED", 9900)
                .replace("\"balanceAmount\":9900", "\"balanceAmount\":0")));
        assertThat(unlisted.status()).isEqualTo(PaymentStatus.CANCELLED);
        assertThat(unlisted.cancelledAmount()).isEqualTo(9900);
        assertThat(unlisted.cancelInProgress()).isFalse();
        assertThat(paybridge.payments.VendorRecordFacts.events("toss", "ord-toss-0001", null, unlisted, 9900, () -> paybridge.ledger.LedgerStore.Returns.NONE)
                .stream().map(e -> e.type() + ":" + e.amount()).toList()).containsExactly("PAID:9900", "CANCELLED:-9900");
        // a list that does not add up to the balance (2,000 returned, 1,000 listed): not the whole record yet
        VendorPayment shortList = TossResponses.lookup(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000)
                .replace("\"balanceAmount\":8900", "\"balanceAmount\":7900")));
        assertThat(shortList.cancelInProgress()).isTrue();
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("PARTIAL_CANCELED", 9900, 1000))).cancelInProgress())
                .isFalse();
        // cancels[] listed newest first (Toss promises no order): read oldest first by canceledAt, so the
        // return that ended the payment is the CANCELLED entry and the earlier one PARTIALLY_REFUNDED
        VendorPayment newestFirst = TossResponses.lookup(VendorReply.answer(200, payment("CANCELED", 9900, 8900, 1000)
                .replaceFirst("2024-02-13T12:20:23", "2024-02-14T09:00:00")));
        assertThat(newestFirst.cancellations()).extracting(VendorPayment.Cancellation::amount).containsExactly(1000L, 8900L);
        assertThat(paybridge.payments.VendorRecordFacts.events("toss", "ord-toss-0001", null, newestFirst, 9900, () -> paybridge.ledger.LedgerStore.Returns.NONE)
                .stream().map(e -> e.type() + ":" + e.amount()).toList())
                .containsExactly("PAID:9900", "PARTIALLY_REFUNDED:-1000", "CANCELLED:-8900");
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("DONE", 9900))).status()).isEqualTo(PaymentStatus.PAID);
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("CANCELED", 9900, 9900))).status())
                .isEqualTo(PaymentStatus.CANCELLED);
        // a virtual account cancelled while it waited for its deposit: never approved, nothing returned
        VendorPayment closedUnpaid = TossResponses.lookup(VendorReply.answer(200,
                payment("CANCELED", 9900).replace("\"approvedAt\":\"2024-02-13T12:18:14+09:00\"", "\"approvedAt\":null")));
        assertThat(closedUnpaid.status()).isEqualTo(PaymentStatus.FAILED);
        // the same with a balance of 0 (what is left after the cancel): never approved, nothing returned
        VendorPayment closedUnpaidNoBalance = TossResponses.lookup(VendorReply.answer(200, payment("CANCELED", 9900)
                .replace("\"approvedAt\":\"2024-02-13T12:18:14+09:00\"", "\"approvedAt\":null")
                .replace("\"balanceAmount\":9900", "\"balanceAmount\":0")));
        assertThat(closedUnpaidNoBalance.status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(closedUnpaidNoBalance.cancelledAmount()).isZero();
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("ABORTED", 9900))).status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("EXPIRED", 9900))).status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("READY", 9900))).status()).isEqualTo(PaymentStatus.PENDING);
        assertThat(TossResponses.lookup(VendorReply.answer(200, payment("WAITING_FOR_DEPOSIT", 9900))).status())
                .isEqualTo(PaymentStatus.AWAITING_DEPOSIT);
        assertThat(TossResponses.lookup(VendorReply.answer(404, "{\"code\":\"NOT_FOUND_PAYMENT\",\"message\":\"x\"}")).found())
                .isFalse();
        assertThatThrownBy(() -> TossResponses.lookup(VendorReply.answer(503, "{}")))
                .isInstanceOf(VendorUnavailableException.class);
        // any other 404 is not "no such payment"
        assertThatThrownBy(() -> TossResponses.lookup(VendorReply.answer(404, "{\"code\":\"NOT_FOUND\",\"message\":\"x\"}")))
                .isInstanceOf(VendorUnavailableException.class);
        // a cancel not finished: nothing returned yet, but a cancel in progress
        VendorPayment unfinished = TossResponses.lookup(VendorReply.answer(200,
                payment("DONE", 9900, 1000).replace("\"cancelStatus\":\"DONE\"", "\"cancelStatus\":\"IN_PROGRESS\"")));
        assertThat(unfinished.cancelledAmount()).isZero();
        assertThat(unfinished.cancelInProgress()).isTrue();
        assertThat(p.cancelInProgress()).isFalse();
    }

    @Test
    void webhooks() {
        TossWebhooks rules = new TossWebhooks(new paybridge.Settings(new org.apache.camel.impl.DefaultCamelContext()
                .getPropertiesComponent()));
        VendorWebhook w = rules.parse(Map.of("eventType", "PAYMENT_STATUS_CHANGED", "createdAt", "2024-02-13T12:18:14.000000",
                "data", payment("PARTIAL_CANCELED", 9900, 1000)));
        assertThat(w.vendor()).isEqualTo("toss");
        assertThat(w.vendorRef()).isEqualTo("tgen_20240213121757MJOxX");
        assertThat(w.orderId()).isEqualTo("ord-toss-0001");
        assertThat(w.claimedStatus()).isEqualTo("PARTIAL_CANCELED");
        assertThat(w.claimedAmount()).isEqualTo(9900);
        assertThat(w.cancellationId()).isEqualTo("txrd_0");
        assertThat(rules.parse(Map.of("eventType", "PAYOUT_STATUS_CHANGED", "data", "{}")).isIgnored()).isTrue();
        assertThatThrownBy(() -> rules.parse(Map.of("eventType", "PAYMENT_STATUS_CHANGED")))
                .isInstanceOf(MalformedWebhookException.class);
        // keys that are no Toss key (looked up in a URL path): malformed, REJECTED at once, never retried
        assertThatThrownBy(() -> rules.parse(Map.of("eventType", "PAYMENT_STATUS_CHANGED",
                "data", "{\"paymentKey\": \"../x\", \"status\": \"DONE\"}")))
                .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("paymentKey");
        assertThatThrownBy(() -> rules.parse(Map.of("transactionKey", "txrd_1", "orderId", "ord/../1", "status", "DONE")))
                .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("orderId");

        VendorPayment record = TossResponses.payment(read(payment("PARTIAL_CANCELED", 9900, 1000)));
        assertThat(rules.check(w, record).isConsistent()).isTrue();
        // a claim the record contradicts: another amount, another order
        VendorWebhook forged = new VendorWebhook("toss", w.vendorRef(), w.orderId(), "DONE", null, 99000L);
        assertThat(rules.check(forged, record).isConsistent()).isFalse();
        assertThat(rules.check(forged, record).behind()).isFalse();
        // a cancel the record does not show yet
        ClaimCheck ahead = rules.check(new VendorWebhook("toss", w.vendorRef(), w.orderId(), "CANCELED", null, null),
                TossResponses.payment(read(payment("DONE", 9900))));
        assertThat(ahead.behind()).isTrue();
        // a waiting virtual account cancelled before its deposit: the CANCELED webhook is borne out by a record
        // that shows it never approved (FAILED), so the payment leaves AWAITING_DEPOSIT as FAILED, never PAID
        VendorPayment closedUnpaid = TossResponses.payment(read(payment("CANCELED", 9900)
                .replace("\"approvedAt\":\"2024-02-13T12:18:14+09:00\"", "\"approvedAt\":null")));
        assertThat(closedUnpaid.status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(rules.check(new VendorWebhook("toss", w.vendorRef(), w.orderId(), "CANCELED", null, 9900L), closedUnpaid)
                .isConsistent()).isTrue();
    }

    private static JsonNode read(String json) {
        return VendorJson.readObject(json);
    }
}
