package paybridge.connector;

import paybridge.canonical.Failure;

/**
 * The canonical answer of every vendor refund route.
 *
 * @param refundedNow     the amount this refund returned (0 unless REFUNDED)
 * @param refundedTotal   the payment's cumulative returned amount after it, as the vendor reports it
 *                        ({@code -1}: not known)
 * @param cancellationId  the vendor's id of this cancellation, when it gives one
 * @param keyedByTotal    the vendor's lookup does not list this cancellation by its id, so whoever else
 *                        learns of it (a webhook verified by that lookup) knows it only by the payment's
 *                        cumulative returned amount: the ledger entry must be keyed by
 *                        {@code refundedTotal}, not by {@code cancellationId}, to be the same entry
 */
public record RefundOutcome(RefundOutcomeStatus status, long refundedNow, long refundedTotal, String cancellationId,
                            Failure failure, boolean keyedByTotal) {

    public RefundOutcome(RefundOutcomeStatus status, long refundedNow, long refundedTotal, String cancellationId,
                         Failure failure) {
        this(status, refundedNow, refundedTotal, cancellationId, failure, false);
    }

    public static RefundOutcome refunded(long refundedNow, long refundedTotal, String cancellationId) {
        return new RefundOutcome(RefundOutcomeStatus.REFUNDED, refundedNow, refundedTotal, cancellationId, null);
    }

    /** REFUNDED, where the vendor's lookup knows the return only by the cumulative amount (see {@link #keyedByTotal}). */
    public static RefundOutcome refundedKeyedByTotal(long refundedNow, long refundedTotal, String cancellationId) {
        return new RefundOutcome(RefundOutcomeStatus.REFUNDED, refundedNow, refundedTotal, cancellationId, null, true);
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

    /** The id the ledger keys this return by: the cancellation's, unless it must be keyed by the total. */
    public String ledgerCancellationId() {
        return keyedByTotal ? null : cancellationId;
    }
}
