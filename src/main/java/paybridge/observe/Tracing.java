package paybridge.observe;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;

/**
 * OpenTelemetry tracing through Camel's own tracer (camel-opentelemetry2), off unless
 * {@code paybridge.tracing.otlp-endpoint} names an OTLP/HTTP receiver.
 * <ul>
 *   <li>Camel makes the spans of routes and endpoints: an /api call or a webhook delivery is one trace
 *       (the webhook's fast-path processing continues it); {@link #newTrace} starts a trace of its own
 *       for each billing-run item and each inbox entry the poll takes up.</li>
 *   <li>Each event delivery (one claimed delivery sent to one destination) is a trace of its own, rooted
 *       in a span made here ({@link #startEventDelivery}) with {@code destination}, {@code event.type} and
 *       {@code outcome} only; Camel's span of the destination's endpoint is left out ({@link #untraced}):
 *       its URI may carry a token.</li>
 *   <li>Each vendor call is one CLIENT span made here ({@link #startVendorCall}) with {@code vendor},
 *       {@code operation} and {@code outcome} only. Camel's own span of the vendor's HTTP endpoint is
 *       excluded: it would record the URL, whose path can hold a customer's billing-key id.</li>
 *   <li>Only W3C {@code traceparent} crosses the wire ({@link TraceparentPropagator}): accepted on
 *       /api, sent to vendors; never {@code tracestate} or baggage.</li>
 *   <li>The periodic sweeps (Camel timers and the Quartz tick) are not traced as such: a trace every
 *       two seconds per node of an idle poll drowns the ones that matter.</li>
 * </ul>
 * Bound as {@value #BEAN}; {@link #OFF} when tracing is off, so routes and vendor calls never check.
 */
public final class Tracing {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    public static final String BEAN = "tracing";
    public static final String SETTING = "paybridge.tracing.otlp-endpoint";
    public static final String ENVIRONMENT = "PAYBRIDGE_TRACING_OTLP_ENDPOINT";
    /** The exchange property where Camel's tracer keeps an exchange's stack of open spans. */
    static final String CAMEL_ACTIVE_SPAN = "tracing.activeSpan";
    /**
     * Endpoints Camel's tracer leaves alone: every connector's HTTP component is named
     * {@code <vendor>Http} (its span would carry the request URL).
     */
    static final String VENDOR_HTTP_ENDPOINTS = "[a-z0-9]+Http:.*";
    private static final String OTLP_TRACES_PATH = "/v1/traces";

    public static final Tracing OFF = new Tracing(null, null);

    private final Tracer tracer;
    private final ContinuingTracer camelTracer;

    private Tracing(Tracer tracer, ContinuingTracer camelTracer) {
        this.tracer = tracer;
        this.camelTracer = camelTracer;
    }

    public static Tracing of(CamelContext context) {
        Tracing tracing = context == null ? null : context.getRegistry().lookupByNameAndType(BEAN, Tracing.class);
        return tracing == null ? OFF : tracing;
    }

    public boolean enabled() {
        return tracer != null;
    }

