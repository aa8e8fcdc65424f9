package paybridge.payments;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger: refuses a ledger return of a vendor's record (type PARTIALLY_REFUNDED or
 * CANCELLED), as a database failure at that INSERT; counts the refusals.
 */
public final class FailReturnEntryTrigger implements Trigger {
    static final AtomicInteger REFUSED = new AtomicInteger();
    private int typeColumn = -1;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            int i = 0;
            while (rs.next()) {
                if ("type".equalsIgnoreCase(rs.getString("COLUMN_NAME"))) {
                    typeColumn = i;
                }
                i++;
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow != null && typeColumn >= 0
                && ("PARTIALLY_REFUNDED".equals(newRow[typeColumn]) || "CANCELLED".equals(newRow[typeColumn]))) {
            REFUSED.incrementAndGet();
            throw new SQLException("injected failure: the return's ledger entry is not written", "P0001");
        }
    }
}
