package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/** The answer to a refund; {@code refundedAmount} and {@code remainingAmount} are the payment's totals after it. */
public record RefundResult(
        @Schema(example = "rf-1") String refundId,
        @Schema(example = "ord-20261122-0001") String paymentId,
        @Schema(example = "REFUNDED") RefundStatus status,
        @Schema(example = "1000") long amount,
        @Schema(example = "1000") long refundedAmount,
        @Schema(example = "2000") long remainingAmount,
        Failure failure) {
}
