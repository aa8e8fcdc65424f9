package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.canonical.ProblemException;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;

/**
 * A billing run's heartbeat, its staleness and its asOf are on the database's clock: nodes whose own
 * clocks are 90 s ahead or behind neither fail a live run nor keep a dead one (and the cluster-wide
 * run lock) alive.
 */
class BillingClockTest {
    private static final Duration STALE_AFTER = Duration.ofSeconds(30);
    private RunningPaybridge app;
    private ScheduledExecutorService scheduler;
    private Sql sql;
    private BillingRunStore runs;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        sql = BillingFixtures.sql(app);
        runs = app.lookup("billingRunStore", BillingRunStore.class);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        app.close();
    }

    /** A node of the same cluster whose clock is {@code offset} off. */
    private BillingRunService node(String name, Duration offset) {
        return new BillingRunService(app.lookup("billingCalendar", BillingCalendar.class),
                app.lookup("subscriptionStore", SubscriptionStore.class),
                app.lookup("billingAttemptStore", BillingAttemptStore.class), runs,
                app.lookup("paymentStore", PaymentStore.class), sql, Clock.offset(Clock.systemUTC(), offset),
                new DoubleChargeAlarm(), name, STALE_AFTER, Duration.ofSeconds(5), Duration.ofSeconds(1), scheduler);
    }

    private String status(String runId) {
        return runs.find(runId).orElseThrow().status();
    }

    @Test
    void aNodeWhoseClockIsAheadDoesNotFailAnotherNodesLiveRun() {
        BillingFixtures.insertRun(app, "run-live", Instant.parse("2026-11-30T18:00:00Z"), "live-node", 0);
        BillingRunService ahead = node("ahead-node", Duration.ofSeconds(90));
        ahead.failStaleRuns();
        assertThat(status("run-live")).isEqualTo("RUNNING");
        assertThatThrownBy(() -> ahead.start(null, false)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("run-live");
        assertThat(status("run-live")).isEqualTo("RUNNING");
    }

    @Test
    void aDeadNodesRunIsTakenOverAfterStaleAfterOfDatabaseTimeByANodeWhoseClockIsBehind() {
        BillingFixtures.insertRun(app, "run-dead", Instant.parse("2026-11-30T18:00:00Z"), "dead-node", 0);
        BillingRunService behind = node("behind-node", Duration.ofSeconds(-90));
        behind.failStaleRuns();
        assertThat(status("run-dead")).isEqualTo("RUNNING");
        // the dead node's last beat, 31 s of database time ago
        sql.update("UPDATE billing_runs SET heartbeat_at = CURRENT_TIMESTAMP - CAST(:?s AS BIGINT) * INTERVAL '1' SECOND"
                + " WHERE run_id = 'run-dead'", Map.of("s", STALE_AFTER.toSeconds() + 1));
        BillingRun started = behind.start(null, true);
        assertThat(status("run-dead")).isEqualTo("FAILED");
        behind.shutdown();

        // the new run is stamped, and its asOf taken, on the database's clock (not 90 s behind it)
        Instant databaseNow = sql.databaseNow();
        assertThat(started.asOf()).isBetween(databaseNow.minusSeconds(10), databaseNow);
        assertThat(started.startedAt()).isBetween(databaseNow.minusSeconds(10), databaseNow);
        Map<String, Object> row = sql.query("SELECT heartbeat_at FROM billing_runs WHERE run_id = :?runId",
                Map.of("runId", started.runId())).get(0);
        assertThat(Sql.instant(row.get("heartbeat_at"))).isBetween(databaseNow.minusSeconds(10), databaseNow);
    }
}
