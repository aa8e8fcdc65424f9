package paybridge.payments;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;

/** {@link OpenRefundReconcileTest} on H2 (the crash is a Java trigger). */
class OpenRefundReconcileH2Test extends OpenRefundReconcileTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(settings());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Override
    RunningPaybridge app() {
        return app;
    }

    @Override
    void installCrashAtFinish() {
        new Sql(app.context()).update("CREATE TRIGGER refunds_crash_at_finish BEFORE UPDATE ON refunds FOR EACH ROW "
                + "CALL 'paybridge.payments.CrashAtRefundFinishTrigger'", Map.of());
    }

    @Override
    void dropCrashAtFinish() {
        new Sql(app.context()).update("DROP TRIGGER IF EXISTS refunds_crash_at_finish", Map.of());
    }

    @Override
    int sessionOf(java.sql.Connection c) throws java.sql.SQLException {
        return paybridge.testing.H2Locks.session(c);
    }

    @Override
    int blockedBy(java.sql.Connection observer, int session) throws java.sql.SQLException {
        return paybridge.testing.H2Locks.waitingFor(observer, session);
    }

    @Override
    String sessionQuery() {
        return "SELECT SESSION_ID() AS s";
    }
}
