package paybridge.webhooks;

import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.http.OperationDeadline;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;

/**
 * Wires the webhook beans webhooks.camel.yaml calls by name: {@code webhookIntake},
 * {@code webhookProcessor}, {@code webhookInbox}, {@code webhookApi}, {@code webhookMetrics},
 * {@code webhookSettings}, and the worker pool {@code webhookWorkers}. Named in
 * {@code PaybridgeMain.CONFIGURATIONS}. Everything vendor-specific is asked of the enabled connectors
 * ({@code connectorRegistry}, bound by another configuration: looked up when first needed).
 */
public class WebhookConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Settings settings = new Settings(props);
        WebhookSettings ws = WebhookSettings.from(settings);
        // Camel's timer reads "PT2S" as 0 ms: hand it milliseconds
        props.addOverrideProperty("paybridge.webhook.poll-interval-millis", String.valueOf(ws.pollInterval().toMillis()));
        props.addOverrideProperty("paybridge.webhook.processing-enabled", String.valueOf(ws.processingEnabled()));
        props.addOverrideProperty("paybridge.webhook.concurrency", String.valueOf(ws.concurrency()));

        String node = settings.nodeId();
        Sql sql = new Sql(context);
        PaymentStore payments = new PaymentStore(sql);
        LedgerStore ledger = new LedgerStore(sql);
        // a lookup is one vendor operation: none of its requests starts after the budget, each ends within a timeout
        OperationDeadline deadline = OperationDeadline.of(settings);
        WebhookInbox inbox = new WebhookInbox(sql, node, ws.lease(), deadline.budget().plus(deadline.timeout()));
        WebhookMetrics metrics = new WebhookMetrics();
        Supplier<ConnectorRegistry> connectors = connectors(context);
        var registry = context.getRegistry();
        registry.bind("webhookSettings", ws);
        registry.bind("webhookMetrics", metrics);
        registry.bind("webhookInbox", inbox);
        registry.bind("webhookIntake", new WebhookIntake(inbox, metrics, ws, connectors));
        registry.bind("webhookProcessor", new WebhookProcessor(inbox, payments, new ExternalPayments(sql),
                ledger, metrics, ws, connectors, context));
        registry.bind("webhookApi", new WebhookApi(inbox, connectors));
        ExecutorService workers = context.getExecutorServiceManager()
                .newFixedThreadPool(this, "webhook-workers", ws.concurrency());
        registry.bind("webhookWorkers", ExecutorService.class, workers);
        LOG.info("webhooks: processing={}, node={}, max-bytes={}", ws.processingEnabled() ? "on" : "off", node,
                ws.maxBytes());
        // once every configuration has bound its beans
        context.addStartupListener((ctx, alreadyStarted) -> {
            for (Connector c : connectors.get().enabled()) {
                LOG.info("webhooks {}: POST /webhooks/{}, source IPs={}, signature={}", c.id(), c.id(),
                        c.webhooks().sources(), c.webhooks().signed() ? "required" : "off");
            }
        });
    }

    /** The connector registry, looked up once it is needed (then kept: it never changes while running). */
    private static Supplier<ConnectorRegistry> connectors(CamelContext context) {
        return new Supplier<>() {
            private volatile ConnectorRegistry found;

            @Override
            public ConnectorRegistry get() {
                ConnectorRegistry r = found;
                if (r == null) {
                    r = context.getRegistry().lookupByNameAndType(ConnectorRegistry.BEAN, ConnectorRegistry.class);
                    if (r == null) {
                        throw new IllegalStateException("no " + ConnectorRegistry.BEAN + " bound");
                    }
                    found = r;
                }
                return r;
            }
        };
    }
}
