package paybridge.ledger;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL's V16 (H2's is {@code db/migration/h2/V16__events_feed_order.sql}, which says why the indexes):
 * the feed's indexes built and the ones they replace dropped CONCURRENTLY ({@link ConcurrentIndexes}), so
 * that the nodes still running keep writing events (every payment change writes one) while they are built.
 */
public class V16__events_feed_order extends ConcurrentIndexMigration {

    @Override
    void change(Statement s) throws SQLException {
        ConcurrentIndexes.build(s, "events_feed_idx", "events", "created_at, seq");
        ConcurrentIndexes.drop(s, "events_created_idx");
        ConcurrentIndexes.build(s, "events_type_feed_idx", "events", "type, created_at, seq");
        ConcurrentIndexes.drop(s, "events_type_idx");
    }
}
