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

    public static RefundOutcome refunded(long refundedNow, long refundedTotal, String cancellationId) {
        return new RefundOutcome(RefundOutcomeStatus.REFUNDED, refundedNow, refundedTotal, cancellationId, null);
    }

    /** The vendor refused the refund (e.g. iamport's checksum mismatch): nothing was returned. */
    public static RefundOutcome failed(String code, String message) {
        return new RefundOutcome(RefundOutcomeStatus.FAILED, 0, 0, null, new Failure(code, message));
    }

    public static RefundOutcome unknown(String code, String message) {
        return new RefundOutcome(RefundOutcomeStatus.UNKNOWN, 0, 0, null, new Failure(code, message));
    }

    public static RefundOutcome notAttempted(String code, String message) {
        return new RefundOutcome(RefundOutcomeStatus.NOT_ATTEMPTED, 0, 0, null, new Failure(code, message));
    }
}
