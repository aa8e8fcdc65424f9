package paybridge.billing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.ledger.Database;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.DeclineClassifier;
import paybridge.connector.http.VendorHttp;

/**
 * Wires recurring billing: the stores and services routes/billing.camel.yaml calls by name,
 * the {@code billingPool} threads of the run's split ({@link ChargePool}), and the {@code quartz} component —
 * clustered on its JDBC job store when the database is PostgreSQL, in memory on H2.
 *
 * <p>Named in {@code PaybridgeMain.CONFIGURATIONS}, after {@code PaybridgeConfiguration}; everything
 * here is built from settings alone, so the order does not matter to it: the database is reached through
 * the {@code dataSource} bean only when a statement runs.
 */
public class BillingConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(BillingConfiguration.class);
    public static final String POOL = "billingPool";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context.getPropertiesComponent());
        BillingCalendar calendar = BillingCalendar.of(settings.get("paybridge.billing.timezone", "Asia/Seoul"),
                settings.get("paybridge.billing.retry-delays", "P1D,P3D,P7D"));
        int concurrency = settings.intValue("paybridge.billing.concurrency", 16);
        String node = settings.nodeId();
        Duration staleAfter = settings.duration("paybridge.billing.stale-after", "PT30S");
        Duration heartbeat = settings.duration("paybridge.billing.heartbeat-interval", "PT5S");
        settings.durationAsMillisProperty("paybridge.billing.join-interval", "PT2S");
        Duration vendorTimeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));

        // the split's threads: `concurrency` charges in flight, the feed waits for a free thread (ChargePool)
        context.getRegistry().bind(POOL, ChargePool.create(context, POOL, concurrency));
        ScheduledExecutorService scheduler = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "billing-heartbeat");

        Sql sql = new Sql(context);
        SubscriptionStore subscriptions = new SubscriptionStore(sql);
        BillingAttemptStore attempts = new BillingAttemptStore(sql);
        BillingRunStore runStore = new BillingRunStore(sql);
        // a claim still in flight on another node when the run ends: wait up to one vendor call
        Duration inFlightWait = VendorHttp.longestCall(vendorTimeout);
        // the vendors' decline tables (HARD: PAST_DUE at once), shared with the API's PaymentResult
        ConnectorRegistry connectors = ConnectorRegistry.of(context, settings);
        DeclineClassifier declines = connectors;
        // subscription.past_due / .resumed / .cancelled: written to the outbox in the change's transaction
        SubscriptionOutbox events = new SubscriptionOutbox(subscriptions, sql);
        BillingRunService runs = new BillingRunService(calendar, subscriptions, attempts, runStore,
                new PaymentStore(sql), sql, java.time.Clock.systemUTC(), new DoubleChargeAlarm(), node, staleAfter,
                heartbeat, inFlightWait, scheduler, declines, events);
        SubscriptionService subscriptionService = new SubscriptionService(subscriptions, attempts, calendar,
                connectors, sql, events);
        events.view(subscriptionService::view);
        var registry = context.getRegistry();
        registry.bind("billingCalendar", calendar);
        registry.bind("subscriptionStore", subscriptions);
        registry.bind("billingAttemptStore", attempts);
        registry.bind("billingRunStore", runStore);
        registry.bind("billingRunService", runs);
        registry.bind("subscriptionService", subscriptionService);
        registry.bind("subscriptionEvents", SubscriptionEvents.class, events);
        registry.bind("billingApi", new BillingApi(subscriptionService, runs));
        org.apache.camel.health.HealthCheckRegistry health = org.apache.camel.health.HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new DoubleChargeHealthCheck(attempts));
        }
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                runs.shutdown();
            }
        });

        context.addComponent("quartz", quartz(settings, node));
        LOG.info("billing configured: node={}, zone={}, cron='{}', concurrency={}", node, calendar.zone(),
                settings.get("paybridge.billing.cron", "?"), concurrency);
    }

    /**
     * The Quartz scheduler behind {@code quartz://billing/run}. On PostgreSQL: JobStoreTX with the
     * PostgreSQLDelegate, clustered (every node the same instance name, instanceId AUTO), on its own
     * small HikariCP pool to the same database (tables from db/migration/postgresql/V3_1). Elsewhere
     * (H2, one node): the RAM job store.
     */
    static QuartzComponent quartz(Settings settings, String node) {
        String url = settings.get("paybridge.db.url", "");
        boolean postgres = url.startsWith("jdbc:postgresql:");
        String instanceName = settings.get("paybridge.billing.quartz.instance-name", "paybridge");
        Map<String, Object> p = new HashMap<>();
        p.put("org.quartz.scheduler.skipUpdateCheck", "true");
        p.put("org.quartz.threadPool.threadCount", "2");
        p.put("org.quartz.scheduler.instanceId", "AUTO");
        if (postgres) {
            String ds = "paybridgeQuartz-" + instanceName;
            p.put("org.quartz.scheduler.instanceName", instanceName);
            p.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
            p.put("org.quartz.jobStore.isClustered", "true");
            p.put("org.quartz.jobStore.clusterCheckinInterval",
                    settings.get("paybridge.billing.quartz.checkin-millis", "7500"));
            // a fire later than this (e.g. all nodes were down at 03:00) is a misfire: see billing.camel.yaml
            p.put("org.quartz.jobStore.misfireThreshold", "60000");
            p.put("org.quartz.jobStore.dataSource", ds);
            p.put("org.quartz.dataSource." + ds + ".provider", "hikaricp");
            p.put("org.quartz.dataSource." + ds + ".driver", "org.postgresql.Driver");
            // bounded as paybridge's own pool is: a database that stops answering fails Quartz's statement
            // instead of holding its thread (and the cluster's check-in) indefinitely
            p.put("org.quartz.dataSource." + ds + ".URL", Database.withPostgresSocketTimeout(url,
                    Database.socketTimeout(settings.find(Database.SOCKET_TIMEOUT_SETTING))));
            p.put("org.quartz.dataSource." + ds + ".user", settings.get("paybridge.db.user", ""));
            p.put("org.quartz.dataSource." + ds + ".password", settings.get("paybridge.db.password", ""));
            p.put("org.quartz.dataSource." + ds + ".maxConnections", "3");
        } else {
            // one scheduler per paybridge instance (Quartz keeps schedulers in a JVM-wide registry by name)
            p.put("org.quartz.scheduler.instanceName", instanceName + "-" + node);
            p.put("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(p);
        quartz.setPrefixInstanceName(false);
        quartz.setEnableJmx(false);
        return quartz;
    }
}
