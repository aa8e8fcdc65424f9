package paybridge.payments;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger: the UPDATE that finishes a refund whose id starts with {@code crash-} as
 * REFUNDED fails, as if the node stopped right before it (after the vendor refunded).
 */
public final class CrashAtRefundFinishTrigger implements Trigger {
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        // refunds columns: refund_id (0), ..., status (5)
        if (oldRow != null && newRow != null && String.valueOf(oldRow[0]).startsWith("crash-")
                && "REFUNDED".equals(newRow[5])) {
            throw new SQLException("injected: the node stopped before the refund's finish", "57P01");
        }
    }
}
