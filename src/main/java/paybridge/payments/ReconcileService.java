package paybridge.payments;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.vendor.VendorPayment;

/**
 * Settles PENDING and UNKNOWN payments from the vendor's own record (reconcile.camel.yaml does the
 * lookups). It never re-sends a charge: it only records what the vendor says happened.
 */
public final class ReconcileService {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileService.class);
    public static final String ATTEMPT = "paybridgeAttempt";
    public static final String NOT_CHARGED = "NOT_CHARGED";

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final Duration pendingGrace;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    /**
     * @param pendingGrace how old a PENDING attempt must be before it is looked up: a younger one may
     *                     still be waiting for the vendor's answer, and a lookup then could find nothing
     *                     yet and wrongly conclude "never charged"
     */
    public ReconcileService(PaymentStore payments, LedgerStore ledger, Duration pendingGrace) {
        this.payments = payments;
        this.ledger = ledger;
        this.pendingGrace = pendingGrace;
    }

    /** Counts settlements in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /** The attempts to look up now: UNKNOWN ones at once, PENDING ones after the grace period. */
    public List<PaymentRecord> due() {
        Instant now = Instant.now();
        return payments.openBefore(now, 500).stream()
                .filter(p -> p.status() == PaymentStatus.UNKNOWN || p.updatedAt().isBefore(now.minus(pendingGrace)))
                .toList();
    }

    /** Body: the vendor's record; property {@link #ATTEMPT}: our attempt. Records the outcome, source RECONCILE. */
    public void settle(Exchange exchange) {
        PaymentRecord attempt = exchange.getProperty(ATTEMPT, PaymentRecord.class);
        VendorPayment found = exchange.getMessage().getBody(VendorPayment.class);
        settle(attempt, found, LedgerSource.RECONCILE);
    }

    /** Records what a lookup established about an open attempt; false when it settled nothing. */
    public boolean settle(PaymentRecord attempt, VendorPayment found, LedgerSource source) {
        if (!found.found()) {
            if (!"iamport".equals(attempt.vendor())) {
                return false; // only iamport's lookup by merchant_uid proves "never charged"
            }
            boolean settled = payments.settleOpen(attempt.paymentId(), PaymentStatus.FAILED, null, null,
                    new Failure(NOT_CHARGED, "The vendor has no payment for this paymentId: it was never charged"));
            if (settled) {
                meters.reconciled(attempt.vendor(), NOT_CHARGED);
            }
            DecisionLog.info(LOG, "reconcile", attempt.paymentId(), null, attempt.vendor(), NOT_CHARGED, -1,
                    "reconcile paymentId={} vendor={} outcome=NOT_CHARGED", attempt.paymentId(), attempt.vendor());
            return settled;
        }
        if (found.amount() != attempt.amount()) {
            LOG.warn("reconcile paymentId={} vendor={}: vendor amount differs from the attempt; left for an operator",
                    attempt.paymentId(), attempt.vendor());
            return false;
        }
        PaymentStatus status = found.status();
        EventType type;
        long amount = 0;
        if (status == PaymentStatus.PAID || status == PaymentStatus.PARTIALLY_REFUNDED || status == PaymentStatus.CANCELLED) {
            status = PaymentStatus.PAID;
            type = EventType.PAID;
            amount = attempt.amount();
        } else if (status == PaymentStatus.FAILED) {
            type = EventType.FAILED;
        } else if (status == PaymentStatus.AWAITING_DEPOSIT) {
            type = EventType.AWAITING_DEPOSIT;
        } else if (status == PaymentStatus.ABANDONED) {
            type = EventType.ABANDONED;
        } else {
            return false; // still open at the vendor
        }
        Failure failure = status == PaymentStatus.FAILED ? new Failure("VENDOR_DECLINED", found.failureReason()) : null;
        // the money fact first, then the state (as ChargeService.settle): a crash between the two leaves
        // the attempt open, so the next pass settles it and the entry is not written twice (event key)
        ledger.append(new PaymentEvent(attempt.vendor(), attempt.paymentId(), found.vendorPaymentRef(),
                attempt.subscriptionId(), type, amount, attempt.currency(), null, 0,
                found.occurredAt() == null ? Instant.now() : found.occurredAt()), source);
        if (!payments.settleOpen(attempt.paymentId(), status, found.vendorPaymentRef(), found.billingKey(), failure)) {
            return false;
        }
        meters.reconciled(attempt.vendor(), status.name());
        DecisionLog.info(LOG, "reconcile", attempt.paymentId(), null, attempt.vendor(), status.name(), -1,
                "reconcile paymentId={} vendor={} outcome={}", attempt.paymentId(), attempt.vendor(), status);
        return true;
    }
}
