package paybridge.canonical;

/** Ledger entry types (CONTRACT §4-5): the canonical webhook events plus REFUNDED (a refund through /api/refunds). */
public enum EventType {
    PAID, AWAITING_DEPOSIT, CANCELLED, PARTIALLY_REFUNDED, ABANDONED, FAILED, REFUNDED;

    /** True for the types that return money: their ledger amount is negative. */
    public boolean returnsMoney() {
        return this == CANCELLED || this == PARTIALLY_REFUNDED || this == REFUNDED;
    }
}
