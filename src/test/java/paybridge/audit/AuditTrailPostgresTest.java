package paybridge.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * {@link AuditTrailTest} on PostgreSQL (the oneTransaction policy over HTTP: resolve, PATCH, resume,
 * cancel with their rows; refused ones leave none), and the list's horizon across nodes (pg_stat_activity):
 * a row whose transaction began earlier but commits later is never passed by a reader.
 */
class AuditTrailPostgresTest extends AuditTrailTest {
    private static final List<Postgres> databases = new ArrayList<>();
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(onNewDatabase(settings()));
    }

    private static Map<String, Object> onNewDatabase(Map<String, Object> settings) {
        Postgres pg = Postgres.createDatabase();
        databases.add(pg);
        settings.put("paybridge.db.url", pg.url());
        settings.put("paybridge.db.user", pg.user());
        return settings;
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        databases.forEach(Postgres::close);
    }

    @Override
    RunningPaybridge app() {
        return app;
    }

    @Override
    boolean postgres() {
        return true;
    }

    @Override
    RunningPaybridge startOpen() {
        return RunningPaybridge.start(onNewDatabase(new java.util.HashMap<>()));
    }
}
