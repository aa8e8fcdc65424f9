package paybridge.connector.steppay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.PaymentStatus;
import paybridge.sandbox.TestAmounts;
import paybridge.sandbox.steppay.SteppaySimulator;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorHarness;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;

/** The Steppay routes against the in-process sandbox (billing answers "full"); timeout 0.5 s, hang 3 s. */
class SteppayRoutesTest {
    static final String SEED = SteppaySimulator.SEED_ID_KEY;
    static final Customer CUSTOMER = new Customer("user-42", "홍길동", "010-1234-5678", "gildong@example.kr");
    private static VendorHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new VendorHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static PaymentCommand billing(String paymentId, long amount, String idKey) {
        return new PaymentCommand(paymentId, "steppay", PaymentMethod.BILLING_KEY, amount, "KRW", "Premium plan",
                1, CUSTOMER, null, false, idKey, "sub-42");
    }

    static String id() {
        return "pay-" + UUID.randomUUID().toString().substring(0, 18);
    }

    private ChargeOutcome charge(long amount) {
        return h.call("direct:steppay-billing-key", billing(id(), amount, SEED), ChargeOutcome.class);
    }

    @Test
    void billingOnTheSeededKeyIsPaidWithANewIdKey() {
        String paymentId = id();
        ChargeOutcome o = h.call("direct:steppay-billing-key", billing(paymentId, 9900, SEED), ChargeOutcome.class);
        assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
        assertThat(o.vendorPaymentRef()).matches("\\d{13}[A-Za-z0-9]{16}").isNotEqualTo(SEED);
        assertThat(o.billingKey()).isEqualTo(SEED);

        VendorPayment p = h.call("direct:steppay-lookup-ref", o.vendorPaymentRef(), VendorPayment.class);
        assertThat(p.found()).isTrue();
        assertThat(p.status()).isEqualTo(PaymentStatus.PAID);
        assertThat(p.orderId()).isEqualTo(paymentId);
        assertThat(p.amount()).isEqualTo(9900);
        assertThat(p.billingKey()).isEqualTo(o.vendorPaymentRef()); // CARD_BILL: its idKey is a billing key too
    }

    @Test
    void aDeclineIsFailedWithSteppaysErrorCode() {
        ChargeOutcome o = charge(TestAmounts.DECLINE);
        assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(o.failure().code()).isEqualTo("PAYMENT_FAILED");
        assertThat(o.failure().message()).contains("잔액부족");
    }

    @Test
    void anUnknownBillingKeyIsFailed() {
        ChargeOutcome o = h.call("direct:steppay-billing-key", billing(id(), 1000, "1605793241347NOSUCHKEY0000000"),
                ChargeOutcome.class);
        assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(o.failure().code()).isEqualTo("BILLING_KEY_NOT_FOUND");
    }

