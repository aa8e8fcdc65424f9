package paybridge;

import java.time.Duration;

import javax.sql.DataSource;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.api.ApiKeyFilter;
import paybridge.api.ApiKeys;
import paybridge.audit.AuditQuery;
import paybridge.audit.AuditStore;
import paybridge.audit.AuditTrail;
import paybridge.audit.OneTransaction;
import paybridge.api.HttpErrorPages;
import paybridge.api.HttpServersListening;
import paybridge.api.JsonResponses;
import paybridge.api.LedgerQuery;
import paybridge.api.ManagementTokenFilter;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundStore;
import paybridge.ledger.Sql;
import paybridge.ledger.Transactions;
import paybridge.connector.http.OperationDeadline;
import paybridge.payments.ChargeService;
import paybridge.payments.OperatorService;
import paybridge.payments.PaymentView;
import paybridge.payments.RefundService;
import paybridge.payments.ReconcileService;
import paybridge.payments.RefundReconcileService;
import paybridge.api.ProblemResponder;
import paybridge.api.RequestTimeout;
import paybridge.connector.ConnectorRegistry;
import paybridge.ledger.Database;
import paybridge.ledger.DatabaseHealthCheck;
import paybridge.sandbox.SandboxServer;
import paybridge.sandbox.SandboxSettings;
import paybridge.connector.http.VendorHttp;

/**
 * Wires what the routes need before they start: settings checked for the profile, the database
 * (pool + migrations) bound as {@code dataSource}, its readiness check, and in {@code dev} the vendor sandbox.
 */
