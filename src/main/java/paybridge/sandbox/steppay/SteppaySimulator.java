package paybridge.sandbox.steppay;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import paybridge.sandbox.SandboxSettings;
import paybridge.sandbox.WebhookSender;

/** Placeholder: the Steppay simulator is being written. */
public final class SteppaySimulator {
    private final Vertx vertx;

    public SteppaySimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
    }

    public Router router() {
        return Router.router(vertx);
    }
}
