package paybridge.vendor;

import paybridge.canonical.Failure;

/**
 * The canonical answer of every vendor charge route ({@code direct:<vendor>-...}).
 *
 * @param vendorPaymentRef the vendor's id of the payment (iamport {@code imp_uid}, Steppay {@code idKey}), when known
 * @param billingKey       the billing key the charge used or created, when any
 * @param failure          the vendor's reason, for FAILED, UNKNOWN and NOT_ATTEMPTED
 */
public record ChargeOutcome(ChargeStatus status, String vendorPaymentRef, String billingKey, Failure failure) {

    public static ChargeOutcome unknown(String code, String message) {
        return new ChargeOutcome(ChargeStatus.UNKNOWN, null, null, new Failure(code, message));
    }

    public static ChargeOutcome notAttempted(String code, String message) {
        return new ChargeOutcome(ChargeStatus.NOT_ATTEMPTED, null, null, new Failure(code, message));
    }
}
