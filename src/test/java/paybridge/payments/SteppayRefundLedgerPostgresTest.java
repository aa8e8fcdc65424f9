package paybridge.payments;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * {@link SteppayRefundLedgerTest} on PostgreSQL. Work right after a refund's row: the row's transaction
 * waits (a plpgsql trigger on an advisory lock the test holds) until the test's own transaction has
 * asked for the ledger table exclusively, then commits; that request, first in the table's queue, is
 * granted at the commit, and the refund's next read of the ledger queues behind it until the test's
 * work has committed.
 */
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

    /** The advisory lock the refund's row waits on (a test-only number). */
    private static final long GATE = 7_311_004L;

    @Override
    CompletableFuture<Response> sentWithWorkRightAfterItsRow(String refundId, Supplier<Response> refund,
                                                             Runnable meanwhile) throws Exception {
        Sql sql = new Sql(app.context());
        sql.update("""
                CREATE OR REPLACE FUNCTION refund_row_waits() RETURNS trigger AS $$
                BEGIN
                  IF NEW.refund_id = TG_ARGV[0] THEN
                    PERFORM pg_advisory_xact_lock(%d);
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(GATE), Map.of());
        // refundId is the test's own constant (a trigger's arguments cannot be bound)
        sql.update("CREATE TRIGGER refund_row_waits AFTER INSERT ON refunds FOR EACH ROW "
                + "EXECUTE FUNCTION refund_row_waits('" + refundId + "')", Map.of());
        paybridge.ledger.Database db = app.lookup("database", paybridge.ledger.Database.class);
        try (Connection gate = db.dataSource().getConnection(); Connection observer = db.dataSource().getConnection()) {
            try {
                gate.createStatement().execute("SELECT pg_advisory_lock(" + GATE + ")");
                CompletableFuture<Response> answer = CompletableFuture.supplyAsync(refund);
                // the row written, its ledger mark read (the ledger table held shared), the commit not yet
                await().atMost(Duration.ofSeconds(20)).until(() -> waiting(observer,
                        "locktype = 'advisory' AND objid = " + GATE));
                CompletableFuture<Void> work = CompletableFuture.runAsync(() -> sql.inTransaction(() -> {
                    sql.update("LOCK TABLE ledger_entries IN ACCESS EXCLUSIVE MODE", Map.of());
                    meanwhile.run();
                }));
                await().atMost(Duration.ofSeconds(20)).until(() -> waiting(observer,
                        "relation = 'ledger_entries'::regclass AND mode = 'AccessExclusiveLock'"));
                gate.createStatement().execute("SELECT pg_advisory_unlock(" + GATE + ")");
                work.get(20, TimeUnit.SECONDS);
                return answer;
            } finally {
                gate.createStatement().execute("SELECT pg_advisory_unlock_all()");
            }
        } finally {
            sql.update("DROP TRIGGER IF EXISTS refund_row_waits ON refunds", Map.of());
            sql.update("DROP FUNCTION IF EXISTS refund_row_waits()", Map.of());
        }
    }

    /** Whether a session waits for a lock matching {@code condition} (a pg_locks condition). */
    private static boolean waiting(Connection observer, String condition) throws java.sql.SQLException {
        try (var rs = observer.createStatement().executeQuery(
                "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND " + condition)) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }
}
