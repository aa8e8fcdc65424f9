package paybridge.canonical;

import java.time.Instant;

/** A payment's current state: the answer to a charge and to {@code GET /api/payments/{paymentId}}. */
public record PaymentResult(
        String paymentId,
        String vendor,
        String method,
        PaymentStatus status,
        long amount,
        long refundedAmount,
        String currency,
        String vendorPaymentRef,
        String billingKey,
        String subscriptionId,
        Failure failure,
        Instant updatedAt) {
}
