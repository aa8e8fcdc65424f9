package paybridge.payments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.ledger.LedgerStore;

/**
 * The money facts a vendor's looked-up record shows, as ledger events: one mapping for every path
 * that learns from a record (reconcile's lookup, a verified webhook), so both record the same facts
 * under the same event keys.
 */
public final class VendorRecordFacts {
    private VendorRecordFacts() {
    }

    /**
     * The failure a move to FAILED records from the vendor's record (its reason, else that the vendor ended it
     * unpaid, as a virtual account closed or expired before its deposit); null for any other move. Billing reads
     * a FAILED payment's code: one without would be neither a decline nor a conclusion.
     */
    public static Failure failure(PaymentStates.Transition move, VendorPayment found) {
        if (move.to() != PaymentStatus.FAILED) {
            return null;
        }
        return new Failure("VENDOR_DECLINED", found.failureReason() != null ? found.failureReason()
                : "the vendor ended the payment unpaid (" + found.status() + ")");
    }

    /**
     * The ledger facts a looked-up record shows: PAID (+amount) for anything paid, then one return
     * per cancellation in the vendor's history (negative, keyed by its cancellation id; the one that
     * returns the rest is CANCELLED, earlier ones PARTIALLY_REFUNDED). Without a history, one return
     * keyed by the cumulative amount. AWAITING_DEPOSIT, FAILED, ABANDONED: one entry of 0.
     * <p>
     * A vendor's record may show a payment's returns as a history at one time and only as their total at
     * another (Steppay's receipt, with and without {@code cancelHistory}). A cancellation the history lists
     * up to the largest total the ledger holds a return under is in the ledger already, under that total's
     * key: entered again under its id it would count the money twice (and understate what can still be
     * refunded). {@code recorded} is read under the payment's lock, when needed.
     */
    public static List<PaymentEvent> events(String vendor, String paymentId, String subscriptionId, VendorPayment found,
                                     long amount, java.util.function.Supplier<LedgerStore.Returns> recorded) {
        List<PaymentEvent> out = new ArrayList<>();
        Instant at = found.occurredAt() == null ? Instant.now() : found.occurredAt();
        String ref = found.vendorPaymentRef();
        switch (found.status()) {
            case AWAITING_DEPOSIT, FAILED, ABANDONED -> out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                    EventType.valueOf(found.status().name()), 0, "KRW", null, 0, at));
            case PAID, PARTIALLY_REFUNDED, CANCELLED -> {
                if (amount > 0) {
                    out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId, EventType.PAID, amount, "KRW",
                            null, 0, at));
                }
                long cumulative = 0;
                long coveredByTotal = found.cancellations().isEmpty() ? 0 : recorded.get().largestTotalKey();
                for (VendorPayment.Cancellation c : found.cancellations()) {
                    if (c.amount() <= 0) {
                        continue;
                    }
                    cumulative += c.amount();
                    if (cumulative <= coveredByTotal) {
                        continue;
                    }
                    out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                            PaymentStates.returned(cumulative, amount).ledgerEntry(), -c.amount(), "KRW",
                            c.cancellationId(), cumulative, c.cancelledAt() == null ? at : c.cancelledAt()));
                }
                if (found.cancellations().isEmpty() && found.cancelledAmount() > 0) {
                    long missing = found.cancelledAmount() - recorded.get().returned();
                    if (missing > 0) {
                        out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                                PaymentStates.returned(found.cancelledAmount(), amount).ledgerEntry(),
                                -missing, "KRW", null, found.cancelledAmount(), at));
                    }
                }
            }
            default -> {
            }
        }
        return out;
    }

}
