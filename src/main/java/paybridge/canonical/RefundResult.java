package paybridge.canonical;

/** The answer to a refund; {@code refundedAmount} and {@code remainingAmount} are the payment's totals after it. */
public record RefundResult(
        String refundId,
        String paymentId,
        RefundStatus status,
        long amount,
        long refundedAmount,
        long remainingAmount,
        Failure failure) {
}