public class PaybridgeConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(PaybridgeConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Settings settings = new Settings(props);

        // tracing first: Camel's tracer must be in place before any route is created (off unless an OTLP endpoint is set)
        if (paybridge.observe.Tracing.configure(context, settings).enabled()) {
            context.addStartupListener(new paybridge.api.WebhookTraceHeaders());
        }

        // the enabled vendors' connectors; only theirs get routes (a misconfigured one stops start-up here)
        ConnectorRegistry connectors = ConnectorRegistry.of(context, settings);
        // the API keys and their names (a malformed paybridge.api.keys stops start-up here, naming it)
        ApiKeys apiKeys = ApiKeys.from(settings);
        String profile = context.getCamelContextExtension().getProfile();
        ProfileGuard.check(profile, settings, connectors);
        connectors.addRoutes(context);

        // opened and migrated on a thread of its own while the routes are built; every connection waits for
        // it, and no route starts before it is ready (a database that cannot be opened stops start-up there)
        Database database = Database.start(settings.require("paybridge.db.url"),
                settings.get("paybridge.db.user", "sa"), settings.get("paybridge.db.password", ""),
                settings.intValue("paybridge.db.pool-size", 16),
                Database.socketTimeout(settings.find(Database.SOCKET_TIMEOUT_SETTING)));
        context.addStartupListener(new DatabaseReady(database));
        // the pool, for routes an integration team adds (jdbc:dataSource, sql:); paybridge's own
        // statements go through Sql and the transactions below
        context.getRegistry().bind("dataSource", DataSource.class, database.dataSource());
        context.getRegistry().bind("database", database);
        // several statements as one transaction (Sql.inTransaction): on the pool itself
        Transactions transactions = new Transactions(database.dataSource());
        context.getRegistry().bind("transactions", transactions);
        // the steps of a `policy: {ref: oneTransaction}` as one transaction (a change and its audit row)
        context.getRegistry().bind("oneTransaction", new OneTransaction(transactions));
        context.addService(new Closer("database", database));

        bindPaymentServices(context, settings, connectors);
        context.getRegistry().bind("problemResponder", new ProblemResponder());
        context.getRestConfiguration().setApiProperties(new java.util.HashMap<>(java.util.Map.of(
                "api.title", "paybridge", "api.version", "1",
                "api.description", "One payment API in front of Korean payment vendors ("
                        + String.join(", ", connectors.ids()) + ")")));
        context.addStartupListener(new HttpServersListening());
        context.addStartupListener(new HttpErrorPages());
        context.addStartupListener(new RequestTimeout(
                settings.duration("paybridge.http.request-timeout", "PT60S").toMillis()));
        if (!apiKeys.none()) {
            context.addStartupListener(new ApiKeyFilter(apiKeys));
        }
        if (settings.find(ManagementTokenFilter.SETTING).isPresent()) {
            context.addStartupListener(new ManagementTokenFilter(settings.require(ManagementTokenFilter.SETTING)));
        }

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new DatabaseHealthCheck(database));
        }

        if (settings.bool("paybridge.sandbox.enabled", false)) {
            SandboxServer sandbox = new SandboxServer(SandboxSettings.from(settings), sandboxFaults(settings));
            sandbox.start();
            context.getRegistry().bind("sandbox", sandbox);
            context.addService(new Closer("sandbox", sandbox));
        }
        LOG.info("paybridge configured: profile={}, vendors={}", profile, connectors.ids());
    }

    /** The stores and services the routes call by name (bean ref) in routes/*.camel.yaml. */
    private static void bindPaymentServices(CamelContext context, Settings settings, ConnectorRegistry connectors) {
        Duration interval = settings.duration("paybridge.reconcile.interval", "PT1M");
        settings.durationAsMillisProperty("paybridge.reconcile.interval", "PT1M");
        Sql sql = new Sql(context);
        // one total deadline per vendor operation, and when an attempt can no longer be in flight
        OperationDeadline deadline = OperationDeadline.of(settings);
        context.getRegistry().bind("operationDeadline", deadline);
        PaymentStore payments = new PaymentStore(sql);
        LedgerStore ledger = new LedgerStore(sql);
        RefundStore refunds = new RefundStore(sql);
        // failure.category of a declined payment: the vendor's decline table, asked of its connector
        PaymentView view = new PaymentView(payments, ledger, ConnectorRegistry.of(context, settings));
        var registry = context.getRegistry();
        registry.bind("paymentStore", payments);
        registry.bind("ledgerStore", ledger);
        registry.bind("paymentView", view);
        registry.bind("chargeService", new ChargeService(payments, ledger, view, connectors, deadline));
        registry.bind("refundService", new RefundService(payments, refunds, ledger, connectors));
        registry.bind("operatorService", new OperatorService(payments, ledger, view, connectors));
        // charges: each attempt waits for its own horizon (in_flight_until) before it is looked up; each
        // row then has its own next look, doubling from the interval up to max-backoff
        registry.bind("reconcileService", new ReconcileService(payments, ledger, connectors, new ReconcileService.Schedule(
                interval, settings.duration("paybridge.reconcile.max-backoff", "PT1H"),
                settings.intValue("paybridge.reconcile.not-charged-rechecks", 6),
                settings.intValue("paybridge.reconcile.batch-size", 500))));
        // refunds: each waits for its own in-flight bound (in_flight_until) before it is looked up
        registry.bind("refundReconcileService", new RefundReconcileService(payments, refunds, ledger, connectors));
        registry.bind("billingKeyService", new paybridge.payments.BillingKeyService(
                new paybridge.ledger.BillingKeyStore(sql), connectors, deadline));
        registry.bind("ledgerQuery", new LedgerQuery(ledger));
        // who changed what (GET /api/audit); the entry routes call auditTrail
        Transactions transactions = registry.lookupByNameAndType("transactions", Transactions.class);
        // where a list in time order stops (the audit list, the event feed): one for every such list
        paybridge.ledger.CommitHorizon horizon = new paybridge.ledger.CommitHorizon(sql, transactions,
                registry.lookupByNameAndType("database", paybridge.ledger.Database.class)::isPostgres);
        registry.bind(paybridge.ledger.CommitHorizon.BEAN, horizon);
        AuditStore audit = new AuditStore(sql, transactions, horizon);
        registry.bind("auditTrail", new AuditTrail(audit));
        registry.bind("auditQuery", new AuditQuery(audit));
        registry.bind("jsonResponses", new JsonResponses());
        // /api/openapi.json: camel-openapi-java's document typed from src/main/resources/schemas
        registry.bind("openApiDocument", new paybridge.api.OpenApiDocument(context));
    }

    /** The sandbox's random vendor faults ({@code paybridge.sandbox.faults.*}): none unless set. */
    public static paybridge.sandbox.Faults.Settings sandboxFaults(Settings s) {
        return new paybridge.sandbox.Faults.Settings(
                Double.parseDouble(s.get("paybridge.sandbox.faults.slow", "0")),
                Double.parseDouble(s.get("paybridge.sandbox.faults.fail", "0")),
                Double.parseDouble(s.get("paybridge.sandbox.faults.hang", "0")),
                Double.parseDouble(s.get("paybridge.sandbox.faults.lose", "0")),
                s.duration("paybridge.sandbox.faults.slow-min", "PT1.5S"),
                s.duration("paybridge.sandbox.faults.slow-max", "PT1.9S"),
                s.duration("paybridge.sandbox.faults.hang-for", "PT4S"));
    }

    /** Waits, before any route starts, for the database to be open and migrated; its failure fails start-up. */
    private record DatabaseReady(Database database) implements org.apache.camel.StartupListener {
        @Override
        public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
            LOG.info("database ready: {}, schema version {}", database.awaitReady().productName(), database.schemaVersion());
        }

        @Override
        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
            // ready before the routes started
        }
    }

    /** Closes a resource when the CamelContext stops, after the routes that use it. */
    private static final class Closer extends ServiceSupport {
        private final String name;
        private final AutoCloseable resource;

        Closer(String name, AutoCloseable resource) {
            this.name = name;
            this.resource = resource;
        }

        @Override
        protected void doStop() throws Exception {
            LOG.debug("Closing {}", name);
            resource.close();
        }
    }
}
