package paybridge.connector.iamport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Card;
import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.PaymentStatus;
import paybridge.sandbox.TestAmounts;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorHarness;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;

/** The iamport routes against the in-process sandbox over real HTTP; vendor timeout 0.5 s, hang 3 s. */
class IamportRoutesTest {
    static final Customer CUSTOMER = new Customer("user-42", "홍길동", "010-1234-5678", "gildong@example.kr");
    static final Card CARD = new Card("1234-1234-1234-1234", "2028-01", "900101", "12");
    private static VendorHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new VendorHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static String id() {
        return "pay-" + UUID.randomUUID().toString().substring(0, 18);
    }

    static PaymentCommand keyIn(String paymentId, long amount, String customerUid) {
        return new PaymentCommand(paymentId, "iamport", PaymentMethod.KEY_IN, amount, "KRW", "Premium plan",
                1, CUSTOMER, CARD, customerUid != null, customerUid, null);
    }

    static PaymentCommand again(String paymentId, long amount, String customerUid) {
        return new PaymentCommand(paymentId, "iamport", PaymentMethod.BILLING_KEY, amount, "KRW", "Premium plan",
                1, CUSTOMER, null, false, customerUid, null);
    }

    private ChargeOutcome charge(String endpoint, PaymentCommand cmd) {
        return h.call(endpoint, cmd, ChargeOutcome.class);
    }

