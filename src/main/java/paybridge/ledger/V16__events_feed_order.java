package paybridge.ledger;

import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL's V16 (H2's is {@code db/migration/h2/V16__events_feed_order.sql}, which says why the indexes):
 * the feed's indexes built and the ones they replace dropped CONCURRENTLY ({@link ConcurrentIndexes}), so
 * that the nodes still running keep writing events (every payment change writes one) while they are built.
 */
public class V16__events_feed_order extends BaseJavaMigration {

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        try (Statement s = context.getConnection().createStatement()) {
            ConcurrentIndexes.withoutTimeout(s, () -> {
                ConcurrentIndexes.build(s, "events_feed_idx", "events", "created_at, seq");
                ConcurrentIndexes.drop(s, "events_created_idx");
                ConcurrentIndexes.build(s, "events_type_feed_idx", "events", "type, created_at, seq");
                ConcurrentIndexes.drop(s, "events_type_idx");
            });
        }
    }
}
