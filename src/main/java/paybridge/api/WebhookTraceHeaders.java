package paybridge.api;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * With tracing on, a vendor's delivery to {@code /webhooks/*} starts a trace of its own: a
 * {@code traceparent} (or {@code tracestate}, {@code baggage}) it sends is dropped before Camel's tracer
 * reads it, so no outside party chooses which trace a payment's webhook joins. Only /api callers'
 * traceparent is continued.
 */
public final class WebhookTraceHeaders implements StartupListener {

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        BusinessRouter.of(context).route("/webhooks/*").order(Integer.MIN_VALUE).handler(ctx -> {
            ctx.request().headers().remove("traceparent").remove("tracestate").remove("baggage");
            ctx.next();
        });
    }
}
