package paybridge.payments;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.observe.DecisionLog;
import paybridge.vendor.VendorPayment;

/**
 * Settles UNKNOWN refunds (the vendor's answer was lost) from the payment's record at the vendor
 * (reconcile.camel.yaml does the lookup). It never sends a cancel: it compares the vendor's
 * cancellations with the payment's decided API refunds (matched by the vendor's cancellation id),
 * not with the ledger, which also holds cancellations learnt from webhooks.
 * <ul>
 * <li>the vendor returned no more than the decided refunds account for: this refund never happened,
 *     FAILED ({@value #NOT_REFUNDED}), its reserved amount released;</li>
 * <li>the vendor returned exactly this refund's amount more, in one cancellation of that amount that
 *     no decided refund claims: REFUNDED, its ledger entry keyed by that cancellation (so its webhook,
 *     if one came, is the same entry);</li>
 * <li>anything else (a console cancel too, another refund of the payment still open, no cancellation
 *     ids): left for an operator (logged), because the money cannot be attributed to this refund.</li>
 * </ul>
 */
public final class RefundReconcileService {
    private static final Logger LOG = LoggerFactory.getLogger(RefundReconcileService.class);
    public static final String REFUND = "paybridgeReconcileRefund";
    public static final String VENDOR = "paybridgeReconcileVendor";
    private static final String PAYMENT = "paybridgeReconcileRefundPayment";
    public static final String NOT_REFUNDED = "NOT_REFUNDED";

    private final PaymentStore payments;
    private final RefundStore refunds;
    private final LedgerStore ledger;
    private final Duration grace;

    /** @param grace how old an UNKNOWN refund must be before it is looked up (the vendor may still be at it) */
    public RefundReconcileService(PaymentStore payments, RefundStore refunds, LedgerStore ledger, Duration grace) {
        this.payments = payments;
        this.refunds = refunds;
        this.ledger = ledger;
        this.grace = grace;
    }

    /** The UNKNOWN refunds to look up now. */
    public List<RefundRecord> due() {
        return refunds.unknownBefore(Instant.now().minus(grace), 100);
    }

    /**
     * Body: an UNKNOWN refund. Keeps it as {@link #REFUND}, sets {@link #VENDOR}, and answers the
     * payment's vendor reference to look up (iamport imp_uid, Steppay idKey).
     */
    public String prepare(Exchange exchange) {
        RefundRecord refund = exchange.getMessage().getBody(RefundRecord.class);
        PaymentRecord payment = payments.find(refund.paymentId()).orElseThrow();
        exchange.setProperty(REFUND, refund);
        exchange.setProperty(PAYMENT, payment);
        exchange.setProperty(VENDOR, payment.vendor());
        return payment.vendorPaymentRef();
    }

    /** Body: the vendor's record of the payment; properties {@link #REFUND} and {@link #PAYMENT}. */
    public void settle(Exchange exchange) {
        settle(exchange.getProperty(REFUND, RefundRecord.class), exchange.getProperty(PAYMENT, PaymentRecord.class),
                exchange.getMessage().getBody(VendorPayment.class));
    }

    /** Settles one UNKNOWN refund from the vendor's record; false when it was left as it is. */
    public boolean settle(RefundRecord refund, PaymentRecord payment, VendorPayment found) {
        if (!found.found() || refunds.openOnPayment(payment.paymentId()) != 1) {
            LOG.warn("reconcile refundId={} paymentId={}: {}; left for an operator", refund.refundId(),
                    payment.paymentId(), found.found() ? "another refund of the payment is still open"
                            : "the vendor does not know the payment");
            return false;
        }
        // what the vendor returned that no decided API refund of this payment accounts for
        List<RefundStore.Refunded> decided = refunds.refundedOnPayment(payment.paymentId());
        Set<String> decidedRefs = decided.stream().map(RefundStore.Refunded::vendorRefundRef).collect(Collectors.toSet());
        long decidedAmount = decided.stream().mapToLong(RefundStore.Refunded::amount).sum();
        if (found.cancelledAmount() == decidedAmount) {
            payments.releaseRefund(payment.paymentId(), refund.amount());
            refunds.finish(refund.refundId(), "FAILED", null, new Failure(NOT_REFUNDED,
                    "The vendor returned nothing for this refund: it never happened"));
            log(refund, payment, "FAILED " + NOT_REFUNDED);
            return true;
        }
        // exactly one cancellation of this amount that no decided refund has claimed: this refund's
        // (a console cancel of the same amount would make two, or none: then an operator decides)
        List<String> candidates = found.cancellations().stream()
                .filter(c -> c.amount() == refund.amount() && c.cancellationId() != null
                        && !decidedRefs.contains(c.cancellationId()))
                .map(VendorPayment.Cancellation::cancellationId)
                .toList();
        if (candidates.size() != 1 || found.cancelledAmount() - decidedAmount != refund.amount()) {
            LOG.warn("reconcile refundId={} paymentId={}: the vendor returned {} KRW no decided refund accounts for, "
                    + "in {} matching cancellation(s); the refund is {} KRW; left for an operator", refund.refundId(),
                    payment.paymentId(), found.cancelledAmount() - decidedAmount, candidates.size(), refund.amount());
            return false;
        }
        String cancellationId = candidates.get(0);
        // keyed by the cancellation: if its webhook recorded it already, this is the same entry
        ledger.append(event(payment, refund, cancellationId, found), LedgerSource.RECONCILE);
        refunds.finish(refund.refundId(), "REFUNDED", cancellationId, null);
        log(refund, payment, "REFUNDED");
        return true;
    }

    private static PaymentEvent event(PaymentRecord payment, RefundRecord refund, String cancellationId,
                                      VendorPayment found) {
        return new PaymentEvent(payment.vendor(), payment.paymentId(), payment.vendorPaymentRef(),
                payment.subscriptionId(), EventType.REFUNDED, -refund.amount(), payment.currency(), cancellationId,
                found.cancelledAmount(), Instant.now());
    }

    private static void log(RefundRecord refund, PaymentRecord payment, String outcome) {
        DecisionLog.info(LOG, "reconcile", payment.paymentId(), refund.refundId(), payment.vendor(), outcome, -1,
                "reconcile refundId={} paymentId={} vendor={} outcome={}", refund.refundId(), payment.paymentId(),
                payment.vendor(), outcome);
    }
}
