package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.RefundState;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;
import paybridge.connector.VendorPayment;

/**
 * The attribution rules of {@link RefundReconcileService} on cases the sandbox cannot stage: a
 * webhook that recorded the lost refund's cancellation first, and a console cancel beside it.
 * Real database and stores; the vendor's record is given.
 */
class RefundReconcileRulesTest {
    private static RunningPaybridge app;
    private static PaymentStore payments;
    private static RefundStore refunds;
    private static LedgerStore ledger;
    private static RefundReconcileService reconcile;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"));
        payments = app.lookup("paymentStore", PaymentStore.class);
        ledger = app.lookup("ledgerStore", LedgerStore.class);
        refunds = new RefundStore(new Sql(app.context()));
        reconcile = app.lookup("refundReconcileService", RefundReconcileService.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A PAID 3000 payment with an UNKNOWN refund of 1000 on it. */
    private static PaymentRecord paidWithUnknownRefund(String paymentId, String refundId) {
        assertThat(app.postJson("/api/payments", Commands.keyIn(paymentId, 3000, false)).status()).isEqualTo(200);
        assertThat(refunds.insert(refundId, paymentId, "by-hand", 1000, "test")).isTrue();
        assertThat(payments.reserveRefund(paymentId, 1000)).isTrue();
        refunds.finish(refundId, RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        return payments.find(paymentId).orElseThrow();
    }

    private static VendorPayment record(PaymentRecord p, VendorPayment.Cancellation... cancellations) {
        long returned = List.of(cancellations).stream().mapToLong(VendorPayment.Cancellation::amount).sum();
        return new VendorPayment(true, "iamport", p.vendorPaymentRef(), p.paymentId(),
                returned >= p.amount() ? PaymentStatus.CANCELLED : PaymentStatus.PARTIALLY_REFUNDED, p.amount(), returned,
                List.of(cancellations), null, null, Instant.now());
    }

    private static JsonNode entries(String paymentId) {
        return app.get("/api/ledger?paymentId=" + paymentId).json().path("entries");
    }

    /**
     * Two refunds of a payment open; the record read while the second was still in flight shows nothing
     * returned. The lookup ran long enough for the second's bound to pass: only the first, past its bound
     * when the record was read, is concluded never refunded; the second may have been applied since.
     */
    @Test
    void aSiblingRefundWhoseBoundPassedWhileTheLookupRanIsNotConcluded() throws Exception {
        PaymentRecord p = paidWithUnknownRefund("rr-sibling", "rr-rf-sib-1");
        assertThat(refunds.insert("rr-rf-sib-2", p.paymentId(), "by-hand", 500, "test", Duration.ofSeconds(1))).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 500)).isTrue();
        refunds.finish("rr-rf-sib-2", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        Instant lookedUpAt = refunds.databaseNow();
        VendorPayment found = record(p); // nothing returned when it was read
        Thread.sleep(2_000); // the lookup ran long: the second refund's bound passed meanwhile

        reconcile.settle(refunds.find("rr-rf-sib-1").orElseThrow(), p, found, Duration.ZERO, lookedUpAt);

        assertThat(refunds.find("rr-rf-sib-1").orElseThrow().status()).isEqualTo(RefundState.FAILED);
        assertThat(refunds.find("rr-rf-sib-2").orElseThrow().status()).as("may have been applied after the record was read")
                .isEqualTo(RefundState.UNKNOWN);
        assertThat(payments.refundable(p.paymentId())).as("its 500 still reserved").isEqualTo(2500);
    }

    /** A vendor's refusal longer than the columns is cut to them: the refund is decided, never a failed finish. */
    @Test
    void aVendorsLongRefusalIsCutToTheColumnsAndTheRefundDecided() {
        PaymentRecord p = paidWithUnknownRefund("rr-long-text", "rr-rf-long");
        assertThat(refunds.finish("rr-rf-long", RefundState.FAILED, null,
                new Failure("E".repeat(80), "m".repeat(600)))).isTrue();
        RefundRecord failed = refunds.find("rr-rf-long").orElseThrow();
        assertThat(failed.status()).isEqualTo(RefundState.FAILED);
        assertThat(failed.failureCode()).hasSize(64);
        assertThat(failed.failureMessage()).hasSize(500);
        assertThat(p.status()).isEqualTo(PaymentStatus.PAID);
    }

    @Test
    void aCancellationAWebhookRecordedFirstIsThisRefundAndOneEntry() {
        PaymentRecord p = paidWithUnknownRefund("rr-webhook-first", "rr-rf-1");
        // the webhook of the same cancellation was recorded before reconcile looked
        ledger.append(new PaymentEvent("iamport", p.paymentId(), p.vendorPaymentRef(), null, EventType.PARTIALLY_REFUNDED,
                -1000, "KRW", "cx-1", 1000, Instant.now()), LedgerSource.WEBHOOK);

        assertThat(reconcile.settle(refunds.find("rr-rf-1").orElseThrow(), p,
                record(p, new VendorPayment.Cancellation("cx-1", 1000, Instant.now())))).isTrue();

        RefundRecord settled = refunds.find("rr-rf-1").orElseThrow();
        assertThat(settled.status()).isEqualTo(RefundState.REFUNDED);
        assertThat(entries(p.paymentId())).as("PAID and one return").hasSize(2);
    }

    @Test
    void aConsoleCancelBesideItLeavesTheRefundToAnOperator() {
        PaymentRecord p = paidWithUnknownRefund("rr-console", "rr-rf-2");

        assertThat(reconcile.settle(refunds.find("rr-rf-2").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("cx-a", 1000, Instant.now()),
                new VendorPayment.Cancellation("cx-b", 1000, Instant.now())))).isFalse();

        assertThat(refunds.find("rr-rf-2").orElseThrow().status()).isEqualTo(RefundState.UNKNOWN);
        assertThat(entries(p.paymentId())).as("nothing recorded").hasSize(1);
    }

