package paybridge.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL migrations that change a busy table's indexes without holding its writers back: CREATE and
 * DROP INDEX CONCURRENTLY, outside a transaction (a plain CREATE INDEX holds inserts back for the whole
 * build, and DROP INDEX takes the table). Runnable again from any point a stopped node leaves: a finished
 * index is kept, an unfinished build (PostgreSQL keeps it as an invalid index, which writes still maintain
 * and no query uses) is dropped and built again. Index, table and column names are the migrations' own
 * constants, never input.
 */
final class ConcurrentIndexes {
    private ConcurrentIndexes() {
    }

    /** Builds {@code index} on {@code table (columns)} unless a valid one of that name is there. */
    static void build(Statement s, String index, String table, String columns) throws SQLException {
        Boolean valid = null;
        // the index of that name on the table CREATE INDEX below resolves (the same search_path)
        try (ResultSet rs = s.executeQuery("SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                + "WHERE x.relname = '" + index + "' AND i.indrelid = '" + table + "'::regclass")) {
            if (rs.next()) {
                valid = rs.getBoolean(1);
            }
        }
        if (Boolean.FALSE.equals(valid)) {
            s.execute("DROP INDEX CONCURRENTLY " + index);
        }
        if (!Boolean.TRUE.equals(valid)) {
            s.execute("CREATE INDEX CONCURRENTLY " + index + " ON " + table + " (" + columns + ")");
        }
    }

    static void drop(Statement s, String index) throws SQLException {
        s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index);
    }
}
