package paybridge.payments;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.ledger.Database;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.ScriptedIamport;

/**
 * {@link ReopenedAttemptTest} on PostgreSQL (the refused return is a plpgsql trigger; it counts its
 * refusals in a sequence, which a rollback does not undo).
 */
class ReopenedAttemptPostgresTest extends ReopenedAttemptTest {
    private static Postgres pg;
    private static ScriptedIamport vendor;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        pg = Postgres.createDatabase();
        vendor = ScriptedIamport.start();
        Map<String, Object> s = settings(vendor);
        s.put("paybridge.db.url", pg.url());
        s.put("paybridge.db.user", pg.user());
        app = RunningPaybridge.start(s);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (vendor != null) {
            vendor.close();
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
    ScriptedIamport vendor() {
        return vendor;
    }

    @Override
    void installReturnFailure() throws Exception {
        execute("CREATE SEQUENCE IF NOT EXISTS return_refusals");
        execute("""
                CREATE OR REPLACE FUNCTION fail_return_entry() RETURNS trigger AS $$
                BEGIN
                  IF NEW.type IN ('PARTIALLY_REFUNDED', 'CANCELLED') THEN
                    PERFORM nextval('return_refusals');
                    RAISE EXCEPTION 'injected failure: the return''s ledger entry is not written';
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""");
        execute("CREATE TRIGGER fail_return_entry BEFORE INSERT ON ledger_entries FOR EACH ROW "
                + "EXECUTE FUNCTION fail_return_entry()");
    }

    @Override
    void dropReturnFailure() throws Exception {
        execute("DROP TRIGGER IF EXISTS fail_return_entry ON ledger_entries");
    }

    @Override
    int returnRefusals() throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM return_refusals")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void execute(String statement) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
