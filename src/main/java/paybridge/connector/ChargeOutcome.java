package paybridge.connector;

import paybridge.canonical.Failure;

/**
 * The canonical answer of every vendor charge route ({@code direct:<vendor>-...}).
 *
 * @param vendorPaymentRef the vendor's id of the payment (iamport {@code imp_uid}, Steppay {@code idKey}), when known
 * @param billingKey       the billing key the charge used or created, when any
 * @param failure          the vendor's reason, for FAILED, UNKNOWN and NOT_ATTEMPTED
 */
public record ChargeOutcome(ChargeStatus status, String vendorPaymentRef, String billingKey, Failure failure) {

    public static ChargeOutcome paid(String vendorPaymentRef, String billingKey) {
        return new ChargeOutcome(ChargeStatus.PAID, vendorPaymentRef, billingKey, null);
    }

    public static ChargeOutcome awaitingDeposit(String vendorPaymentRef, String billingKey) {
        return new ChargeOutcome(ChargeStatus.AWAITING_DEPOSIT, vendorPaymentRef, billingKey, null);
    }

    public static ChargeOutcome pending(String vendorPaymentRef, String billingKey) {
        return new ChargeOutcome(ChargeStatus.PENDING, vendorPaymentRef, billingKey, null);
    }

    /** A decline: the vendor's business answer about this payment. */
    public static ChargeOutcome failed(String vendorPaymentRef, String billingKey, String code, String message) {
        return new ChargeOutcome(ChargeStatus.FAILED, vendorPaymentRef, billingKey, new Failure(code, message));
    }

    public static ChargeOutcome unknown(String code, String message) {
        return new ChargeOutcome(ChargeStatus.UNKNOWN, null, null, new Failure(code, message));
    }

    public static ChargeOutcome notAttempted(String code, String message) {
        return new ChargeOutcome(ChargeStatus.NOT_ATTEMPTED, null, null, new Failure(code, message));
    }
}
