package paybridge.connector;

import paybridge.canonical.Failure;

/**
 * The canonical answer of a billing-key issuance route.
 *
 * @param status     ISSUED; REFUSED (the vendor refused the authorization: its reason in {@code failure});
 *                   UNKNOWN (the answer was lost: asking again with the same idempotency key settles it);
 *                   NOT_ATTEMPTED (the vendor certainly did nothing)
 * @param cardNumber the card's number as the vendor masks it
 * @param cardIssuer the issuer's code or name, when the vendor gives one
 */
public record BillingKeyOutcome(Status status, String billingKey, String cardNumber, String cardIssuer, Failure failure) {

    public enum Status { ISSUED, REFUSED, UNKNOWN, NOT_ATTEMPTED }

    public static BillingKeyOutcome issued(String billingKey, String cardNumber, String cardIssuer) {
        return new BillingKeyOutcome(Status.ISSUED, billingKey, cardNumber, cardIssuer, null);
    }

    public static BillingKeyOutcome of(Status status, String code, String message) {
        return new BillingKeyOutcome(status, null, null, null, new Failure(code, message));
    }

    @Override
    public String toString() {
        return "BillingKeyOutcome[" + status + (failure == null ? "" : " " + failure.code()) + "]"; // never the key
    }
}
