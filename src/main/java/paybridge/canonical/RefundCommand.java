package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/** A refund of all ({@code amount} null) or part of a payment; {@code refundId} is its idempotency key. */
public record RefundCommand(
        @Schema(example = "rf-1") String refundId,
        @Schema(example = "ord-20261122-0001") String paymentId,
        @Schema(example = "1000") Long amount,
        @Schema(example = "customer request") String reason) {
}
