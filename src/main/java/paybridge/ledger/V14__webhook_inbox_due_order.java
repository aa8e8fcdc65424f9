package paybridge.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL's V14 (H2's is {@code db/migration/h2/V14__webhook_inbox_due_order.sql}, which says why the
 * index): the webhook inbox's due index built and the old one dropped CONCURRENTLY, outside a transaction,
 * so that the nodes still running keep storing webhooks while it is built (a plain CREATE INDEX holds
 * inserts back for the whole build, and DROP INDEX takes the table). Runnable again from any point a
 * stopped node leaves: a finished index is kept, an unfinished build (PostgreSQL keeps it as an invalid
 * index, which writes still maintain and no query uses) is dropped and built again.
 * A Java migration because only code can tell a valid index from an invalid one before deciding.
 */
public class V14__webhook_inbox_due_order extends BaseJavaMigration {
    static final String INDEX = "webhook_inbox_due_order_idx";

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            // a role's statement_timeout must not cut the build short: a statement that fails here is recorded
            // by Flyway as a failed migration, which stops every later start until it is repaired
            s.execute("SET statement_timeout = 0");
            Boolean valid = null;
            // the index of that name on the table CREATE INDEX below resolves (the same search_path)
            try (ResultSet rs = s.executeQuery("SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                    + "WHERE x.relname = '" + INDEX + "' AND i.indrelid = 'webhook_inbox'::regclass")) {
                if (rs.next()) {
                    valid = rs.getBoolean(1);
                }
            }
            if (Boolean.FALSE.equals(valid)) {
                s.execute("DROP INDEX CONCURRENTLY " + INDEX);
            }
            if (!Boolean.TRUE.equals(valid)) {
                s.execute("CREATE INDEX CONCURRENTLY " + INDEX + " ON webhook_inbox (status, next_attempt_at, received_at)");
            }
            s.execute("DROP INDEX CONCURRENTLY IF EXISTS webhook_inbox_due_idx");
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("RESET statement_timeout");
            }
        }
    }
}
