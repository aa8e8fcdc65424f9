package paybridge.events;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.connector.http.VendorHttp;
import paybridge.events.EventDestinations.Destination;
import paybridge.ledger.EventFacts;
import paybridge.ledger.Sql;
import paybridge.observe.BoundedReading;
import paybridge.observe.PaybridgeMeters;
import paybridge.observe.Tracing;
import paybridge.payments.PaymentView;

/**
 * Events for other systems (CONTRACT §8): the outbox ({@link EventFacts}, bound as {@code eventFacts}
 * for the stores), one delivery route per destination from the {@code event-destination} template of
 * routes/events.camel.yaml (each with its own poller, its own bounded pool of senders and, for HTTP, its
 * own camel-http component with explicit timeouts and no automatic retries, so a slow destination holds
 * only itself), the API beans, meters and a report-only health check. Named in {@code PaybridgeMain.CONFIGURATIONS}.
 */
public class EventsConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(EventsConfiguration.class);
    static final String TEMPLATE = "event-destination";
    static final String DEFAULT_RETRY_DELAYS = "PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT10H";
    static final int SENDS_PER_SENDER = 4;
    static final Duration LEASE_MARGIN = Duration.ofSeconds(10);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context.getPropertiesComponent());
        EventDestinations destinations = EventDestinations.from(settings);
        Sql sql = new Sql(context);
        EventFacts facts = new EventFacts(sql);
        facts.destinations(destinations.filters());
        var registry = context.getRegistry();
        registry.bind(EventFacts.BEAN, facts);

        Duration timeout = settings.duration("paybridge.events.timeout", "PT15S");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalStateException("paybridge.events.timeout must be positive: " + timeout);
        }
        List<Duration> delays = retryDelays(settings.get("paybridge.events.retry-delays", DEFAULT_RETRY_DELAYS));
        // A poll to an HTTP destination claims up to SENDS_PER_SENDER deliveries per sender (a claim and its
        // outcomes cost the same few statements and two commits however many rows they take), and its lease
        // outlives the slowest such poll: each sender's sends one after another, each bounded by the timeout
        // (connect to last byte), plus a margin. A lease set shorter takes as many sends per sender as fit
        // in it, at least one; a broker destination's send has no such bound: one per sender
        Duration lease = settings.find("paybridge.events.lease").map(Duration::parse)
                .orElse(timeout.multipliedBy(SENDS_PER_SENDER).plus(LEASE_MARGIN));
        if (lease.compareTo(timeout) <= 0) {
            // a send may outlast its lease: another node would take the delivery and send it again meanwhile
            throw new IllegalStateException("paybridge.events.lease (PAYBRIDGE_EVENTS_LEASE, " + lease
                    + ") must be longer than paybridge.events.timeout (PAYBRIDGE_EVENTS_TIMEOUT, " + timeout
                    + "): one node at a time per delivery holds only while a send ends within its lease");
        }
        int sendsPerSender = sendsPerSender(lease, timeout);
        settings.durationAsMillisProperty("paybridge.events.poll-interval", "PT1S");
        settings.durationAsMillisProperty("paybridge.events.retention-interval", "PT1H");
        Duration retention = settings.duration("paybridge.events.retention", "P30D");

        Map<String, String> endpoints = new LinkedHashMap<>();
        for (Destination d : destinations.all()) {
            if (d.http()) {
                // its own component: its own connection pool and timeouts, none of another route's settings.
                // Only the status decides (a 2xx is delivered): the answer's headers and body are not read
                String component = httpComponent(d);
                context.addComponent(component, VendorHttp.component(timeout));
                endpoints.put(d.name(), component + ":" + d.uri() + (d.uri().contains("?") ? "&" : "?")
                        + "throwExceptionOnFailure=false&httpMethod=POST&skipResponseHeaders=true&ignoreResponseBody=true");
            } else {
                endpoints.put(d.name(), d.uri());
            }
            ExecutorService senders = context.getExecutorServiceManager()
                    .newFixedThreadPool(this, "events-" + d.name(), d.concurrency());
            registry.bind(senders(d.name()), ExecutorService.class, senders);
        }

        EventStore store = new EventStore(sql, registry.lookupByNameAndType(paybridge.ledger.CommitHorizon.BEAN,
                paybridge.ledger.CommitHorizon.class));
        EventDeliveries deliveries = new EventDeliveries(store, destinations,
                new EventDeliveries.Schedule(timeout, delays, lease, sendsPerSender, settings.nodeId(), retention), endpoints);
        registry.bind("eventStore", store);
        registry.bind("eventDeliveries", deliveries);
        registry.bind("eventsApi", new EventsApi(store, destinations));
        registry.bind("eventDestinations", destinations);

        BoundedReading<EventStore.Backlog> backlog = new BoundedReading<>(
                now -> store.backlog(destinations.names(), BoundedReading.QUERY_TIMEOUT),
                settings.duration("paybridge.observe.backlog-refresh", "PT10S"), Clock.systemUTC());
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new EventsHealthCheck(backlog));
        }

        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                // the delivery routes are added once every route is started (onCamelContextFullyStarted)
            }

            @Override
            public void onCamelContextStarting(CamelContext ctx, boolean alreadyStarted) {
                // beans of other configurations, bound by now
                PaymentView view = ctx.getRegistry().lookupByNameAndType("paymentView", PaymentView.class);
                if (view != null) {
                    facts.payments(view::find);
                }
                MeterRegistry meters = PaybridgeMeters.of(ctx).registry();
                deliveries.observe(meters);
                // each delivery its own trace, in a span of ours: Camel's span of the destination's endpoint
                // is left out (its URI, query included, may carry a token)
                Tracing tracing = Tracing.of(ctx);
                deliveries.trace(tracing);
                for (Destination d : destinations.all()) {
                    tracing.untraced(d.http() ? httpComponent(d) + ":*" : d.uri());
                }
                Gauge.builder("paybridge.events.undelivered", backlog, b -> b.valueOrNaN(EventStore.Backlog::undelivered))
                        .description("Events not yet delivered to every destination").strongReference(true)
                        .register(meters);
                Gauge.builder("paybridge.events.undelivered.oldest", backlog,
                                b -> b.valueOrNaN(x -> x.oldestAge().toSeconds()))
                        .description("Age of the oldest event not yet delivered to every destination")
                        .baseUnit("seconds").strongReference(true).register(meters);
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) throws Exception {
                for (Destination d : destinations.all()) {
                    if (ctx.getRoute("events-" + d.name()) == null) {
                        TemplatedRouteBuilder.builder(ctx, TEMPLATE).routeId("events-" + d.name())
                                .parameter("destination", d.name()).add();
                        LOG.info("events: delivering to {} (route events-{})", d.name(), d.name());
                    }
                }
            }
        });
        LOG.info("events: destinations={}, timeout={}, lease={} ({} send(s) per sender per poll), retries={}, retention={}",
                destinations.names(), timeout, lease, sendsPerSender, delays, retention);
    }

    /** The name of an HTTP destination's own camel-http component. */
    static String httpComponent(Destination d) {
        return "events-http-" + d.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The bean name of a destination's pool of senders (the template's split uses it). */
    static String senders(String destination) {
        return "eventSenders-" + destination;
    }

    /** How many sends one sender makes per poll: as many as fit in the lease (less its margin), 1 to {@value #SENDS_PER_SENDER}. */
    static int sendsPerSender(Duration lease, Duration timeout) {
        long fit = lease.minus(LEASE_MARGIN).toMillis() / timeout.toMillis();
        return (int) Math.max(1, Math.min(SENDS_PER_SENDER, fit));
    }

    static List<Duration> retryDelays(String text) {
        List<Duration> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                Duration d;
                try {
                    d = Duration.parse(part.trim());
                } catch (RuntimeException e) {
                    throw new IllegalStateException("paybridge.events.retry-delays: '" + part.trim()
                            + "' is not an ISO-8601 duration");
                }
                if (d.isNegative()) {
                    throw new IllegalStateException("paybridge.events.retry-delays: negative delay " + d);
                }
                out.add(d);
            }
        }
        return List.copyOf(out);
    }
}
