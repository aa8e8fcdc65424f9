package paybridge.vendor;

import paybridge.canonical.Failure;

/**
 * The canonical answer of every vendor refund route.
 *
 * @param refundedNow     the amount this refund returned (0 unless REFUNDED)
 * @param refundedTotal   the payment's cumulative returned amount after it, as the vendor reports it
 * @param cancellationId  the vendor's id of this cancellation, when it gives one
 */
public record RefundOutcome(RefundOutcomeStatus status, long refundedNow, long refundedTotal, String cancellationId,
                            Failure failure) {
}