    @Test
    void aHangIsUnknownAServerErrorIsUnknownAVirtualAccountAwaitsDeposit() throws Exception {
        long charges = h.stats("steppay").get("charges").asLong();
        long started = System.nanoTime();
        ChargeOutcome hang = charge(TestAmounts.HANG);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(hang.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(hang.failure().code()).isEqualTo("VENDOR_TIMEOUT");
        // charged at the vendor all the same, and sent only once
        assertThat(h.stats("steppay").get("charges").asLong()).isEqualTo(charges + 1);

        ChargeOutcome error = charge(TestAmounts.SERVER_ERROR);
        assertThat(error.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(error.failure().code()).isEqualTo("VENDOR_5XX");

        ChargeOutcome vbank = charge(TestAmounts.VIRTUAL_ACCOUNT);
        assertThat(vbank.status()).isEqualTo(ChargeStatus.AWAITING_DEPOSIT);
        assertThat(h.call("direct:steppay-lookup-ref", vbank.vendorPaymentRef(), VendorPayment.class).status())
                .isEqualTo(PaymentStatus.AWAITING_DEPOSIT);
    }

    @Test
    void refundsPartialAndFullThenTooMuch() {
        ChargeOutcome paid = charge(10000);
        String idKey = paid.vendorPaymentRef();

        RefundOutcome part = h.call("direct:steppay-refund",
                new RefundRequest("rf-1", "p", idKey, 3000, 10000, "customer request"), RefundOutcome.class);
        assertThat(part.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
        assertThat(part.refundedNow()).isEqualTo(3000);
        assertThat(part.refundedTotal()).isEqualTo(3000);
        assertThat(part.cancellationId()).isNotBlank();
        assertThat(h.call("direct:steppay-lookup-ref", idKey, VendorPayment.class).status())
                .isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);

        RefundOutcome rest = h.call("direct:steppay-refund",
                new RefundRequest("rf-2", "p", idKey, 7000, 7000, null), RefundOutcome.class);
        assertThat(rest.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
        assertThat(rest.refundedTotal()).isEqualTo(10000);
        VendorPayment cancelled = h.call("direct:steppay-lookup-ref", idKey, VendorPayment.class);
        assertThat(cancelled.status()).isEqualTo(PaymentStatus.CANCELLED);
        assertThat(cancelled.cancellations()).extracting(VendorPayment.Cancellation::cancellationId)
                .containsExactly(part.cancellationId(), rest.cancellationId());

        RefundOutcome more = h.call("direct:steppay-refund",
                new RefundRequest("rf-3", "p", idKey, 1, 0, null), RefundOutcome.class);
        assertThat(more.status()).isEqualTo(RefundOutcomeStatus.FAILED);
        assertThat(more.failure().code()).isEqualTo("NOT_CANCELLABLE");
    }

    @Test
    void lookupOfAnUnknownIdKeyIsNotFound() {
        VendorPayment p = h.call("direct:steppay-lookup-ref", "1605793241347NOSUCHKEY0000000", VendorPayment.class);
        assertThat(p.found()).isFalse();
        assertThat(p.vendor()).isEqualTo("steppay");
    }

    @Test
    void theSeedIsABillingKey() {
        VendorPayment seed = h.call("direct:steppay-lookup-ref", SEED, VendorPayment.class);
        assertThat(seed.billingKey()).isEqualTo(SEED);
        assertThat(seed.orderId()).isEqualTo(SteppaySimulator.SEED_PARTNER_ORDER_ID);
    }

    @Test
    void anEmptyBillingAnswerIsPending() throws Exception {
        try (VendorHarness empty = new VendorHarness(s -> s.steppayBillingResponse("empty"), p -> { })) {
            ChargeOutcome o = empty.call("direct:steppay-billing-key", billing(id(), 5000, SEED), ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.PENDING);
            assertThat(o.vendorPaymentRef()).isNull();
            assertThat(o.billingKey()).isEqualTo(SEED);
            assertThat(empty.stats("steppay").get("charges").asLong()).isEqualTo(1);
        }
    }

    @Test
    void connectionRefusedIsNotAttempted() throws Exception {
        int port = VendorHarness.closedPort();
        try (VendorHarness down = new VendorHarness(s -> s,
                p -> p.setProperty("paybridge.steppay.base-url", "http://127.0.0.1:" + port + "/sandbox/steppay"))) {
            ChargeOutcome o = down.call("direct:steppay-billing-key", billing(id(), 1000, SEED), ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(o.failure().code()).isEqualTo("VENDOR_UNREACHABLE");
            RefundOutcome r = down.call("direct:steppay-refund", new RefundRequest("rf", "p", SEED, 1, 100, null),
                    RefundOutcome.class);
            assertThat(r.status()).isEqualTo(RefundOutcomeStatus.NOT_ATTEMPTED);
            assertThatThrownBy(() -> down.call("direct:steppay-lookup-ref", SEED, VendorPayment.class))
                    .hasCauseInstanceOf(VendorUnavailableException.class);
        }
    }

    @Test
    void aWrongSecretTokenIsNotAttempted() throws Exception {
        try (VendorHarness wrong = new VendorHarness(s -> s, p -> p.setProperty("paybridge.steppay.secret-token", "wrong"))) {
            ChargeOutcome o = wrong.call("direct:steppay-billing-key", billing(id(), 1000, SEED), ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(o.failure().code()).isEqualTo("VENDOR_AUTH_REJECTED");
            assertThat(wrong.stats("steppay").get("charges").asLong()).isZero();
        }
    }

    @Test
    void theRefundHeaderNameIsConfigurable() throws Exception {
        try (VendorHarness keyHeader = new VendorHarness(s -> s,
                p -> p.setProperty("paybridge.steppay.refund-header", "Secret-Key"))) {
            ChargeOutcome paid = keyHeader.call("direct:steppay-billing-key", billing(id(), 2000, SEED), ChargeOutcome.class);
            RefundOutcome r = keyHeader.call("direct:steppay-refund",
                    new RefundRequest("rf", "p", paid.vendorPaymentRef(), 500, 2000, null), RefundOutcome.class);
            assertThat(r.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
            assertThat(r.refundedTotal()).isEqualTo(500);
        }
    }

    @Test
    void headersThatCameInDoNotSteerTheCharge() throws Exception {
        // a charge is never retried: a redirected request would end NOT_ATTEMPTED, not be corrected by a retry
        Map<String, Object> hostile = Map.of(
                "CamelHttpUri", "http://127.0.0.1:" + VendorHarness.closedPort() + "/elsewhere",
                "CamelHttpQuery", "redirected=true");
        ChargeOutcome o = h.template.requestBodyAndHeaders("direct:steppay-billing-key", billing(id(), 1000, SEED),
                hostile, ChargeOutcome.class);
        assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
    }
}
