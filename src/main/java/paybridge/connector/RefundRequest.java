package paybridge.connector;

import java.util.Set;

/**
 * What a vendor refund route needs, resolved from the ledger by paybridge before the call.
 *
 * @param amount          the amount to return now (already checked against what remains)
 * @param remainingBefore what the ledger says is still refundable before this refund (iamport {@code checksum})
 * @param claimedCancellations the vendor's ids of the payment's returns already accounted for when the
 *                        refund began (decided refunds, and returns the ledger holds, e.g. from webhooks):
 *                        none of them can be this refund's, so a vendor that answers with the whole
 *                        cancel history picks this refund's return among the others
 */
public record RefundRequest(String refundId, String paymentId, String vendorPaymentRef, long amount,
                            long remainingBefore, String reason, Set<String> claimedCancellations) {

    public RefundRequest {
        claimedCancellations = claimedCancellations == null ? Set.of() : Set.copyOf(claimedCancellations);
    }

    /** A refund of a payment with no return accounted for yet. */
    public RefundRequest(String refundId, String paymentId, String vendorPaymentRef, long amount,
                         long remainingBefore, String reason) {
        this(refundId, paymentId, vendorPaymentRef, amount, remainingBefore, reason, Set.of());
    }
}
