package paybridge.payments;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.testing.RunningPaybridge;

/** {@link SteppayRefundLedgerTest} on H2. */
class SteppayRefundLedgerH2Test extends SteppayRefundLedgerTest {
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
}
