package paybridge.connector.steppay;

import java.time.Duration;

/**
 * How long a Steppay refund must be past its in-flight bound before a receipt that shows nothing
 * returned may be read as "never refunded" ({@code paybridge.steppay.refund-settle-horizon}, P2D):
 * Steppay can process a cancel after answering nothing (a virtual-account refund settles the next
 * business day), so its receipt may lag. The reconcile-refunds route asks this bean in Steppay's
 * branch; vendors without such a delay conclude at the in-flight bound.
 */
public final class SteppayRefundSettlement {
    public static final String BEAN = "steppayRefundSettlement";

    private final Duration notRefundedAfter;

    public SteppayRefundSettlement(Duration notRefundedAfter) {
        if (notRefundedAfter.isNegative()) {
            throw new IllegalArgumentException("paybridge.steppay.refund-settle-horizon must not be negative: "
                    + notRefundedAfter);
        }
        this.notRefundedAfter = notRefundedAfter;
    }

    /** Past the refund's in-flight bound, how long until "not refunded" may be concluded. */
    public Duration notRefundedAfter() {
        return notRefundedAfter;
    }
}
