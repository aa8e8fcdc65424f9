package paybridge.canonical;

/** A refund's outcome; UNKNOWN when the vendor's answer was lost. */
public enum RefundStatus {
    REFUNDED, FAILED, UNKNOWN
}
