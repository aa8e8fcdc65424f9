package paybridge.payments;

import java.time.Instant;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Transactions;
import paybridge.observe.PaybridgeMeters;

/**
 * The vendor's record wins over a conclusion (CONTRACT §2). A payment concluded FAILED without the
 * vendor saying so — reconcile's "never charged" ({@code NOT_CHARGED}) or an operator's FAILED
 * ({@code OPERATOR}) — that the vendor later shows charged (the charge's own late answer, a reconcile
 * lookup, a verified webhook) becomes PAID with its PAID entry, in one transaction, and raises an
 * alert: {@code paybridge_not_charged_overturned_total{vendor}} and an ERROR line naming the payment.
 * The row keeps {@code overturned_from} (the conclusion's code) and {@code overturned_at}, so billing
 * finds a period re-sent meanwhile under its next id: {@code status = 'PAID' AND overturned_from IS NOT NULL}.
 */
public final class ConclusionOverturn {
    private static final Logger LOG = LoggerFactory.getLogger(ConclusionOverturn.class);
    /** The failure codes that are paybridge's (or an operator's) conclusion, not the vendor's answer. */
    public static final Set<String> CONCLUSIONS = PaymentStates.conclusions();
    private static final Transition OVERTURN = PaymentStates.only(Fact.OVERTURNED_BY_VENDOR_RECORD);

    private ConclusionOverturn() {
    }

    /** True when the payment is FAILED by a conclusion that the vendor's record may overturn. */
    public static boolean overturnable(PaymentRecord p) {
        return OVERTURN.leaves(p.status(), p.failureCode());
    }

    /**
     * Makes an overturnable FAILED payment PAID with its PAID ledger entry (one transaction); false
     * when it was not (or no longer) such a payment.
     */
    public static boolean toPaid(PaymentStore payments, LedgerStore ledger, PaybridgeMeters meters, PaymentRecord p,
                                 String vendorPaymentRef, String billingKey, Instant occurredAt, LedgerSource source) {
        return toPaid(payments, ledger, meters, p, vendorPaymentRef, billingKey, occurredAt, source, () -> { });
    }

    /**
     * As above; {@code alsoRecord} runs in the same transaction after the PAID entry, with the payment's
     * row held: the other money facts of the record that overturned it (its cancellations), computed
     * there, commit with the overturn or not at all.
     */
    public static boolean toPaid(PaymentStore payments, LedgerStore ledger, PaybridgeMeters meters, PaymentRecord p,
                                 String vendorPaymentRef, String billingKey, Instant occurredAt, LedgerSource source,
                                 Runnable alsoRecord) {
        if (!overturnable(p)) {
            return false;
        }
        boolean done = payments.inTransaction(() -> {
            payments.lock(p.paymentId());
            if (!payments.overturnToPaid(p.paymentId(), vendorPaymentRef, billingKey)) {
                return false;
            }
            ledger.append(new PaymentEvent(p.vendor(), p.paymentId(), vendorPaymentRef != null ? vendorPaymentRef
                    : p.vendorPaymentRef(), p.subscriptionId(), OVERTURN.ledgerEntry(), OVERTURN.ledgerAmount(p.amount()),
                    p.currency(), null, 0, occurredAt == null ? Instant.now() : occurredAt), source);
            alsoRecord.run();
            // after the outermost commit: a webhook or reconcile may run this inside a larger transaction
            Transactions.afterCommit(() -> {
                meters.notChargedOverturned(p.vendor());
                LOG.error("paymentId={} vendor={} was concluded FAILED {} but the vendor's record shows it charged "
                                + "(learnt from {}): now PAID; a billing period re-sent meanwhile may be charged twice, "
                                + "check it", p.paymentId(), p.vendor(), p.failureCode(), source);
            });
            return true;
        });
        return done;
    }
}
