package paybridge.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import org.h2.api.Trigger;

/**
 * H2's half of the append-only guarantee on {@code ledger_entries} and {@code audit} (PostgreSQL's is a
 * PL/pgSQL trigger): any UPDATE or DELETE fails inside the database, whatever code issued it.
 */
public final class AppendOnlyTrigger implements Trigger {
    private String table = "ledger_entries";

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        if (tableName != null) {
            table = tableName.toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        throw new SQLException(table + " is append-only: " + (newRow == null ? "DELETE" : "UPDATE") + " refused",
                "P0001");
    }
}
