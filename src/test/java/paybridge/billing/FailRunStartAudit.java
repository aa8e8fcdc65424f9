package paybridge.billing;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger: the audit row of a billing run's start ({@code billing-run.start}) cannot be
 * inserted, as when the database refuses it or the connection breaks after the run's row committed.
 */
public class FailRunStartAudit implements Trigger {
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        // audit columns: audit_id (0), recorded_at (1), actor (2), action (3), target (4), reason (5)
        if (oldRow == null && newRow != null && "billing-run.start".equals(newRow[3])) {
            throw new SQLException("injected failure: audit row of billing run " + newRow[4]);
        }
    }
}
