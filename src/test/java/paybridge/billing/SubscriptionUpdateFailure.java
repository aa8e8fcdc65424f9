package paybridge.billing;

import java.sql.Connection;
import java.sql.Statement;

import javax.sql.DataSource;

import paybridge.testing.RunningPaybridge;

/**
 * Installs (and removes) a trigger that makes every UPDATE of a subscription whose id starts with
 * {@value #PREFIX} fail: H2 {@link FailSubscriptionUpdate}, PostgreSQL a plpgsql function.
 */
final class SubscriptionUpdateFailure {
    static final String PREFIX = "boom";

    private SubscriptionUpdateFailure() {
    }

    static void install(RunningPaybridge app, boolean postgres) {
        if (postgres) {
            execute(app, """
                    CREATE OR REPLACE FUNCTION fail_boom_update() RETURNS trigger AS $$
                    BEGIN
                        IF OLD.subscription_id LIKE 'boom%' THEN
                            RAISE EXCEPTION 'injected failure: UPDATE of subscription %', OLD.subscription_id;
                        END IF;
                        RETURN NEW;
                    END;
                    $$ LANGUAGE plpgsql""");
            execute(app, "CREATE TRIGGER fail_boom BEFORE UPDATE ON subscriptions FOR EACH ROW EXECUTE FUNCTION fail_boom_update()");
        } else {
            execute(app, "CREATE TRIGGER fail_boom BEFORE UPDATE ON subscriptions FOR EACH ROW CALL '"
                    + FailSubscriptionUpdate.class.getName() + "'");
        }
    }

    static void remove(RunningPaybridge app, boolean postgres) {
        execute(app, postgres ? "DROP TRIGGER fail_boom ON subscriptions" : "DROP TRIGGER fail_boom");
    }

    private static void execute(RunningPaybridge app, String sql) {
        try (Connection c = app.lookup("dataSource", DataSource.class).getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
