package paybridge.ledger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import org.apache.camel.CamelContext;

/**
 * With tracing on, each statement {@link Sql} runs inside a trace is a span of it (INTERNAL: the CLIENT
 * spans of a trace are its vendor calls), named by its verb
 * ({@code SELECT}, {@code UPDATE}...) with {@code db.statement} (paybridge's constant SQL
 * text: values are bound as parameters, never in it). Statements run outside a trace (pollers, health
 * checks) make none. The tracer is the one paybridge.observe.Tracing binds as {@code openTelemetryTracer}.
 */
final class StatementSpans {
    static final String TRACER_BEAN = "openTelemetryTracer";

    private final CamelContext context;
    private volatile Tracer tracer;
    private volatile boolean settled;

    StatementSpans(CamelContext context) {
        this.context = context;
    }

    /** The open span of a statement about to run, or null (tracing off, or no trace on this thread). */
    Span start(String sql) {
        Tracer t = tracer();
        if (t == null || !Span.current().getSpanContext().isValid()) {
            return null;
        }
        return t.spanBuilder(verb(sql)).setSpanKind(SpanKind.INTERNAL)
                .setAttribute("db.statement", sql).startSpan();
    }

    /** Runs {@code work} with {@code span} current (nothing to do when null), ending it after. */
    static <T, E extends Exception> T within(Span span, ThrowingSupplier<T, E> work) throws E {
        if (span == null) {
            return work.get();
        }
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (Exception | Error e) {
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    interface ThrowingSupplier<T, E extends Exception> {
        T get() throws E;
    }

    private Tracer tracer() {
        Tracer t = tracer;
        if (t != null || settled) {
            return t;
        }
        t = context.getRegistry().lookupByNameAndType(TRACER_BEAN, Tracer.class);
        tracer = t;
        // bound (or not) by the time the context has started: from then on the answer is final
        settled = context.isStarted();
        return t;
    }

    static String verb(String sql) {
        String s = sql.stripLeading();
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return end == 0 ? "SQL" : s.substring(0, end).toUpperCase(java.util.Locale.ROOT);
    }
}
