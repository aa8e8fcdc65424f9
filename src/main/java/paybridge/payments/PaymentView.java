package paybridge.payments;

import paybridge.connector.DeclineClassifier;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;

/**
 * A payment's {@link PaymentResult}: the attempt's state from {@code payments}, the money from the
 * ledger. A PAID payment with money returned reads as PARTIALLY_REFUNDED or CANCELLED. A FAILED
 * payment's vendor decline carries its category (SOFT/HARD) from the vendor's decline table.
 */
public final class PaymentView {
    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final DeclineClassifier declines;

    public PaymentView(PaymentStore payments, LedgerStore ledger, DeclineClassifier declines) {
        this.payments = payments;
        this.ledger = ledger;
        this.declines = declines;
    }

    public java.util.Optional<PaymentResult> find(String paymentId) {
        return payments.find(paymentId).map(this::of);
    }

    public PaymentResult of(PaymentRecord r) {
        return of(r, ledger.returned(r.paymentId()));
    }

    /** A payment that was open until a moment ago: no money can have been returned on it yet. */
    public PaymentResult ofUnrefunded(PaymentRecord r) {
        return of(r, 0);
    }

    private PaymentResult of(PaymentRecord r, long returned) {
        PaymentStatus status = PaymentStates.shown(r.status(), r.amount(), returned);
        Failure failure = r.failureCode() == null ? null
                : declines.classified(r.status(), r.vendor(), new Failure(r.failureCode(), r.failureMessage()));
        return new PaymentResult(r.paymentId(), r.vendor(), r.method(), status, r.amount(), returned, r.currency(),
                r.vendorPaymentRef(), r.billingKey(), r.subscriptionId(), failure, r.updatedAt());
    }
}
