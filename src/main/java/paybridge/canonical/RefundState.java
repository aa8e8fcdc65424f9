package paybridge.canonical;

/**
 * A refund row's state ({@code refunds.status}). PENDING: recorded before the vendor hears of it;
 * UNKNOWN: the vendor's answer was lost. Both are open (reconcile-refunds settles them past their
 * in-flight bound) and answer as {@link RefundStatus#UNKNOWN}.
 */
public enum RefundState {
    PENDING, UNKNOWN, REFUNDED, FAILED;

    public boolean isOpen() {
        return this == PENDING || this == UNKNOWN;
    }

    /** What a caller is answered ({@code RefundResult.status}). */
    public RefundStatus answer() {
        return switch (this) {
            case REFUNDED -> RefundStatus.REFUNDED;
            case FAILED -> RefundStatus.FAILED;
            case PENDING, UNKNOWN -> RefundStatus.UNKNOWN;
        };
    }
}
