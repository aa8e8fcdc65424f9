package paybridge.observe;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.telemetry.SpanContextPropagationExtractor;
import org.apache.camel.telemetry.SpanContextPropagationInjector;
import org.apache.camel.telemetry.SpanLifecycleManager;

/**
 * Camel's OpenTelemetry tracer, except that an exchange created while a span is current on the thread
 * (a {@code ProducerTemplate} call from a bean: every SQL statement, iamport's token fetch) continues
 * that span's trace. Camel's own tracer starts such an exchange as a new trace of its own, which would
 * split one API call into dozens of traces. An exchange that carries a {@code traceparent} (an /api
 * caller's) keeps it; one started on a thread with no current span (a pool thread, a timer) is a root.
 */
final class ContinuingTracer extends OpenTelemetryTracer {
    /** Endpoints left out besides the exclude patterns: each pattern by the scheme it starts with. */
    private final Map<String, List<String>> untraced = new ConcurrentHashMap<>();

    /** Leaves Camel's spans of the endpoints {@code pattern} matches out (an endpoint URI or {@code scheme:*}). */
    void untraced(String pattern) {
        int colon = pattern.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not an endpoint URI: a scheme and a colon first");
        }
        untraced.computeIfAbsent(pattern.substring(0, colon + 1), k -> new CopyOnWriteArrayList<>()).add(pattern);
    }

    @Override
    public boolean exclude(String endpointUri, CamelContext context) {
        if (super.exclude(endpointUri, context)) {
            return true;
        }
        if (endpointUri == null || untraced.isEmpty()) {
            return false;
        }
        // only endpoints of a listed scheme pay for matching (normalising) their URI
        int colon = endpointUri.indexOf(':');
        List<String> patterns = colon <= 0 ? null : untraced.get(endpointUri.substring(0, colon + 1));
        if (patterns != null) {
            for (String pattern : patterns) {
                if (EndpointHelper.matchEndpoint(context, endpointUri, pattern)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    protected void initTracer() {
        super.initTracer();
        SpanLifecycleManager camel = getSpanLifecycleManager();
        setSpanLifecycleManager(new SpanLifecycleManager() {
            @Override
            public org.apache.camel.telemetry.Span create(String name, org.apache.camel.telemetry.Span parent,
                    SpanContextPropagationExtractor extractor) {
                return camel.create(name, parent, parent == null ? orCurrentSpan(extractor) : extractor);
            }

            @Override
            public void activate(org.apache.camel.telemetry.Span span) {
                camel.activate(span);
            }

            @Override
            public void deactivate(org.apache.camel.telemetry.Span span) {
                camel.deactivate(span);
            }

            @Override
            public void close(org.apache.camel.telemetry.Span span) {
                camel.close(span);
            }

            @Override
            public void inject(org.apache.camel.telemetry.Span span, SpanContextPropagationInjector injector,
                    boolean includeTracing) {
                camel.inject(span, injector, includeTracing);
            }
        });
    }

    /** The exchange's headers, with the current span's traceparent when they have none. */
    private static SpanContextPropagationExtractor orCurrentSpan(SpanContextPropagationExtractor headers) {
        if (headers == null || headers.get(TraceparentPropagator.TRACEPARENT) != null
                || !Span.current().getSpanContext().isValid()) {
            return headers;
        }
        String[] current = new String[1];
        TraceparentPropagator.INSTANCE.inject(Context.current(), current, (c, key, value) -> c[0] = value);
        return new SpanContextPropagationExtractor() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return headers.iterator();
            }

            @Override
            public Object get(String key) {
                return TraceparentPropagator.TRACEPARENT.equals(key) ? current[0] : headers.get(key);
            }

            @Override
            public Set<String> keys() {
                Set<String> keys = new HashSet<>(headers.keys());
                keys.add(TraceparentPropagator.TRACEPARENT);
                return keys;
            }
        };
    }
}
