package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;

/** A payment's current state: the answer to a charge and to {@code GET /api/payments/{paymentId}}. */
public record PaymentResult(
        @Schema(example = "ord-20261122-0001") String paymentId,
        @Schema(example = "iamport") String vendor,
        @Schema(example = "KEY_IN") String method,
        @Schema(example = "PAID") PaymentStatus status,
        @Schema(example = "3000") long amount,
        @Schema(example = "0") long refundedAmount,
        @Schema(example = "KRW") String currency,
        @Schema(example = "imp_123456789012") String vendorPaymentRef,
        @Schema(example = "cu_user-42_5f3a") String billingKey,
        @Schema(example = "sub-42") String subscriptionId,
        Failure failure,
        @Schema(example = "2026-11-22T05:00:00Z") Instant updatedAt) {
}
