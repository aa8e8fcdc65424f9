package paybridge.observe;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.billing.BillingRunService;
import paybridge.connector.ConnectorRegistry;
import paybridge.ledger.Sql;
import paybridge.payments.ChargeService;
import paybridge.payments.ReconcileService;
import paybridge.payments.RefundService;
import paybridge.webhooks.WebhookMetrics;

/**
 * paybridge's meters in the Prometheus registry that Camel serves on {@code /observe/metrics}, and
 * the readiness checks beside the database one on {@code /observe/health} (Quartz, reconcile
 * backlog, webhook inbox). Named in {@code PaybridgeMain.CONFIGURATIONS}; the services it instruments
 * are looked up when the context starts, once every configuration has bound its beans, so it does not
 * depend on that order.
 */
public class ObserveConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ObserveConfiguration.class);
    /** Camel's micrometer-prometheus looks its registry up under this name, or creates and binds it. */
    static final String CAMEL_METRICS_REGISTRY = "metricsRegistry";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context.getPropertiesComponent());
        MeterRegistry registry = meterRegistry(context);
        // the enabled vendors (the connector registry's ids): the only vendor names a label may carry
        Set<String> vendors = new LinkedHashSet<>(ConnectorRegistry.of(context, settings).ids());
        PaybridgeMeters meters = new PaybridgeMeters(registry, vendors);
        context.getRegistry().bind(PaybridgeMeters.BEAN, meters);

        Duration alertAfter = settings.duration("paybridge.reconcile.alert-after", "PT30M");
        Duration refresh = settings.duration("paybridge.observe.backlog-refresh", "PT10S");
        Backlog backlog = new Backlog(new Sql(context), alertAfter, refresh, Clock.systemUTC());
        context.getRegistry().bind("observeBacklog", backlog);

        gauge(registry, "paybridge.webhook.inbox.backlog", "Webhook inbox entries not yet processed (RECEIVED or PENDING)",
                backlog, s -> s.inboxOpen());
        gauge(registry, "paybridge.webhook.inbox.flagged",
                "Webhook inbox entries flagged after every verification retry failed (replay them)",
                backlog, s -> s.inboxFlagged());
        gauge(registry, "paybridge.payments.open.stuck",
                "Payments PENDING or UNKNOWN for longer than paybridge.reconcile.alert-after", backlog, s -> s.stuckPayments());

        gauge(registry, "paybridge.payments.open.unsettleable",
                "Payments PENDING or UNKNOWN that reconcile looked at and could not settle (left for an operator)",
                backlog, s -> s.unsettleablePayments());
        gauge(registry, "paybridge.billing_keys.pending.stuck",
                "Billing-key issuances PENDING past their in-flight bound (the vendor's answer was lost; the caller must"
                        + " send the same request again while the vendor's idempotency window lasts)",
                backlog, s -> s.pendingBillingKeys());

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new QuartzHealthCheck(context));
            health.register(new ReconcileBacklogHealthCheck(backlog));
            health.register(new WebhookInboxHealthCheck(backlog));
        }

        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext ctx, boolean alreadyStarted) {
                instrument(ctx, meters, vendors);
            }

            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                // wired in onCamelContextStarting, before any route runs
            }
        });
        LOG.info("observability: meters in {}, reconcile alert after {}, backlog refresh {}",
                registry.getClass().getSimpleName(), alertAfter, refresh);
    }

    /** Camel's Prometheus registry: the one already bound, or a new one bound for Camel to find. */
    static MeterRegistry meterRegistry(CamelContext context) {
        MeterRegistry existing = context.getRegistry().lookupByNameAndType(CAMEL_METRICS_REGISTRY, MeterRegistry.class);
        if (existing != null) {
            return existing;
        }
        PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.getRegistry().bind(CAMEL_METRICS_REGISTRY, created);
        return created;
    }

    private static void gauge(MeterRegistry registry, String name, String description, Backlog backlog,
                              ToDoubleFunction<Backlog.Snapshot> value) {
        Gauge.builder(name, backlog, b -> b.valueOrNaN(value)).description(description).strongReference(true)
                .register(registry);
    }

    /** Hands the meters to the services that decide outcomes, and publishes the webhook counters. */
    static void instrument(CamelContext context, PaybridgeMeters meters, Set<String> vendors) {
        var beans = context.getRegistry();
        ChargeService charges = beans.lookupByNameAndType("chargeService", ChargeService.class);
        if (charges != null) {
            charges.observe(meters);
        }
        RefundService refunds = beans.lookupByNameAndType("refundService", RefundService.class);
        if (refunds != null) {
            refunds.observe(meters);
        }
        ReconcileService reconcile = beans.lookupByNameAndType("reconcileService", ReconcileService.class);
        if (reconcile != null) {
            reconcile.observe(meters);
        }
        BillingRunService billing = beans.lookupByNameAndType("billingRunService", BillingRunService.class);
        if (billing != null) {
            billing.observe(meters);
        }
        WebhookMetrics webhooks = beans.lookupByNameAndType("webhookMetrics", WebhookMetrics.class);
        if (webhooks != null) {
            for (String vendor : vendors) {
                for (WebhookMetrics.Outcome outcome : WebhookMetrics.Outcome.values()) {
                    FunctionCounter.builder("paybridge.webhook.deliveries", webhooks.counter(vendor, outcome),
                                    java.util.concurrent.atomic.AtomicLong::doubleValue)
                            .description("Webhook deliveries and inbox entries, by vendor and outcome")
                            .tags("vendor", vendor, "outcome", outcome.label())
                            .register(meters.registry());
                }
            }
        }
    }
}
