package paybridge.ledger;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL's V14 (H2's is {@code db/migration/h2/V14__webhook_inbox_due_order.sql}, which says why the
 * index): the webhook inbox's due index built and the old one dropped CONCURRENTLY, outside a transaction,
 * so that the nodes still running keep storing webhooks while it is built (a plain CREATE INDEX holds
 * inserts back for the whole build, and DROP INDEX takes the table); see {@link ConcurrentIndexes}.
 * A Java migration because only code can tell a valid index from an invalid one before deciding.
 */
public class V14__webhook_inbox_due_order extends ConcurrentIndexMigration {
    static final String INDEX = "webhook_inbox_due_order_idx";

    @Override
    void change(Statement s) throws SQLException {
        ConcurrentIndexes.build(s, INDEX, "webhook_inbox", "status, next_attempt_at, received_at");
        ConcurrentIndexes.drop(s, "webhook_inbox_due_idx");
    }
}
