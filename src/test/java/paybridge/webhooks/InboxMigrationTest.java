package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static paybridge.testing.MigrationDatabase.count;
import static paybridge.testing.MigrationDatabase.execute;
import static paybridge.testing.MigrationDatabase.flyway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import paybridge.testing.MigrationDatabase;
import paybridge.testing.Postgres;

/**
 * V14 on an inbox that holds entries outside what the due queries read (each a hand-made change: a
 * PENDING entry unflagged without a retry time, a RECEIVED one given a retry time): the migration makes
 * them due now, so none is left never processed, and the database refuses such a change afterwards.
 * On H2 and PostgreSQL.
 */
class InboxMigrationTest {

    @Test
    void onH2() throws Exception {
        migrate(MigrationDatabase.h2Url("inbox"), "sa", "h2");
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            migrate(pg.url(), pg.user(), "postgresql");
        }
    }

    private static void migrate(String url, String user, String dialect) throws Exception {
        flyway(url, user, dialect, "13").migrate();
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            entry(c, "unflagged-by-hand", "PENDING", false, "NULL");
            entry(c, "flagged", "PENDING", true, "NULL");
            // flagged, parked by a replay while its vendor was off: stays flagged, not due
            entry(c, "flagged-parked", "PENDING", true, "CURRENT_TIMESTAMP - INTERVAL '1' MINUTE");
            entry(c, "retry-later", "PENDING", false, "CURRENT_TIMESTAMP + INTERVAL '1' HOUR");
            entry(c, "received-with-a-time", "RECEIVED", false, "CURRENT_TIMESTAMP + INTERVAL '1' HOUR");
            entry(c, "received", "RECEIVED", false, "NULL");
            if (dialect.equals("postgresql")) {
                // what a node stopped half-way through V14 leaves: an unfinished build, kept under the index's
                // name as an invalid index (made here by a CONCURRENTLY build that fails), is built again
                assertThatThrownBy(() -> execute(c, "CREATE UNIQUE INDEX CONCURRENTLY webhook_inbox_due_order_idx "
                        + "ON webhook_inbox (vendor)")).isInstanceOf(SQLException.class);
                assertThat(count(c, "SELECT COUNT(*) FROM pg_index WHERE NOT indisvalid "
                        + "AND indexrelid = 'webhook_inbox_due_order_idx'::regclass")).isEqualTo(1);
            }
        }
        flyway(url, user, dialect, "latest").migrate();
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            StringBuilder due = new StringBuilder();
            for (String query : WebhookInbox.DUE_QUERIES) {
                // the statements as paybridge runs them, their one parameter (the batch) bound by hand
                try (var ps = c.prepareStatement(query.replace(":?limit", "?"))) {
                    ps.setInt(1, 10);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            due.append(rs.getString("inbox_id")).append(' ');
                        }
                    }
                }
            }
            assertThat(due.toString().trim().split(" "))
                    .containsExactlyInAnyOrder("unflagged-by-hand", "received-with-a-time", "received");
            assertThatThrownBy(() -> execute(c, "UPDATE webhook_inbox SET flagged = FALSE WHERE inbox_id = 'flagged'"))
                    .as("unflagged without a retry time").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP "
                    + "WHERE inbox_id = 'received'")).as("a new entry given a retry time").isInstanceOf(SQLException.class);
            execute(c, "UPDATE webhook_inbox SET flagged = FALSE, next_attempt_at = CURRENT_TIMESTAMP WHERE inbox_id = 'flagged'");
            if (dialect.equals("postgresql")) {
                // built CONCURRENTLY outside a transaction: valid; the constraint added NOT VALID, then validated
                assertThat(count(c, "SELECT COUNT(*) FROM pg_index WHERE indisvalid "
                        + "AND indexrelid = 'webhook_inbox_due_order_idx'::regclass")).isEqualTo(1);
                assertThat(count(c, "SELECT COUNT(*) FROM pg_class WHERE relname = 'webhook_inbox_due_idx'")).isZero();
                assertThat(count(c, "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'webhook_inbox_due_order_idx' "
                        + "AND indexdef LIKE '%(status, next_attempt_at, received_at)'")).isEqualTo(1);
                assertThat(count(c, "SELECT COUNT(*) FROM pg_constraint WHERE conname = 'webhook_inbox_due_times' "
                        + "AND convalidated")).isEqualTo(1);
            }
        }
    }

    private static void entry(Connection c, String id, String status, boolean flagged, String nextAttemptAt)
            throws SQLException {
        // values are this test's own constants
        execute(c, "INSERT INTO webhook_inbox (inbox_id, vendor, received_at, headers, body, status, flagged, "
                + "next_attempt_at, attempts) VALUES ('" + id + "', 'steppay', CURRENT_TIMESTAMP, '{}', '{}', '" + status
                + "', " + flagged + ", " + nextAttemptAt + ", 1)");
    }
}
