package paybridge.canonical;

/** A refund of all ({@code amount} null) or part of a payment; {@code refundId} is its idempotency key. */
public record RefundCommand(String refundId, String paymentId, Long amount, String reason) {
}
