package paybridge.payments;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/** {@link SteppayRefundLedgerTest} on PostgreSQL. */
class SteppayRefundLedgerPostgresTest extends SteppayRefundLedgerTest {
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
}