    private String paidKeyIn(long amount, String customerUid) {
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(id(), amount, customerUid));
        assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
        return o.vendorPaymentRef();
    }

    @Test
    void keyInStoresTheCardAndAgainChargesIt() {
        String cu = "cu_" + UUID.randomUUID();
        String paymentId = id();
        ChargeOutcome first = charge("direct:iamport-keyin", keyIn(paymentId, 3000, cu));
        assertThat(first.status()).isEqualTo(ChargeStatus.PAID);
        assertThat(first.vendorPaymentRef()).matches("imp_\\d{12}");
        assertThat(first.billingKey()).isEqualTo(cu);
        assertThat(first.failure()).isNull();

        VendorPayment looked = h.call("direct:iamport-lookup-ref", first.vendorPaymentRef(), VendorPayment.class);
        assertThat(looked.found()).isTrue();
        assertThat(looked.orderId()).isEqualTo(paymentId);
        assertThat(looked.billingKey()).isEqualTo(cu);
        assertThat(looked.amount()).isEqualTo(3000);

        ChargeOutcome second = charge("direct:iamport-billing-key", again(id(), 9900, cu));
        assertThat(second.status()).isEqualTo(ChargeStatus.PAID);
        assertThat(second.billingKey()).isEqualTo(cu);
        assertThat(second.vendorPaymentRef()).isNotEqualTo(first.vendorPaymentRef());
    }

    @Test
    void keyInWithoutSavingReportsNoBillingKey() {
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(id(), 1000, null));
        assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
        assertThat(o.billingKey()).isNull();
    }

    @Test
    void declinesAreFailed() {
        ChargeOutcome onetime = charge("direct:iamport-keyin", keyIn(id(), TestAmounts.DECLINE, "cu_" + UUID.randomUUID()));
        assertThat(onetime.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(onetime.failure().code()).isEqualTo(IamportResponses.IAMPORT_REJECTED);
        assertThat(onetime.failure().message()).contains("F113");
        assertThat(onetime.billingKey()).isNull();

        String cu = "cu_" + UUID.randomUUID();
        paidKeyIn(1000, cu);
        ChargeOutcome declined = charge("direct:iamport-billing-key", again(id(), TestAmounts.DECLINE, cu));
        assertThat(declined.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(declined.failure().code()).isEqualTo(IamportResponses.IAMPORT_FAILED);
        assertThat(declined.failure().message()).contains("잔액부족");
        assertThat(declined.vendorPaymentRef()).startsWith("imp_");
    }

    @Test
    void againWithAnUnknownCustomerUidIsFailed() {
        ChargeOutcome o = charge("direct:iamport-billing-key", again(id(), 1000, "cu_nobody_" + UUID.randomUUID()));
        assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(o.failure().code()).isEqualTo(IamportResponses.IAMPORT_REJECTED);
    }

    @Test
    void aReusedMerchantUidOfAPaidPaymentChargesNothingAndIsUnknownNotFailed() throws Exception {
        String paymentId = id();
        assertThat(charge("direct:iamport-keyin", keyIn(paymentId, 1000, null)).status()).isEqualTo(ChargeStatus.PAID);
        long charges = h.stats("iamport").get("charges").asLong();
        // iamport refuses the duplicate merchant_uid as it refuses a card (code -1); its record shows this
        // charge (amount, customer_uid) charged, so the refusal is no decline: the lookup settles it later
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(paymentId, 1000, null));
        assertThat(o.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(o.failure().code()).isEqualTo(IamportResponses.IAMPORT_HOLDS_PAYMENT);
        assertThat(o.failure().message()).contains("duplicate").contains("holds payment").contains("(PAID)");
        assertThat(h.stats("iamport").get("charges").asLong()).isEqualTo(charges);
    }

    @Test
    void aChargedPaymentUnderThePaymentIdThatIsNotThisChargeLeavesTheRefusalStanding() {
        String paymentId = id();
        String cu = "cu_" + UUID.randomUUID();
        assertThat(charge("direct:iamport-keyin", keyIn(paymentId, 1000, cu)).status()).isEqualTo(ChargeStatus.PAID);
        // another amount, another customer_uid: refused, nothing charged by this attempt, and not this charge
        for (PaymentCommand other : java.util.List.of(again(paymentId, 2000, cu), again(paymentId, 1000, "cu_other_" + UUID.randomUUID()))) {
            ChargeOutcome o = charge("direct:iamport-billing-key", other);
            assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
            assertThat(o.failure().code()).isEqualTo(IamportResponses.IAMPORT_REJECTED);
        }
    }

    @Test
    void aReusedMerchantUidOfAFailedPaymentStaysADecline() {
        String paymentId = id();
        String cu = "cu_" + UUID.randomUUID();
        paidKeyIn(1000, cu);
        assertThat(charge("direct:iamport-billing-key", again(paymentId, TestAmounts.DECLINE, cu)).status())
                .isEqualTo(ChargeStatus.FAILED);
        ChargeOutcome o = charge("direct:iamport-billing-key", again(paymentId, 1000, cu));
        assertThat(o.status()).isEqualTo(ChargeStatus.FAILED);
        assertThat(o.failure().code()).isEqualTo(IamportResponses.IAMPORT_REJECTED);
    }

    @Test
    void aHangIsUnknownAndTheLookupLaterShowsItPaid() {
        String paymentId = id();
        long started = System.nanoTime();
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(paymentId, TestAmounts.HANG, null));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(o.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(o.failure().code()).isEqualTo("VENDOR_TIMEOUT");

        VendorPayment p = h.call("direct:iamport-lookup-order", paymentId, VendorPayment.class);
        assertThat(p.found()).isTrue();
        assertThat(p.status()).isEqualTo(PaymentStatus.PAID);
        assertThat(p.orderId()).isEqualTo(paymentId);
    }

    @Test
    void aServerErrorIsUnknownAndNothingWasCharged() {
        String paymentId = id();
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(paymentId, TestAmounts.SERVER_ERROR, null));
        assertThat(o.status()).isEqualTo(ChargeStatus.UNKNOWN);
        assertThat(o.failure().code()).isEqualTo("VENDOR_5XX");
        VendorPayment p = h.call("direct:iamport-lookup-order", paymentId, VendorPayment.class);
        assertThat(p.found()).isFalse();
        assertThat(p.vendor()).isEqualTo("iamport");
    }

    @Test
    void aVirtualAccountIsAwaitingDeposit() {
        ChargeOutcome o = charge("direct:iamport-keyin", keyIn(id(), TestAmounts.VIRTUAL_ACCOUNT, null));
        assertThat(o.status()).isEqualTo(ChargeStatus.AWAITING_DEPOSIT);
        VendorPayment p = h.call("direct:iamport-lookup-ref", o.vendorPaymentRef(), VendorPayment.class);
        assertThat(p.status()).isEqualTo(PaymentStatus.AWAITING_DEPOSIT);
    }

    @Test
    void refundsPartialThenRestWithChecksum() {
        String paymentId = id();
        String impUid = charge("direct:iamport-keyin", keyIn(paymentId, 10000, null)).vendorPaymentRef();

        RefundOutcome first = h.call("direct:iamport-refund",
                new RefundRequest("rf-1", paymentId, impUid, 3000, 10000, "customer request"), RefundOutcome.class);
        assertThat(first.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
        assertThat(first.refundedNow()).isEqualTo(3000);
        assertThat(first.refundedTotal()).isEqualTo(3000);
        assertThat(first.cancellationId()).isNotBlank();

        VendorPayment partly = h.call("direct:iamport-lookup-ref", impUid, VendorPayment.class);
        assertThat(partly.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(partly.cancelledAmount()).isEqualTo(3000);
        assertThat(partly.cancellations()).extracting(VendorPayment.Cancellation::cancellationId)
                .containsExactly(first.cancellationId());

        // the ledger believes 10000 is left, the vendor knows 7000: refused, nothing returned
        RefundOutcome stale = h.call("direct:iamport-refund",
                new RefundRequest("rf-2", paymentId, impUid, 1000, 10000, null), RefundOutcome.class);
        assertThat(stale.status()).isEqualTo(RefundOutcomeStatus.FAILED);
        assertThat(stale.failure().code()).isEqualTo(IamportResponses.IAMPORT_REJECTED);
        assertThat(stale.failure().message()).contains("checksum");

        // by merchant_uid when the ref is not known
        RefundOutcome rest = h.call("direct:iamport-refund",
                new RefundRequest("rf-3", paymentId, null, 7000, 7000, "rest"), RefundOutcome.class);
        assertThat(rest.status()).isEqualTo(RefundOutcomeStatus.REFUNDED);
        assertThat(rest.refundedNow()).isEqualTo(7000);
        assertThat(rest.refundedTotal()).isEqualTo(10000);
        assertThat(rest.cancellationId()).isNotEqualTo(first.cancellationId());
        assertThat(h.call("direct:iamport-lookup-order", paymentId, VendorPayment.class).status())
                .isEqualTo(PaymentStatus.CANCELLED);

        RefundOutcome more = h.call("direct:iamport-refund",
                new RefundRequest("rf-4", paymentId, impUid, 1, 0, null), RefundOutcome.class);
        assertThat(more.status()).isEqualTo(RefundOutcomeStatus.FAILED);
    }

    @Test
    void lookupsOfUnknownIdsAreNotFound() {
        assertThat(h.call("direct:iamport-lookup-ref", "imp_000000000000", VendorPayment.class).found()).isFalse();
        assertThat(h.call("direct:iamport-lookup-order", "never-" + UUID.randomUUID(), VendorPayment.class).found()).isFalse();
    }

    @Test
    void connectionRefusedIsNotAttemptedAndLookupsAreUnavailable() throws Exception {
        int port = VendorHarness.closedPort();
        try (VendorHarness down = new VendorHarness(s -> s,
                p -> p.setProperty("paybridge.iamport.base-url", "http://127.0.0.1:" + port + "/sandbox/iamport"))) {
            ChargeOutcome o = down.call("direct:iamport-keyin", keyIn(id(), 1000, null), ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            // the token could not be had, so the charge was never sent
            assertThat(o.failure().code()).isEqualTo(IamportResponses.NO_TOKEN);
            assertThatThrownBy(() -> down.call("direct:iamport-lookup-order", "x-1", VendorPayment.class))
                    .hasCauseInstanceOf(VendorUnavailableException.class);
        }
    }

    @Test
    void wrongCredentialsAreNotAttempted() throws Exception {
        try (VendorHarness wrong = new VendorHarness(s -> s, p -> p.setProperty("paybridge.iamport.api-secret", "wrong"))) {
            ChargeOutcome o = wrong.call("direct:iamport-billing-key", again(id(), 1000, "cu_x"), ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(o.failure().code()).isEqualTo("VENDOR_AUTH_REJECTED");
            RefundOutcome r = wrong.call("direct:iamport-refund", new RefundRequest("rf", "p", "imp_1", 1, 1, null),
                    RefundOutcome.class);
            assertThat(r.status()).isEqualTo(RefundOutcomeStatus.NOT_ATTEMPTED);
            assertThat(wrong.stats("iamport").get("charges").asLong()).isZero();
        }
    }

    @Test
    void headersThatCameInDoNotSteerTheCharge() throws Exception {
        // a charge is never retried: a redirected request would end NOT_ATTEMPTED, not be corrected by a retry
        Map<String, Object> hostile = Map.of(
                "CamelHttpUri", "http://127.0.0.1:" + VendorHarness.closedPort() + "/elsewhere",
                "CamelHttpQuery", "redirected=true");
        ChargeOutcome o = h.template.requestBodyAndHeaders("direct:iamport-keyin", keyIn(id(), 1000, null),
                hostile, ChargeOutcome.class);
        assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
    }
}
