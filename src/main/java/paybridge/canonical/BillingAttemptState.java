package paybridge.canonical;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A billing attempt's state ({@code billing_attempts.state}): CLAIMED by a run, SENT, then the
 * payment's outcome as billing sees it — PENDING or UNKNOWN while open, PAID, DECLINED, NOT_CHARGED
 * (never charged: the period's next attempt is due at once), or PAID_DUPLICATE (charged although
 * another attempt had already paid its period: an operator's work).
 */
public enum BillingAttemptState {
    CLAIMED, SENT, PENDING, UNKNOWN, PAID, DECLINED, NOT_CHARGED, PAID_DUPLICATE;

    /** The attempt was claimed and its outcome is not known yet. */
    public static final Set<BillingAttemptState> OPEN = Collections.unmodifiableSet(
            EnumSet.of(CLAIMED, SENT, PENDING, UNKNOWN));

    public boolean isOpen() {
        return OPEN.contains(this);
    }

    /** The state of a {@code billing_attempts.state} value (a CHAR column may come back padded). */
    public static BillingAttemptState of(Object column) {
        return valueOf(((String) column).trim());
    }
}
