package paybridge.connector;

import java.time.Instant;
import java.util.List;

import paybridge.canonical.PaymentStatus;

/**
 * A payment as the vendor's lookup reports it (reconcile and webhook verification). The looked-up
 * record decides, never a webhook body.
 *
 * @param found            false when the vendor does not know it (iamport 404: never charged)
 * @param orderId          the merchant's order id at the vendor (iamport {@code merchant_uid}, Steppay {@code partnerOrderId})
 * @param status           mapped to canonical: PAID (also while partially cancelled), AWAITING_DEPOSIT, FAILED,
 *                         CANCELLED (fully), PARTIALLY_REFUNDED, ABANDONED, PENDING (not finished at the vendor)
 * @param cancelledAmount  cumulative amount returned
 * @param billingKey       iamport {@code customer_uid}; Steppay: the idKey itself when the method is {@code *_BILL}
 * @param cancelInProgress the vendor shows a cancel accepted but not finished (Steppay {@code CANCEL_PROGRESS}):
 *                         money may still leave, so "not refunded" must not be concluded
 */
public record VendorPayment(
        boolean found,
        String vendor,
        String vendorPaymentRef,
        String orderId,
        PaymentStatus status,
        long amount,
        long cancelledAmount,
        List<Cancellation> cancellations,
        String billingKey,
        String failureReason,
        Instant occurredAt,
        boolean cancelInProgress) {

    /** A record without a cancel in progress. */
    public VendorPayment(boolean found, String vendor, String vendorPaymentRef, String orderId, PaymentStatus status,
                         long amount, long cancelledAmount, List<Cancellation> cancellations, String billingKey,
                         String failureReason, Instant occurredAt) {
        this(found, vendor, vendorPaymentRef, orderId, status, amount, cancelledAmount, cancellations, billingKey,
                failureReason, occurredAt, false);
    }

    public static VendorPayment notFound(String vendor) {
        return new VendorPayment(false, vendor, null, null, null, 0, 0, List.of(), null, null, null);
    }

    /**
     * The history's returns that took money back, oldest first by their time when every one has a time (a
     * vendor need not list them in order), else in the order listed.
     */
    public List<Cancellation> returnsOldestFirst() {
        return oldestFirst(cancellations);
    }

    /** As {@link #returnsOldestFirst()}, of a history. */
    public static List<Cancellation> oldestFirst(List<Cancellation> history) {
        List<Cancellation> out = new java.util.ArrayList<>(history.stream().filter(c -> c.amount() > 0).toList());
        if (out.stream().allMatch(c -> c.cancelledAt() != null)) {
            out.sort(java.util.Comparator.comparing(Cancellation::cancelledAt));
        }
        return out;
    }

    /**
     * What the vendor had returned in all once {@code c} was returned: the history's returns through it, oldest
     * first; -1 when its place is unknown (another return has its time: vendors give whole seconds) or it is
     * not listed.
     */
    public long returnedThrough(Cancellation c) {
        return returnedThrough(cancellations, c);
    }

    /** As {@link #returnedThrough(Cancellation)}, in a history. */
    public static long returnedThrough(List<Cancellation> history, Cancellation c) {
        List<Cancellation> oldestFirst = oldestFirst(history);
        long running = 0;
        for (Cancellation o : oldestFirst) {
            running += o.amount();
            if (o.equals(c)) {
                boolean placed = c.cancelledAt() == null
                        || oldestFirst.stream().filter(x -> x != o).noneMatch(x -> c.cancelledAt().equals(x.cancelledAt()));
                return placed ? running : -1;
            }
        }
        return -1;
    }

    /** One cancellation in the vendor's history. */
    public record Cancellation(String cancellationId, long amount, Instant cancelledAt) {
    }
}
