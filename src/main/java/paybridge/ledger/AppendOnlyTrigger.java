package paybridge.ledger;

import java.sql.Connection;
import java.sql.SQLException;

import org.h2.api.Trigger;

/**
 * H2's half of the append-only guarantee on {@code ledger_entries} (PostgreSQL's is a PL/pgSQL
 * trigger): any UPDATE or DELETE fails inside the database, whatever code issued it.
 */
public final class AppendOnlyTrigger implements Trigger {
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        throw new SQLException("ledger_entries is append-only: " + (newRow == null ? "DELETE" : "UPDATE") + " refused",
                "P0001");
    }
}
