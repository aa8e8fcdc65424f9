package paybridge.observe;

import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.apache.logging.log4j.core.util.ContextDataProvider;

/**
 * Adds {@code trace_id} and {@code span_id} of the span current on the logging thread to every log
 * event's context data (log4j2 finds this provider through META-INF/services), so both layouts of
 * log4j2.xml show them: the text pattern after the thread, the JSON layout as fields. Nothing is added
 * outside a trace (tracing off, or a thread with no span).
 */
public final class TraceLogContext implements ContextDataProvider {
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";

    @Override
    public Map<String, String> supplyContextData() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return Map.of();
        }
        return Map.of(TRACE_ID, span.getTraceId(), SPAN_ID, span.getSpanId());
    }
}
