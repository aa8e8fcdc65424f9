package paybridge.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.sandbox.iamport.IamportSimulator;
import paybridge.sandbox.steppay.SteppaySimulator;

/**
 * Serves the vendor simulators under {@code /sandbox/iamport} and {@code /sandbox/steppay} on a
 * Vert.x server of their own. The handlers never block (latency and hangs are timers), so hundreds
 * of concurrent charges cannot starve paybridge's own HTTP worker pool, which calls this server.
 * State lives in memory, apart from the ledger: a restart forgets it, like a fresh vendor test account.
 */
public final class SandboxServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxServer.class);

    private final SandboxSettings settings;
    private final Vertx vertx;
    private final WebhookSender webhooks = new WebhookSender();
    private final IamportSimulator iamport;
    private final SteppaySimulator steppay;
    private HttpServer server;

    public SandboxServer(SandboxSettings settings) {
        this.settings = settings;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        this.iamport = new IamportSimulator(vertx, settings, webhooks);
        this.steppay = new SteppaySimulator(vertx, settings, webhooks);
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start() {
        Router root = Router.router(vertx);
        root.route("/sandbox/iamport/*").subRouter(iamport.router());
        root.route("/sandbox/steppay/*").subRouter(steppay.router());
        CompletableFuture<HttpServer> started = new CompletableFuture<>();
        vertx.createHttpServer()
                .requestHandler(root)
                .listen(settings.port(), settings.host())
                .onSuccess(started::complete)
                .onFailure(started::completeExceptionally);
        try {
            server = started.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Sandbox could not listen on " + settings.host() + ":" + settings.port(), e);
        }
        LOG.info("Vendor sandbox listening on http://{}:{}/sandbox/{{iamport,steppay}}", settings.host(), server.actualPort());
        return server.actualPort();
    }

    public int port() {
        return server.actualPort();
    }

    public IamportSimulator iamport() {
        return iamport;
    }

    public SteppaySimulator steppay() {
        return steppay;
    }

    public WebhookSender webhooks() {
        return webhooks;
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        vertx.close().onComplete(ar -> closed.complete(null));
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Sandbox did not stop cleanly: {}", e.toString());
        }
    }
}
