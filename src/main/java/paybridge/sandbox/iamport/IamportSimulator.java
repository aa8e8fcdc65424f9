package paybridge.sandbox.iamport;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import paybridge.sandbox.SandboxSettings;
import paybridge.sandbox.WebhookSender;

/** Placeholder: the Iamport simulator is being written. */
public final class IamportSimulator {
    private final Vertx vertx;

    public IamportSimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
    }

    public Router router() {
        return Router.router(vertx);
    }
}
