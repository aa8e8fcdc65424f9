package paybridge.connector;

/**
 * What a vendor charge call established. {@code NOT_ATTEMPTED} is "certainly not charged"
 * (connection refused, credentials rejected, no token): the paymentId may be sent again.
 * {@code UNKNOWN} is "may have been charged" (timeout, connection lost after sending, 5xx after
 * sending): only a lookup may settle it, never a second send.
 */
public enum ChargeStatus {
    PAID, AWAITING_DEPOSIT, FAILED, PENDING, UNKNOWN, NOT_ATTEMPTED
}
