package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TimeZone;

import javax.sql.DataSource;

import org.apache.camel.component.quartz.QuartzComponent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import paybridge.testing.RunningPaybridge;

/** The Quartz route is wired to PAYBRIDGE_BILLING_CRON in PAYBRIDGE_BILLING_TIMEZONE with its misfire policy. */
class BillingQuartzTest {

    @Test
    void theTriggerCarriesTheCronTimeZoneAndMisfirePolicy() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.cron", "0 30 4 * * ?",
                "paybridge.billing.timezone", "Asia/Seoul"))) {
            assertThat(app.context().getRoute("billing-scheduled").getEndpoint().getEndpointUri()).startsWith("quartz://billing/run");
            QuartzComponent quartz = app.context().getComponent("quartz", QuartzComponent.class);
            Trigger trigger = quartz.getScheduler().getTrigger(TriggerKey.triggerKey("run", "billing"));
            assertThat(trigger).isInstanceOf(CronTrigger.class);
            CronTrigger cron = (CronTrigger) trigger;
            assertThat(cron.getCronExpression()).isEqualTo("0 30 4 * * ?");
            assertThat(cron.getTimeZone()).isEqualTo(TimeZone.getTimeZone("Asia/Seoul"));
            assertThat(cron.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
            // on H2: one node, Quartz in memory
            assertThat(quartz.getScheduler().getMetaData().getJobStoreClass().getSimpleName()).isEqualTo("RAMJobStore");
        }
    }

    @Test
    void aFireStartsARun() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.cron", "0/1 * * * * ?"))) {
            DataSource ds = app.lookup("dataSource", DataSource.class);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> completedRuns(ds) > 0);
        }
    }

    /**
     * A fire that meets another run in progress is owed to it: not started when that run was a real one that
     * completed (it charged what was due), started once it has ended when it was a dry run (an operator's at
     * the scheduled hour), instead of what was due waiting for the next day's fire.
     */
    @Test
    void aFireThatMetADryRunStartsItsRunOnceThatOneHasEnded() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.join-interval", "PT0.3S"))) {
            DataSource ds = app.lookup("dataSource", DataSource.class);
            BillingRunService service = app.lookup("billingRunService", BillingRunService.class);
            BillingRunStore store = app.lookup("billingRunStore", BillingRunStore.class);

            // the join timer (its first tick 3 s after the start) is running
            Awaitility.await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
            // a real run in progress, then completed: nothing owed
            BillingFixtures.insertRun(app, "run-real", java.time.Instant.now(), "other-node", 0);
            assertThat(service.startScheduled()).isNull();
            end(app, "run-real");
            Awaitility.await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(BillingFixtures.sql(app).query("SELECT run_id FROM billing_runs", Map.of())).hasSize(1);

            // an operator's dry run in progress: nothing starts beside it, the fire's run once it has ended
            assertThat(store.insert("run-dry", java.time.Instant.now(), true, "other-node")).isTrue();
            assertThat(service.startScheduled()).isNull();
            Awaitility.await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
            assertThat(BillingFixtures.sql(app).query("SELECT run_id FROM billing_runs", Map.of())).hasSize(2);
            end(app, "run-dry");
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> completedRuns(ds) == 3);
        }
    }

    private static void end(RunningPaybridge app, String runId) {
        BillingFixtures.sql(app).update("UPDATE billing_runs SET status = 'COMPLETED', running_lock = NULL,"
                + " finished_at = CURRENT_TIMESTAMP WHERE run_id = :?runId", Map.of("runId", runId));
    }

    private static long completedRuns(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM billing_runs WHERE status = 'COMPLETED'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void quartzsPoolOnPostgresIsBoundedByTheSocketTimeoutAsPaybridgesIs() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("paybridge.db.url", "jdbc:postgresql://db:5432/paybridge");
        p.setProperty("paybridge.db.socket-timeout", "PT20S");
        org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(p);
        QuartzComponent quartz = BillingConfiguration.quartz(new paybridge.Settings(camel.getPropertiesComponent()), "n1");
        // a database gone silent fails Quartz's statement after the bound instead of holding its threads
        assertThat(quartz.getProperties()).containsEntry("org.quartz.dataSource.paybridgeQuartz-paybridge.URL",
                "jdbc:postgresql://db:5432/paybridge?socketTimeout=20");
    }
}
