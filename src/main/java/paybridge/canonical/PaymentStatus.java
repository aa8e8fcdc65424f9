package paybridge.canonical;

/** A payment's state (CONTRACT §2). PENDING and UNKNOWN are undecided: nothing is in the ledger for them yet. */
public enum PaymentStatus {
    PENDING, PAID, AWAITING_DEPOSIT, FAILED, CANCELLED, PARTIALLY_REFUNDED, ABANDONED, UNKNOWN;

    /** Undecided states answer 202; every other one is an outcome (200). */
    public boolean isOpen() {
        return this == PENDING || this == UNKNOWN;
    }
}
