package paybridge.sandbox;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.ServerSocket;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.PackageClasses;
import paybridge.sandbox.iamport.IamportSimulator;
import paybridge.sandbox.steppay.SteppaySimulator;

/**
 * Serves the vendor simulators ({@link VendorSimulator}, found in {@code paybridge.sandbox.*}) under
 * {@code /sandbox/<vendor>} on a Vert.x server of their own. The handlers never block (latency and
 * hangs are timers), so hundreds of concurrent charges cannot starve paybridge's own HTTP worker pool, which calls this server.
 * State lives in memory, apart from the ledger: a restart forgets it, like a fresh vendor test account.
 */
public final class SandboxServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxServer.class);

    private static final int EVENT_LOOPS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final SandboxSettings settings;
    private final Vertx vertx;
    private final WebhookSender webhooks;
    /** By vendor id, in id order. */
    private final Map<String, VendorSimulator> simulators;
    private final Faults faults;
    private volatile int port;

    public SandboxServer(SandboxSettings settings) {
        this(settings, Faults.Settings.none());
    }

    /**
     * @param settings the simulators' behaviour; {@code webhookBaseUrl} may list several paybridge
     *                 nodes, comma-separated: webhooks then go to them in turn (see {@link WebhookSender})
     * @param faults   random vendor misbehaviour in front of both simulators (chaos runs); none by default
     */
    public SandboxServer(SandboxSettings settings, Faults.Settings faults) {
        java.util.List<String> webhookTargets = java.util.Arrays.stream(
                        settings.webhookBaseUrl() == null ? new String[0] : settings.webhookBaseUrl().split(","))
                .map(String::trim).filter(u -> !u.isEmpty()).toList();
        // the simulators address the first node; the sender spreads deliveries over all of them
        SandboxSettings simulated = webhookTargets.size() > 1 ? settings.toBuilder().webhookBaseUrl(webhookTargets.get(0)).build() : settings;
        this.settings = simulated;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
        this.webhooks = new WebhookSender(vertx, webhookTargets);
        this.simulators = simulators(vertx, simulated, webhooks);
        this.faults = faults.any() ? new Faults(vertx, faults) : null;
    }

    /** Starts listening; returns the bound port (with port 0, a free one is picked first). */
    public int start() {
        Router root = Router.router(vertx);
        if (faults != null) {
            // test hooks (not a vendor API): see the counts, stop the faults before an audit
            root.get("/sandbox/_faults").handler(ctx -> json(ctx, faults.stats()));
            root.post("/sandbox/_faults/:state").handler(ctx -> {
                faults.enabled("on".equals(ctx.pathParam("state")));
                json(ctx, faults.stats());
            });
            root.route("/sandbox/*").handler(faults);
        }
        simulators.forEach((vendor, simulator) -> root.route("/sandbox/" + vendor + "/*").subRouter(simulator.router()));
        port = settings.port() != 0 ? settings.port() : freePort();
        // One server per event loop on the same port: Vert.x spreads connections across them, so
        // the simulators use both cores (a single server created outside a verticle uses one loop).
        // HTTP/1.1 only, as the vendors answer: no h2c upgrade (a JDK client that upgrades by default
        // lost its frame sync on a 2 MB _records answer from Vert.x's upgraded connection).
        CompletableFuture<String> deployed = new CompletableFuture<>();
        vertx.deployVerticle(() -> new AbstractVerticle() {
                    @Override
                    public void start(Promise<Void> started) {
                        vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(root).listen(port, settings.host())
                                .<Void>mapEmpty().onComplete(started);
                    }
                }, new DeploymentOptions().setInstances(EVENT_LOOPS))
                .onSuccess(deployed::complete)
                .onFailure(deployed::completeExceptionally);
        try {
            deployed.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Sandbox could not listen on " + settings.host() + ":" + port, e);
        }
        LOG.info("Vendor sandbox listening on http://{}:{}/sandbox/{{}}", settings.host(), port,
                String.join(",", simulators.keySet()));
        return port;
    }

    private static void json(io.vertx.ext.web.RoutingContext ctx, io.vertx.core.json.JsonObject body) {
        ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    public IamportSimulator iamport() {
        return simulator(IamportSimulator.class);
    }

    public SteppaySimulator steppay() {
        return simulator(SteppaySimulator.class);
    }

    /** The simulator of this type that the server serves. */
    public <T extends VendorSimulator> T simulator(Class<T> type) {
        return simulators.values().stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + type.getSimpleName() + " in the sandbox"));
    }

    /**
     * Every {@link VendorSimulator} in {@code paybridge.sandbox} and its sub-packages, constructed for
     * this server, by the vendor id its {@code VENDOR} constant declares.
     */
    static Map<String, VendorSimulator> simulators(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        Map<String, VendorSimulator> byVendor = new TreeMap<>();
        for (Class<?> type : PackageClasses.implementing(VendorSimulator.class, "paybridge.sandbox",
                VendorSimulator.class.getClassLoader())) {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            try {
                String vendor = (String) type.getField("VENDOR").get(null);
                VendorSimulator simulator = (VendorSimulator) type
                        .getConstructor(Vertx.class, SandboxSettings.class, WebhookSender.class)
                        .newInstance(vertx, settings, webhooks);
                if (byVendor.put(vendor, simulator) != null) {
                    throw new IllegalStateException("Two sandbox simulators claim the vendor '" + vendor + "'");
                }
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException("Sandbox simulator " + type.getName() + " needs public static final "
                        + "String VENDOR and a public constructor (Vertx, SandboxSettings, WebhookSender)", e);
            }
        }
        return byVendor;
    }

    /** The random vendor faults, or null when none are configured. */
    public Faults faults() {
        return faults;
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