    @Test
    void returnsThatDecidedRefundsAccountForMeanThisOneNeverHappened() {
        PaymentRecord p = paidWithUnknownRefund("rr-decided", "rr-rf-3");
        // an earlier refund of 500, decided and recorded under the vendor's cancellation cx-old
        assertThat(refunds.insert("rr-rf-old", p.paymentId(), "by-hand", 500, "earlier")).isTrue();
        refunds.finish("rr-rf-old", RefundState.REFUNDED, "cx-old", null);

        assertThat(reconcile.settle(refunds.find("rr-rf-3").orElseThrow(), p,
                record(p, new VendorPayment.Cancellation("cx-old", 500, Instant.now())))).isTrue();

        RefundRecord settled = refunds.find("rr-rf-3").orElseThrow();
        assertThat(settled.status()).isEqualTo(RefundState.FAILED);
        assertThat(settled.failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
    }

    @Test
    void twoOpenRefundsPairedOneToOneWithTheVendorsUnclaimedCancellationsAreBothRefunded() {
        PaymentRecord p = paidWithUnknownRefund("rr-two", "rr-rf-4");
        assertThat(refunds.insert("rr-rf-5", p.paymentId(), "by-hand", 700, "second")).isTrue();
        refunds.finish("rr-rf-5", RefundState.UNKNOWN, null, null);
        long rf4 = refunds.find("rr-rf-4").orElseThrow().amount();

        assertThat(reconcile.settle(refunds.find("rr-rf-4").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("cx-700", 700, Instant.now()),
                new VendorPayment.Cancellation("cx-" + rf4, rf4, Instant.now())))).isTrue();

        assertThat(refunds.refundedOnPayment(p.paymentId())).containsExactlyInAnyOrder(
                new RefundStore.Refunded("cx-" + rf4, rf4), new RefundStore.Refunded("cx-700", 700));
        assertThat(entries(p.paymentId())).as("PAID and two returns").hasSize(3);
    }

