package paybridge.payments;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/** {@link OpenRefundReconcileTest} on PostgreSQL (the crash is a plpgsql trigger). */
class OpenRefundReconcilePostgresTest extends OpenRefundReconcileTest {
    private static Postgres pg;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        pg = Postgres.createDatabase();
        Map<String, Object> s = settings();
        s.put("paybridge.db.url", pg.url());
        s.put("paybridge.db.user", pg.user());
        app = RunningPaybridge.start(s);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    RunningPaybridge app() {
        return app;
    }

    @Override
    void installCrashAtFinish() {
        Sql sql = new Sql(app.context());
        sql.update("""
                CREATE OR REPLACE FUNCTION refunds_crash_at_finish() RETURNS trigger AS $$
                BEGIN
                  IF OLD.refund_id LIKE 'crash-%' AND NEW.status = 'REFUNDED' THEN
                    RAISE EXCEPTION 'injected: the node stopped before the refund''s finish';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""", Map.of());
        sql.update("CREATE TRIGGER refunds_crash_at_finish BEFORE UPDATE ON refunds FOR EACH ROW "
                + "EXECUTE FUNCTION refunds_crash_at_finish()", Map.of());
    }

    @Override
    void dropCrashAtFinish() {
        new Sql(app.context()).update("DROP TRIGGER IF EXISTS refunds_crash_at_finish ON refunds", Map.of());
    }

    @Override
    int sessionOf(java.sql.Connection c) throws java.sql.SQLException {
        try (var rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    int blockedBy(java.sql.Connection observer, int session) throws java.sql.SQLException {
        try (var s = observer.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
            s.setInt(1, session);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    String sessionQuery() {
        return "SELECT pg_backend_pid() AS s";
    }
}
