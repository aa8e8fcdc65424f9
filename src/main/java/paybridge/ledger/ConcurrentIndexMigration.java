package paybridge.ledger;

import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A PostgreSQL migration that changes indexes CONCURRENTLY ({@link ConcurrentIndexes}): outside a
 * transaction, with no statement timeout. Subclasses say which indexes.
 */
abstract class ConcurrentIndexMigration extends BaseJavaMigration {

    @Override
    public final boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public final void migrate(Context context) throws SQLException {
        try (Statement s = context.getConnection().createStatement()) {
            // a role's statement_timeout must not cut a build short (a failed migration stops every start)
            s.execute("SET statement_timeout = 0");
            try {
                change(s);
            } finally {
                s.execute("RESET statement_timeout");
            }
        }
    }

    /** The indexes built and dropped, with {@link ConcurrentIndexes#build} and {@link ConcurrentIndexes#drop}. */
    abstract void change(Statement s) throws SQLException;
}
