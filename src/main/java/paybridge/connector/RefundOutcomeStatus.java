package paybridge.connector;

/** Like {@link ChargeStatus}: NOT_ATTEMPTED is certainly not done, UNKNOWN may be done. */
public enum RefundOutcomeStatus {
    REFUNDED, FAILED, UNKNOWN, NOT_ATTEMPTED
}
