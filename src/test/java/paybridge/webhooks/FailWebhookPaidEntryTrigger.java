package paybridge.webhooks;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger: refuses a PAID ledger entry learnt from a webhook (source WEBHOOK), as a
 * database failure at that INSERT; counts the refusals.
 */
public final class FailWebhookPaidEntryTrigger implements Trigger {
    static final AtomicInteger REFUSED = new AtomicInteger();
    private int typeColumn = -1;
    private int sourceColumn = -1;

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            int i = 0;
            while (rs.next()) {
                String column = rs.getString("COLUMN_NAME");
                if ("type".equalsIgnoreCase(column)) {
                    typeColumn = i;
                } else if ("source".equalsIgnoreCase(column)) {
                    sourceColumn = i;
                }
                i++;
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow != null && "PAID".equals(newRow[typeColumn]) && "WEBHOOK".equals(newRow[sourceColumn])) {
            REFUSED.incrementAndGet();
            throw new SQLException("injected failure: the webhook's PAID entry is not written", "P0001");
        }
    }
}
