package paybridge.connector;

/**
 * How a webhook's claim compares with the vendor's looked-up record. A claim the record does not
 * show YET (a deposit, a cancel announced before the vendor's lookup reflects it) is not a
 * contradiction: the record may still catch up, so the delivery is retried with backoff and only
 * rejected when it never does. A contradiction (another order, another amount, a state the record
 * can no longer reach) is rejected at once.
 *
 * @param reason why the claim is not (yet) true of the record; null when it is consistent
 * @param behind true when the record may still catch up with the claim
 */
public record ClaimCheck(String reason, boolean behind) {
    private static final ClaimCheck CONSISTENT = new ClaimCheck(null, false);

    public static ClaimCheck consistent() {
        return CONSISTENT;
    }

    public static ClaimCheck contradicted(String reason) {
        return new ClaimCheck(reason, false);
    }

    public static ClaimCheck notShownYet(String reason) {
        return new ClaimCheck(reason, true);
    }

    public boolean isConsistent() {
        return reason == null;
    }
}
