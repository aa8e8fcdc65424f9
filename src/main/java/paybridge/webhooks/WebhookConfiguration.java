package paybridge.webhooks;

import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;

/**
 * Wires the webhook beans webhooks.camel.yaml calls by name: {@code webhookIntake},
 * {@code webhookProcessor}, {@code webhookInbox}, {@code webhookApi}, {@code webhookMetrics},
 * {@code webhookSettings}, and the worker pool {@code webhookWorkers}. Found by camel-main's package scan.
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
        WebhookInbox inbox = new WebhookInbox(sql, node, ws.lease());
        WebhookMetrics metrics = new WebhookMetrics();
        var registry = context.getRegistry();
        registry.bind("webhookSettings", ws);
        registry.bind("webhookMetrics", metrics);
        registry.bind("webhookInbox", inbox);
        registry.bind("webhookIntake", new WebhookIntake(inbox, metrics, ws));
        registry.bind("webhookProcessor", new WebhookProcessor(inbox, payments, new ExternalPayments(sql),
                ledger, metrics, ws, context.createProducerTemplate()));
        registry.bind("webhookApi", new WebhookApi(inbox));
        ExecutorService workers = context.getExecutorServiceManager()
                .newFixedThreadPool(this, "webhook-workers", ws.concurrency());
        registry.bind("webhookWorkers", ExecutorService.class, workers);
        LOG.info("webhooks: processing={}, node={}, max-bytes={}, iamport IPs={}, steppay IPs={}, steppay signature={}",
                ws.processingEnabled() ? "on" : "off", node, ws.maxBytes(), ws.iamportIps(), ws.steppayIps(),
                ws.steppaySignature() == null ? "off" : "required");
    }
}
