package paybridge.billing;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger: any UPDATE of a subscription whose id starts with {@code boom} fails, as a
 * crash (or a lost connection) between a billing attempt's update and its subscription's would.
 */
public class FailSubscriptionUpdate implements Trigger {
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (oldRow != null && String.valueOf(oldRow[0]).startsWith(SubscriptionUpdateFailure.PREFIX)) {
            throw new SQLException("injected failure: UPDATE of subscription " + oldRow[0]);
        }
    }
}
