package paybridge.observe;

import java.util.Collection;
import java.util.List;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * W3C trace context reduced to {@code traceparent}: a caller's {@code tracestate} (vendor-specific
 * data of other systems) is neither read nor passed on to payment vendors, and no baggage crosses
 * the wire at all (no baggage propagator is configured).
 */
public final class TraceparentPropagator implements TextMapPropagator {
    public static final String TRACEPARENT = "traceparent";
    public static final TraceparentPropagator INSTANCE = new TraceparentPropagator();
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private TraceparentPropagator() {
    }

    @Override
    public Collection<String> fields() {
        return List.of(TRACEPARENT);
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        if (setter == null) {
            return;
        }
        W3C.inject(context, carrier, (c, key, value) -> {
            if (TRACEPARENT.equals(key)) {
                setter.set(c, key, value);
            }
        });
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
        if (getter == null) {
            return context;
        }
        return W3C.extract(context, carrier, new TextMapGetter<C>() {
            @Override
            public Iterable<String> keys(C c) {
                return List.of(TRACEPARENT);
            }

            @Override
            public String get(C c, String key) {
                return TRACEPARENT.equals(key) ? getter.get(c, key) : null;
            }
        });
    }
}
