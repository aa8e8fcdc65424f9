package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;

/**
 * The one set of migrations on both databases, and the idempotency rules the database itself
 * enforces (CONTRACT §3-5): whatever the code does, these inserts and updates are refused.
 */
class SchemaMigrationTest {

    @Test
    void h2InPostgresModeMigratesAndEnforcesTheRules() throws Exception {
        try (Database db = Database.open("jdbc:h2:mem:schema" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2)) {
            assertThat(db.isPostgres()).isFalse();
            assertRules(db);
        }
    }

    @Test
    void postgresqlMigratesAndEnforcesTheRules() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             Database db = Database.open(pg.url(), pg.user(), "", 2)) {
            assertThat(db.isPostgres()).isTrue();
            assertRules(db);
        }
    }

    /**
     * Two nodes starting at once on a fresh PostgreSQL database (a rolling deploy, a cluster's first start):
     * one migrates while the other waits for Flyway's lock, including through the indexes built CONCURRENTLY
     * (which wait for every open transaction: a lock held in a transaction would never be let go).
     */
    @Test
    void twoNodesMigratingAtOnceOnPostgresBothFinish() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<Database>> nodes = java.util.List.of(
                        two.submit(() -> Database.open(pg.url(), pg.user(), "", 2).awaitReady()),
                        two.submit(() -> Database.open(pg.url(), pg.user(), "", 2).awaitReady()));
                java.util.Set<String> versions = new java.util.HashSet<>();
                for (java.util.concurrent.Future<Database> node : nodes) {
                    try (Database db = node.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        versions.add(db.schemaVersion());
                        try (Connection c = db.dataSource().getConnection();
                             var rs = c.createStatement().executeQuery("SELECT COUNT(*), COUNT(DISTINCT version) "
                                     + "FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
                            rs.next();
                            assertThat(rs.getLong(1)).as("each migration applied once").isEqualTo(rs.getLong(2));
                        }
                    }
                }
                assertThat(versions).hasSize(1).doesNotContain("none");
            } finally {
                two.shutdownNow();
            }
        }
    }

    @Test
    void migratingTwiceIsANoOp() {
        String url = "jdbc:h2:mem:twice" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Database first = Database.open(url, "sa", "", 1)) {
            try (Database second = Database.open(url, "sa", "", 1)) {
                assertThat(second.pendingMigrations()).isZero();
                assertThat(second.schemaVersion()).isEqualTo(first.schemaVersion());
            }
        }
    }

    @Test
    void h2UrlGetsPostgresModeOnlyWhenItNamesNone() {
        assertThat(Database.withH2PostgresMode("jdbc:h2:file:./data/paybridge"))
                .isEqualTo("jdbc:h2:file:./data/paybridge;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        assertThat(Database.withH2PostgresMode("jdbc:h2:mem:x;MODE=PostgreSQL")).isEqualTo("jdbc:h2:mem:x;MODE=PostgreSQL");
        assertThat(Database.withH2PostgresMode("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
    }

    private static void assertRules(Database db) throws SQLException {
        assertThat(db.pendingMigrations()).isZero();
        // at least 1.1, the version that makes the ledger append-only (later versions only add to the schema)
        assertThat(org.flywaydb.core.api.MigrationVersion.fromVersion(db.schemaVersion()))
                .isGreaterThanOrEqualTo(org.flywaydb.core.api.MigrationVersion.fromVersion("1.1"));
        try (Connection c = db.dataSource().getConnection()) {
            // payments: paymentId is the idempotency key
            insertPayment(c, "ord-1");
            assertThatThrownBy(() -> insertPayment(c, "ord-1")).isInstanceOf(SQLException.class);

            // ledger: a duplicate event key is refused by the database itself
            insertLedger(c, "iamport:ord-1:PAID", "PAID", 3000);
            assertThatThrownBy(() -> insertLedger(c, "iamport:ord-1:PAID", "PAID", 3000))
                    .isInstanceOf(SQLException.class);
            // ... the sign of the amount follows the type
            assertThatThrownBy(() -> insertLedger(c, "iamport:ord-1:REFUNDED:t=100", "REFUNDED", 100))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> insertLedger(c, "iamport:ord-1:FAILED", "FAILED", 5))
                    .isInstanceOf(SQLException.class);
            // ... and rows are never updated or deleted
            assertThatThrownBy(() -> execute(c, "UPDATE ledger_entries SET amount = 1 WHERE event_key = 'iamport:ord-1:PAID'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> execute(c, "DELETE FROM ledger_entries"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");

            // refunds: refundId is the idempotency key
            execute(c, "INSERT INTO refunds (refund_id, payment_id, request_hash, amount, status, created_at, updated_at)"
                    + " VALUES ('rf-1', 'ord-1', 'h', 100, 'REFUNDED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            assertThatThrownBy(() -> execute(c, "INSERT INTO refunds (refund_id, payment_id, request_hash, amount, status,"
                    + " created_at, updated_at) VALUES ('rf-1', 'ord-1', 'h', 100, 'REFUNDED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
                    .isInstanceOf(SQLException.class);

            // billing: one claim per (subscription, period, attempt); at most one PAID attempt per period
            execute(c, "INSERT INTO subscriptions (subscription_id, request_hash, vendor, billing_key, customer_id, order_name,"
                    + " amount, billing_interval, anchor_at, next_billing_at, state, created_at, updated_at) VALUES"
                    + " ('sub-1', 'h', 'steppay', 'key', 'user-1', 'Plan', 9900, 'P1M', '2026-12-01T00:00+09:00',"
                    + " CURRENT_TIMESTAMP, 'ACTIVE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            insertAttempt(c, "sub-1-20261201", 0, "PAID", true);
            assertThatThrownBy(() -> insertAttempt(c, "sub-1-20261201-again", 0, "CLAIMED", false))
                    .as("the same attempt of a period claimed twice").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> insertAttempt(c, "sub-1-20261201-r1", 1, "PAID", true))
                    .as("a second PAID attempt of one period").isInstanceOf(SQLException.class);
            insertAttempt(c, "sub-1-20261201-r2", 2, "DECLINED", false);

            // billing runs: at most one RUNNING in the whole cluster
            insertRun(c, "run-1");
            assertThatThrownBy(() -> insertRun(c, "run-2")).isInstanceOf(SQLException.class);
        }
    }

    private static void insertPayment(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO payments (payment_id, request_hash, vendor, method,"
                + " amount, status, created_at, updated_at) VALUES (?, 'h', 'iamport', 'KEY_IN', 3000, 'PENDING', ?, ?)")) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setTimestamp(3, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }

    private static void insertLedger(Connection c, String key, String type, long amount) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_entries (recorded_at, occurred_at, vendor,"
                + " payment_id, type, amount, currency, source, event_key) VALUES (?, ?, 'iamport', 'ord-1', ?, ?, 'KRW', 'API', ?)")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now()));
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setString(3, type);
            ps.setLong(4, amount);
            ps.setString(5, key);
            ps.executeUpdate();
        }
    }

    private static void insertAttempt(Connection c, String paymentId, int attempt, String state, boolean paid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO billing_attempts (payment_id, subscription_id, period_date,"
                + " attempt_no, state, paid_period, claimed_at, updated_at) VALUES (?, 'sub-1', DATE '2026-12-01', ?, ?, ?,"
                + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
            ps.setString(1, paymentId);
            ps.setInt(2, attempt);
            ps.setString(3, state);
            ps.setObject(4, paid ? java.sql.Date.valueOf("2026-12-01") : null);
            ps.executeUpdate();
        }
    }

    private static void insertRun(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO billing_runs (run_id, as_of, dry_run, status, running_lock,"
                + " node, started_at, heartbeat_at) VALUES (?, CURRENT_TIMESTAMP, FALSE, 'RUNNING', 1, 'node-a',"
                + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
            ps.setString(1, runId);
            ps.executeUpdate();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
