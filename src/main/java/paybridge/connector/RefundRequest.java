package paybridge.connector;

/**
 * What a vendor refund route needs, resolved from the ledger by paybridge before the call.
 *
 * @param amount          the amount to return now (already checked against what remains)
 * @param remainingBefore what the ledger says is still refundable before this refund (iamport {@code checksum})
 */
public record RefundRequest(String refundId, String paymentId, String vendorPaymentRef, long amount,
                            long remainingBefore, String reason) {
}
