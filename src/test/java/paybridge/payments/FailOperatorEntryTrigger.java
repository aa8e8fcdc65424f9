package paybridge.payments;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.api.Trigger;

/** Test-only H2 trigger: refuses a ledger entry of source OPERATOR, as a database failure at that INSERT. */
public final class FailOperatorEntryTrigger implements Trigger {
    private int sourceColumn = -1;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            int i = 0;
            while (rs.next()) {
                if ("source".equalsIgnoreCase(rs.getString("COLUMN_NAME"))) {
                    sourceColumn = i;
                }
                i++;
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow != null && sourceColumn >= 0 && "OPERATOR".equals(newRow[sourceColumn])) {
            throw new SQLException("injected failure: the operator's ledger entry is not written", "P0001");
        }
    }
}
