package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static paybridge.testing.MigrationDatabase.count;
import static paybridge.testing.MigrationDatabase.execute;
import static paybridge.testing.MigrationDatabase.flyway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import paybridge.testing.MigrationDatabase;
import paybridge.testing.Postgres;

/**
 * V6 on a database that already has billing attempts: each gets the index of its period (the number
 * of PAID attempts of its subscription dated before it), a period claimed twice under two dates (a
 * zone change before V6) keeps its first claim, and the new rules hold. On H2 and PostgreSQL.
 */
class BillingMigrationTest {

    @Test
    void onH2() throws Exception {
        migrate(MigrationDatabase.h2Url("mig"), "sa", "h2");
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            migrate(pg.url(), pg.user(), "postgresql");
        }
    }

    private static void migrate(String url, String user, String dialect) throws Exception {
        // every migration before V6, whichever exist
        MigrationVersion v6 = MigrationVersion.fromVersion("6");
        String beforeV6 = java.util.Arrays.stream(flyway(url, user, dialect, "latest").info().all())
                .map(MigrationInfo::getVersion).filter(v -> v.compareTo(v6) < 0).max(MigrationVersion::compareTo)
                .orElseThrow().getVersion();
        flyway(url, user, dialect, beforeV6).migrate();
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            subscription(c, "mig-1");
            attempt(c, "mig-1-20261001", "2026-10-01", 0, "PAID", 1);
            attempt(c, "mig-1-20261101", "2026-11-01", 0, "DECLINED", 2);
            attempt(c, "mig-1-20261101-r1", "2026-11-01", 1, "PAID", 3);
            attempt(c, "mig-1-20261201", "2026-12-01", 0, "UNKNOWN", 4);
            // the same period claimed again after a zone change (Asia/Seoul -> UTC), later
            attempt(c, "mig-1-20261130", "2026-11-30", 0, "CLAIMED", 5);
            // mig-2's first period was charged twice, by two nodes with different zones: its open period
            // still gets its own index, so its next claims are not refused
            subscription(c, "mig-2");
            attempt(c, "mig-2-20261001", "2026-10-01", 0, "PAID", 1);
            attempt(c, "mig-2-20260930", "2026-09-30", 0, "PAID", 1);
            attempt(c, "mig-2-20261101", "2026-11-01", 0, "PAID", 2);
            attempt(c, "mig-2-20261201", "2026-12-01", 0, "DECLINED", 3);
        }
        flyway(url, user, dialect, "latest").migrate();
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            Map<String, Integer> index = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT payment_id, period_index FROM billing_attempts")) {
                while (rs.next()) {
                    String paymentId = rs.getString(1);
                    int i = rs.getInt(2);
                    index.put(paymentId, rs.wasNull() ? null : i);
                }
            }
            assertThat(index).containsEntry("mig-1-20261001", 0).containsEntry("mig-1-20261101", 1)
                    .containsEntry("mig-1-20261101-r1", 1).containsEntry("mig-1-20261201", 2)
                    .containsEntry("mig-1-20261130", null);
            assertThat(index).containsEntry("mig-2-20261201", 2).containsEntry("mig-2-20261101", 1)
                    .containsEntry("mig-2-20261001", 0).containsEntry("mig-2-20260930", null);
            assertThat(count(c, "SELECT COUNT(*) FROM billing_attempts WHERE paid_period_index IS NOT NULL"
                    + " AND subscription_id = 'mig-1'")).isEqualTo(2);
            // the period's second attempt 0 is refused now, under any date
            assertThatThrownBy(() -> execute(c, "INSERT INTO billing_attempts (payment_id, subscription_id, period_index,"
                    + " period_date, attempt_no, state, claimed_at, updated_at) VALUES ('mig-1-20261202', 'mig-1', 2,"
                    + " DATE '2026-12-02', 0, 'CLAIMED', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")).isInstanceOf(SQLException.class);
            // one PAID per period index
            assertThatThrownBy(() -> execute(c, "UPDATE billing_attempts SET state = 'PAID', paid_period = period_date,"
                    + " paid_period_index = period_index WHERE payment_id = 'mig-1-20261101'")).isInstanceOf(SQLException.class);
            // PAID_DUPLICATE is a state; anything else is not
            execute(c, "UPDATE billing_attempts SET state = 'PAID_DUPLICATE', double_charge_of = 'mig-1-20261101-r1'"
                    + " WHERE payment_id = 'mig-1-20261101'");
            assertThatThrownBy(() -> execute(c, "UPDATE billing_attempts SET state = 'BOGUS' WHERE payment_id = 'mig-1-20261101'"))
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> execute(c, "UPDATE billing_attempts SET state = NULL WHERE payment_id = 'mig-1-20261101'"))
                    .isInstanceOf(SQLException.class);
        }
    }

    private static void subscription(Connection c, String id) throws SQLException {
        execute(c, """
                INSERT INTO subscriptions (subscription_id, request_hash, vendor, billing_key, customer_id, order_name,
                    amount, billing_interval, anchor_at, period_index, next_billing_at, state, created_at, updated_at)
                VALUES ('%s', 'h', 'steppay', 'key', 'user-1', 'Plan', 9900, 'P1M', '2026-10-01T00:00+09:00', 2,
                    TIMESTAMP WITH TIME ZONE '2026-12-01 00:00:00+09:00', 'ACTIVE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"""
                .formatted(id));
    }

    private static void attempt(Connection c, String paymentId, String date, int attemptNo, String state, int minute)
            throws SQLException {
        String paid = "PAID".equals(state) ? "DATE '" + date + "'" : "NULL";
        // values are this test's own constants
        execute(c, "INSERT INTO billing_attempts (payment_id, subscription_id, period_date, attempt_no, state, paid_period,"
                + " claimed_at, updated_at) VALUES ('" + paymentId + "', '" + paymentId.substring(0, 5) + "', DATE '" + date + "', " + attemptNo + ", '"
                + state + "', " + paid + ", TIMESTAMP WITH TIME ZONE '2026-12-01 00:0" + minute + ":00+00:00',"
                + " CURRENT_TIMESTAMP)");
    }
}