    /**
     * Reads {@value #SETTING}; when set, starts the exporter and Camel's tracer on {@code context}
     * (before its routes exist, so each gets the tracing route policy). A value that is not an
     * absolute http(s) URL stops start-up naming the setting.
     */
    public static Tracing configure(CamelContext context, Settings settings) throws Exception {
        Tracing tracing = OFF;
        var endpoint = settings.find(SETTING);
        if (endpoint.isPresent()) {
            URI traces = tracesUri(endpoint.get());
            String service = settings.get("camel.main.name", "paybridge");
            SdkTracerProvider provider = SdkTracerProvider.builder()
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
                            .put("service.name", service)
                            .put("service.instance.id", settings.nodeId()).build())))
                    .setSampler(Sampler.parentBased(new NotPeriodicSweeps(context)))
                    .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                            .setEndpoint(traces.toString())
                            .setTimeout(Duration.ofSeconds(10)).build())
                            .setScheduleDelay(Duration.ofMillis(settings.duration("paybridge.tracing.export-interval", "PT2S").toMillis()))
                            .build())
                    .build();
            Tracer tracer = provider.get("paybridge");
            // OpenTelemetryTracer finds both in the registry (before GlobalOpenTelemetry, which stays unset)
            context.getRegistry().bind("openTelemetryTracer", Tracer.class, tracer);
            context.getRegistry().bind("openTelemetryPropagators", ContextPropagators.class,
                    ContextPropagators.create(TraceparentPropagator.INSTANCE));
            ContinuingTracer camelTracer = new ContinuingTracer();
            camelTracer.setCamelContext(context);
            camelTracer.setExcludePatterns(VENDOR_HTTP_ENDPOINTS);
            camelTracer.init(context);
            context.addService(new ProviderCloser(provider));
            tracing = new Tracing(tracer, camelTracer);
            LOG.info("Tracing on: spans exported over OTLP/HTTP to {}", traces);
        }
        context.getRegistry().bind(BEAN, tracing);
        return tracing;
    }

    /** The OTLP/HTTP traces URL: the setting as given when it ends in /v1/traces, else with it appended. */
    static URI tracesUri(String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (Exception e) {
            throw malformed(value);
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw malformed(value);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith(OTLP_TRACES_PATH)) {
            return uri;
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority()
                + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + OTLP_TRACES_PATH);
    }

    private static IllegalStateException malformed(String value) {
        return new IllegalStateException(SETTING + " (" + ENVIRONMENT + ") must be the http(s) URL of an OTLP/HTTP "
                + "receiver, such as http://otel-collector:4318; got '" + value + "'");
    }

    /**
     * Makes the exchange's next span the root of a trace of its own: for one item of a batch (a
     * billing-run charge, an inbox entry) split from a run or a poll, so each item is one trace.
     */
    public void newTrace(Exchange exchange) {
        if (tracer != null) {
            exchange.removeProperty(CAMEL_ACTIVE_SPAN);
            exchange.getMessage().removeHeader(TraceparentPropagator.TRACEPARENT);
        }
    }

    /**
     * Starts the span of one vendor call, a child of the route calling it, and puts its
     * {@code traceparent} on the outgoing request. Null when tracing is off.
     */
    public Span startVendorCall(String vendor, String operation, Message request) {
        if (tracer == null) {
            return null;
        }
        Span span = tracer.spanBuilder(vendor + " " + operation).setSpanKind(SpanKind.CLIENT)
                .setParent(Context.current())
                .setAttribute("vendor", vendor)
                .setAttribute("operation", operation)
                .startSpan();
        TraceparentPropagator.INSTANCE.inject(Context.current().with(span), request, (m, k, v) -> m.setHeader(k, v));
        return span;
    }

    /** Ends a vendor call's span with its outcome (the label of paybridge_vendor_call_seconds). */
    public static void endVendorCall(Span span, String outcome) {
        // no answer, or the vendor's own failure, is an error (a decline is an answer)
        end(span, outcome, outcome.equals("2xx") || outcome.equals("4xx"));
    }

    /** Ends {@code span} with its {@code outcome} attribute, as an error unless {@code ok}. */
    private static void end(Span span, String outcome, boolean ok) {
        if (span == null) {
            return;
        }
        span.setAttribute("outcome", outcome);
        if (!ok) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /**
     * Leaves Camel's spans of the endpoints matching {@code pattern} out (an endpoint URI, or
     * {@code scheme:*} for every endpoint of a component), as for the vendors' HTTP components: for
     * endpoints whose URI may hold credentials, which a span of our own describes instead.
     */
    public void untraced(String pattern) {
        if (camelTracer != null) {
            camelTracer.untraced(pattern);
        }
    }

    /**
     * Starts the span of one event delivery to a destination, the root of a trace of its own
     * ({@code event delivery}, CLIENT for HTTP, PRODUCER for a broker), with {@code destination} and
     * {@code event.type}; for HTTP puts its {@code traceparent} on the outgoing message. Null when tracing is off.
     */
    public Span startEventDelivery(String destination, String eventType, boolean http, Message message) {
        if (tracer == null) {
            return null;
        }
        Span span = tracer.spanBuilder("event delivery").setSpanKind(http ? SpanKind.CLIENT : SpanKind.PRODUCER)
                .setNoParent()
                .setAttribute("destination", destination)
                .setAttribute("event.type", eventType)
                .startSpan();
        if (http) {
            TraceparentPropagator.INSTANCE.inject(Context.root().with(span), message, (m, k, v) -> m.setHeader(k, v));
        }
        return span;
    }

    /** Ends an event delivery's span with its outcome (delivered, retry, failed: as paybridge_event_deliveries_total). */
    public static void endEventDelivery(Span span, String outcome) {
        end(span, outcome, outcome.equals("delivered"));
    }

    /**
     * Samples every trace except those a timer or Quartz tick would start (the spans of their routes
     * are named after the consumer's endpoint, the timer's name, listed once routes exist) and lone
     * SQL statements of no traced work.
     */
    static final class NotPeriodicSweeps implements Sampler {
        private final CamelContext context;
        private final Set<String> periodic = ConcurrentHashMap.newKeySet();
        private volatile int routesSeen = -1;

        NotPeriodicSweeps(CamelContext context) {
            this.context = context;
        }

        @Override
        public SamplingResult shouldSample(Context parent, String traceId, String name, SpanKind kind,
                Attributes attributes, List<LinkData> links) {
            // a root SQL statement runs outside any traced work (health checks, gauges): not a trace either
            return name.equals("jdbc") || periodic().contains(name) ? SamplingResult.drop() : SamplingResult.recordAndSample();
        }

        private Set<String> periodic() {
            List<Route> routes = context.getRoutes();
            if (routes.size() != routesSeen) {
                for (Route route : routes) {
                    String uri = route.getEndpoint().getEndpointUri();
                    if (uri.startsWith("timer:") || uri.startsWith("timer://") || uri.startsWith("quartz:")) {
                        periodic.add(route.getEndpoint().getEndpointBaseUri().replaceFirst("^[a-z]+:(//)?", ""));
                    }
                }
                routesSeen = routes.size();
            }
            return periodic;
        }

        @Override
        public String getDescription() {
            return "NotPeriodicSweeps";
        }
    }

    /** Flushes the spans still queued when the CamelContext stops, after the routes. */
    private static final class ProviderCloser extends ServiceSupport {
        private final SdkTracerProvider provider;

        ProviderCloser(SdkTracerProvider provider) {
            this.provider = provider;
        }

        @Override
        protected void doStop() {
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
