package paybridge.api;

import io.vertx.ext.web.handler.TimeoutHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * Bounds how long an {@code /api} caller waits ({@code paybridge.http.request-timeout}). Past it the
 * caller gets a 504 problem (HttpErrorPages) telling it to read the payment later; the work itself
 * goes on and its outcome is recorded, so the same command sent again replays it. Keep it above the
 * vendor timeout, or callers see 504 where they would have seen the outcome.
 */
public final class RequestTimeout implements StartupListener {
    private final long millis;

    public RequestTimeout(long millis) {
        this.millis = millis;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        BusinessRouter.of(context).route("/api/*").order(Integer.MIN_VALUE + 1).handler(TimeoutHandler.create(millis, 504));
    }
}
