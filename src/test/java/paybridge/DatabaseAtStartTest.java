package paybridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.testing.RunningPaybridge;

/**
 * The database opens and migrates on a thread of its own while the routes are built: start-up still
 * fails when it cannot be opened, and nothing reaches the schema before the migrations are applied.
 */
class DatabaseAtStartTest {

    @Test
    void aDatabaseThatCannotBeReachedStopsStartUp() {
        // nothing listens on port 1: the first connection is refused
        assertThatThrownBy(() -> RunningPaybridge.start(Map.of("paybridge.db.url", "jdbc:postgresql://127.0.0.1:1/paybridge",
                "paybridge.db.user", "postgres")).close())
                .hasStackTraceContaining("Database not reachable");
    }

    @Test
    void aConnectionAskedWhileTheMigrationsRunWaitsForThem() throws Exception {
        String url = "jdbc:h2:mem:start" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (Database db = Database.start(url, "sa", "", 2)) {
            // asked at once, before the opening thread can have finished: it gets a migrated schema
            try (Connection c = db.dataSource().getConnection();
                 ResultSet tables = c.getMetaData().getTables(null, null, "payments", null)) {
                assertThat(tables.next()).as("the payments table exists when the first connection is handed out").isTrue();
            }
            assertThat(db.pendingMigrations()).isZero();
        }
    }
}