    @Test
    void twoOpenRefundsAndAReturnThatPairsWithNeitherNeverHappened() {
        PaymentRecord p = paidWithUnknownRefund("rr-two-odd", "rr-rf-6");
        assertThat(refunds.insert("rr-rf-7", p.paymentId(), "by-hand", 700, "second")).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 700)).isTrue();

        // a refund returns exactly its amount: a return of 300 is neither of them (a console cancel)
        assertThat(reconcile.settle(refunds.find("rr-rf-6").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("cx-odd", 300, Instant.now())))).isTrue();
        assertThat(refunds.find("rr-rf-6").orElseThrow().failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(refunds.find("rr-rf-7").orElseThrow().failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(payments.find(p.paymentId()).orElseThrow().refundReserved()).isZero();
    }

    @Test
    void aConsoleCancelOfAnotherAmountBesideItIsNotThisRefund() {
        // the refund's own return is there beside the console cancel: REFUNDED by it
        PaymentRecord p = paidWithUnknownRefund("rr-console-refunded", "rr-rf-8");
        assertThat(reconcile.settle(refunds.find("rr-rf-8").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("cx-console", 500, Instant.now()),
                new VendorPayment.Cancellation("cx-mine", 1000, Instant.now())))).isTrue();
        assertThat(refunds.refundedOnPayment(p.paymentId())).containsExactly(new RefundStore.Refunded("cx-mine", 1000));

        // only the console cancel: this refund never happened, its reservation released
        PaymentRecord q = paidWithUnknownRefund("rr-console-only", "rr-rf-9");
        assertThat(reconcile.settle(refunds.find("rr-rf-9").orElseThrow(), q, record(q,
                new VendorPayment.Cancellation("cx-console-2", 500, Instant.now())))).isTrue();
        assertThat(refunds.find("rr-rf-9").orElseThrow().failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(payments.find(q.paymentId()).orElseThrow().refundReserved()).isZero();
    }

    /**
     * A console cancel of the same amount, learnt by its webhook before the refund was asked, is not the
     * refund's return: a refund that was never sent (its node stopped after its row) is concluded never
     * refunded and its reservation released, not REFUNDED by money the customer got back for something else.
     */
    @Test
    void aConsoleCancelOfTheSameAmountRecordedBeforeTheRefundWasAskedIsNotItsReturn() {
        PaymentRecord p = paidWithConsoleCancelFirst("rr-console-before", "cx-before", 1000);
        assertThat(refunds.insert("rr-rf-10", p.paymentId(), "by-hand", 1000, "test")).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 1000)).isTrue();

        assertThat(reconcile.settle(refunds.find("rr-rf-10").orElseThrow(), p,
                record(p, new VendorPayment.Cancellation("cx-before", 1000, Instant.now())))).isTrue();

        assertNeverRefunded("rr-rf-10", p);
        assertThat(entries(p.paymentId())).as("PAID and the console cancel").hasSize(2);

        // two refunds open (an outage), the same console cancel before both: neither happened
        PaymentRecord q = paidWithConsoleCancelFirst("rr-console-before-2", "cx-before-2", 1000);
        assertThat(refunds.insert("rr-rf-11", q.paymentId(), "by-hand", 1000, "test")).isTrue();
        assertThat(refunds.insert("rr-rf-12", q.paymentId(), "by-hand", 700, "test")).isTrue();
        assertThat(payments.reserveRefund(q.paymentId(), 1700)).isTrue();
        reconcile.settle(refunds.find("rr-rf-11").orElseThrow(), q,
                record(q, new VendorPayment.Cancellation("cx-before-2", 1000, Instant.now())));
        assertNeverRefunded("rr-rf-11", q);
        assertNeverRefunded("rr-rf-12", q);
    }

    /**
     * Not itemized (an earlier refund decided without the vendor's id, its return recorded by its
     * webhook): the console cancel before the refund is still never credited to it; with a decided
     * refund that names no return the totals cannot tell that refund's money from the console cancel, so
     * the refund is left for an operator rather than concluded either way.
     */
    @Test
    void withoutAnItemizedRecordAConsoleCancelRecordedBeforeTheRefundIsNeverCreditedToIt() {
        PaymentRecord p = paidWithConsoleCancelFirst("rr-console-before-3", "cx-before-3", 1000);
        assertThat(refunds.insert("rr-rf-13", p.paymentId(), "by-hand", 500, "earlier")).isTrue();
        refunds.finish("rr-rf-13", RefundState.REFUNDED, null, null);
        returnRecordedByWebhook(p, "cx-earlier", 500, 1500);
        assertThat(refunds.insert("rr-rf-14", p.paymentId(), "by-hand", 1000, "test")).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 1000)).isTrue();
        refunds.finish("rr-rf-14", RefundState.UNKNOWN, null, null);

        assertThat(reconcile.settle(refunds.find("rr-rf-14").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("cx-earlier", 500, Instant.now()),
                new VendorPayment.Cancellation("cx-before-3", 1000, Instant.now())))).isFalse();

        assertThat(refunds.find("rr-rf-14").orElseThrow().status()).isEqualTo(RefundState.UNKNOWN);
        assertThat(refunds.refundedOnPayment(p.paymentId())).containsExactly(new RefundStore.Refunded(null, 500));
    }

    /**
     * An earlier refund decided without the vendor's id, its return recorded by its webhook before the
     * next refund was asked; the next refund's answer was lost but the vendor returned it: REFUNDED with
     * its own return, never concluded not refunded by counting the earlier refund's money twice.
     */
    @Test
    void anEarlierRefundWithoutItsIdAndItsWebhooksReturnAreOneMoneyNotTwo() {
        assertThat(app.postJson("/api/payments", Commands.keyIn("rr-unnamed", 3000, false)).status()).isEqualTo(200);
        PaymentRecord p = payments.find("rr-unnamed").orElseThrow();
        assertThat(refunds.insert("rr-rf-15", p.paymentId(), "by-hand", 500, "earlier")).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 500)).isTrue();
        refunds.finish("rr-rf-15", RefundState.REFUNDED, null, null);
        returnRecordedByWebhook(p, "c0", 500, 500);
        assertThat(refunds.insert("rr-rf-16", p.paymentId(), "by-hand", 500, "next")).isTrue();
        assertThat(payments.reserveRefund(p.paymentId(), 500)).isTrue();
        refunds.finish("rr-rf-16", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));

        assertThat(reconcile.settle(refunds.find("rr-rf-16").orElseThrow(), p, record(p,
                new VendorPayment.Cancellation("c0", 500, Instant.now()),
                new VendorPayment.Cancellation("c1", 500, Instant.now())))).isTrue();

        RefundRecord settled = refunds.find("rr-rf-16").orElseThrow();
        assertThat(settled.status()).isEqualTo(RefundState.REFUNDED);
        assertThat(refunds.refundedOnPayment(p.paymentId())).contains(new RefundStore.Refunded("c1", 500));
    }

    private static void returnRecordedByWebhook(PaymentRecord p, String cancellationId, long amount, long cumulative) {
        ledger.append(new PaymentEvent("iamport", p.paymentId(), p.vendorPaymentRef(), null, EventType.PARTIALLY_REFUNDED,
                -amount, "KRW", cancellationId, cumulative, Instant.now()), LedgerSource.WEBHOOK);
    }

    /** A PAID 3000 payment and a console cancel of {@code amount} its webhook recorded. */
    private static PaymentRecord paidWithConsoleCancelFirst(String paymentId, String cancellationId, long amount) {
        assertThat(app.postJson("/api/payments", Commands.keyIn(paymentId, 3000, false)).status()).isEqualTo(200);
        PaymentRecord p = payments.find(paymentId).orElseThrow();
        ledger.append(new PaymentEvent("iamport", p.paymentId(), p.vendorPaymentRef(), null, EventType.PARTIALLY_REFUNDED,
                -amount, "KRW", cancellationId, amount, Instant.now()), LedgerSource.WEBHOOK);
        return p;
    }

    private static void assertNeverRefunded(String refundId, PaymentRecord p) {
        RefundRecord r = refunds.find(refundId).orElseThrow();
        assertThat(r.status()).as(refundId).isEqualTo(RefundState.FAILED);
        assertThat(r.failureCode()).as(refundId).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(refunds.refundedOnPayment(p.paymentId())).as("nothing credited to " + refundId)
                .noneMatch(d -> d.vendorRefundRef() != null && d.vendorRefundRef().startsWith("cx-before"));
    }
}
