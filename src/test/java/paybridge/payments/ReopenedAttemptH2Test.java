package paybridge.payments;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.testing.RefuseLedgerEntry;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.ScriptedIamport;

/** {@link ReopenedAttemptTest} on H2 (the refused return is a Java trigger). */
class ReopenedAttemptH2Test extends ReopenedAttemptTest {
    private static ScriptedIamport vendor;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        vendor = ScriptedIamport.start();
        app = RunningPaybridge.start(settings(vendor));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (vendor != null) {
            vendor.close();
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
        ChargeInFlightTest.sql(app, RefuseLedgerEntry.create("fail_return_entry",
                row -> "PARTIALLY_REFUNDED".equals(row.get("type")) || "CANCELLED".equals(row.get("type"))));
    }

    @Override
    void dropReturnFailure() throws Exception {
        ChargeInFlightTest.sql(app, "DROP TRIGGER IF EXISTS fail_return_entry");
    }

    @Override
    int returnRefusals() {
        return RefuseLedgerEntry.refused("fail_return_entry");
    }
}
