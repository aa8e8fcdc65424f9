package paybridge.sandbox.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import paybridge.sandbox.SandboxSettings;
import paybridge.sandbox.TestAmounts;
import paybridge.sandbox.VendorSimulator;
import paybridge.sandbox.WebhookSender;

/**
 * The "fake" vendor's API in the sandbox (test sources: the simulator a third vendor brings, found
 * by the sandbox like the others and served under {@code /sandbox/fake}). Bearer-key auth
 * ({@value #API_KEY}); charges on a billing key, keyed by the merchant's order id (a second charge
 * under one order id is refused, 409); refunds, full or partial, each with its own id; lookups by
 * charge id and by order id. The amount decides ({@link TestAmounts}): 4001 declines; 4002 charges at
 * once and answers after {@code paybridge.sandbox.hang}; anything else is paid.
 * <p>
 * Test hooks, not the vendor's API, without auth: {@code GET /_stats},
 * {@code POST /_control/console-refund/{chargeId}} ({@code {"amount"}}; answers {@code {"refundId"}}).
 */
public final class FakeSimulator implements VendorSimulator {
    public static final String VENDOR = "fake";
    public static final String API_KEY = "sandbox-fake-key";

    record Refund(String id, long amount, Instant at) {
    }

    record Charge(String id, String orderId, long amount, String billingKey, String status, String reason,
                  Instant createdAt, List<Refund> refunds) {
        long refunded() {
            return refunds.stream().mapToLong(Refund::amount).sum();
        }
    }

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final Map<String, Charge> byId = new ConcurrentHashMap<>();
    private final Map<String, Charge> byOrder = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong charges = new AtomicLong();
    private final AtomicLong refunds = new AtomicLong();
    private final AtomicLong lookups = new AtomicLong();

    public FakeSimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
        this.settings = settings;
    }

    @Override
    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        router.get("/_stats").handler(ctx -> reply(ctx, 200, new JsonObject().put("charges", charges.get())
                .put("refunds", refunds.get()).put("lookups", lookups.get()), Duration.ZERO));
        router.post("/_control/console-refund/:id").handler(this::consoleRefund);

        router.route().handler(ctx -> {
            if (("Bearer " + API_KEY).equals(ctx.request().getHeader("Authorization"))) {
                ctx.next();
            } else {
                reply(ctx, 401, new JsonObject().put("error", "unauthorized"), Duration.ZERO);
            }
        });
        router.post("/v1/charges").handler(this::charge);
        router.post("/v1/charges/:id/refunds").handler(this::refund);
        router.get("/v1/charges").handler(ctx -> {
            lookups.incrementAndGet();
            found(ctx, byOrder.get(String.valueOf(ctx.queryParams().get("orderId"))));
        });
        router.get("/v1/charges/:id").handler(ctx -> {
            lookups.incrementAndGet();
            found(ctx, byId.get(ctx.pathParam("id")));
        });
        router.route().last().handler(ctx -> reply(ctx, 404, new JsonObject().put("error", "no such endpoint"), Duration.ZERO));
        return router;
    }

    private void charge(RoutingContext ctx) {
        charges.incrementAndGet();
        JsonObject in = ctx.body().asJsonObject();
        long amount = in.getLong("amount", 0L);
        boolean declined = amount == TestAmounts.DECLINE;
        Charge charge = new Charge("fk_" + ids.incrementAndGet(), in.getString("orderId"), amount,
                in.getString("billingKey"), declined ? "declined" : "paid", declined ? "card_declined" : null,
                Instant.now(), new CopyOnWriteArrayList<>());
        if (byOrder.putIfAbsent(charge.orderId(), charge) != null) {
            reply(ctx, 409, new JsonObject().put("error", "duplicate_order").put("message", "orderId already used"),
                    Duration.ZERO);
            return;
        }
        byId.put(charge.id(), charge);
        // charged at once; a HANG charge answers too late for the caller
        reply(ctx, 200, json(charge), amount == TestAmounts.HANG ? settings.hang() : Duration.ZERO);
    }

    private void refund(RoutingContext ctx) {
        refunds.incrementAndGet();
        Charge charge = byId.get(ctx.pathParam("id"));
        if (charge == null || !"paid".equals(charge.status())) {
            reply(ctx, 404, new JsonObject().put("error", "no_such_charge"), Duration.ZERO);
            return;
        }
        long amount = ctx.body().asJsonObject().getLong("amount", 0L);
        if (amount <= 0 || amount > charge.amount() - charge.refunded()) {
            reply(ctx, 400, new JsonObject().put("error", "amount_exceeds_remaining").put("message", "more than remains"),
                    Duration.ZERO);
            return;
        }
        Refund refund = new Refund("fr_" + ids.incrementAndGet(), amount, Instant.now());
        charge.refunds().add(refund);
        reply(ctx, 200, new JsonObject().put("refundId", refund.id()).put("amount", amount).put("charge", json(charge)),
                Duration.ZERO);
    }

    /** A refund made in the vendor's console, not through paybridge. */
    private void consoleRefund(RoutingContext ctx) {
        Charge charge = byId.get(ctx.pathParam("id"));
        if (charge == null) {
            reply(ctx, 404, new JsonObject().put("error", "no_such_charge"), Duration.ZERO);
            return;
        }
        Refund refund = new Refund("fr_" + ids.incrementAndGet(), ctx.body().asJsonObject().getLong("amount"), Instant.now());
        charge.refunds().add(refund);
        reply(ctx, 200, new JsonObject().put("refundId", refund.id()), Duration.ZERO);
    }

    private void found(RoutingContext ctx, Charge charge) {
        if (charge == null) {
            reply(ctx, 404, new JsonObject().put("error", "no_such_charge"), Duration.ZERO);
        } else {
            reply(ctx, 200, json(charge), Duration.ZERO);
        }
    }

    private static JsonObject json(Charge c) {
        JsonArray refunds = new JsonArray();
        for (Refund r : c.refunds()) {
            refunds.add(new JsonObject().put("id", r.id()).put("amount", r.amount()).put("at", r.at().toString()));
        }
        return new JsonObject().put("id", c.id()).put("orderId", c.orderId()).put("amount", c.amount())
                .put("status", c.status()).put("reason", c.reason()).put("billingKey", c.billingKey())
                .put("createdAt", c.createdAt().toString()).put("refunded", c.refunded()).put("refunds", refunds);
    }

    /** Writes the answer after the sandbox's latency (plus {@code extra}), on a timer, never blocking. */
    private void reply(RoutingContext ctx, int status, JsonObject body, Duration extra) {
        long delay = settings.latency().plus(extra).toMillis();
        if (delay <= 0) {
            write(ctx, status, body);
        } else {
            vertx.setTimer(delay, id -> write(ctx, status, body));
        }
    }

    private static void write(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // the caller gave up waiting (a HANG charge): the charge stands all the same
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
