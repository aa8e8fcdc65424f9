package paybridge.sandbox;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Vendor misbehaviour at random, for chaos runs: one handler in front of every simulator's vendor
 * API (never its {@code _stats}/{@code _records}/{@code _control} test hooks), so each simulated vendor
 * is slow, fails, hangs and loses answers the same way without the simulators knowing. Off unless a
 * probability is set ({@code paybridge.sandbox.faults.*}); the sandbox itself is never served in prod.
 *
 * <ul>
 *   <li><b>slow</b>: the request is handled after a pause between {@code slowMin} and {@code slowMax}
 *       (1.5–1.9 s by default: inside a 2 s vendor timeout, but only just).</li>
 *   <li><b>fail</b>: 503 at once, nothing processed (the vendor's front door is down).</li>
 *   <li><b>hang</b>: the request is handled only after {@code hangFor}: the caller has timed out long
 *       before, and the charge or cancel happens at the vendor afterwards. Keep {@code hangFor} inside
 *       paybridge's in-flight horizon: a vendor acting later than that breaks a promise no client can keep.</li>
 *   <li><b>lose</b>: the request is processed (charged, cancelled), then the connection is closed
 *       instead of answering: the caller never learns the outcome.</li>
 * </ul>
 * The draws are independent per request; at most one fault applies (checked in the order above).
 */
public final class Faults implements Handler<RoutingContext> {

    /**
     * @param slow    probability (0..1) of a slow answer
     * @param fail    probability of a 503 without processing
     * @param hang    probability of processing only after {@code hangFor}
     * @param lose    probability of processing and then closing the connection unanswered
     * @param slowMin shortest slow pause
     * @param slowMax longest slow pause
     * @param hangFor how late a hung request is processed
     */
    public record Settings(double slow, double fail, double hang, double lose, Duration slowMin, Duration slowMax,
                           Duration hangFor) {
        public static Settings none() {
            return new Settings(0, 0, 0, 0, Duration.ofMillis(1500), Duration.ofMillis(1900), Duration.ofSeconds(4));
        }

        public boolean any() {
            return slow > 0 || fail > 0 || hang > 0 || lose > 0;
        }
    }

    private final Vertx vertx;
    private final Settings settings;
    private final AtomicBoolean enabled = new AtomicBoolean(true);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong slowed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong hung = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    public Faults(Vertx vertx, Settings settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (!enabled.get() || isTestHook(ctx.request().path())) {
            ctx.next();
            return;
        }
        requests.incrementAndGet();
        double draw = ThreadLocalRandom.current().nextDouble();
        double edge = settings.slow();
        if (draw < edge) {
            slowed.incrementAndGet();
            long min = settings.slowMin().toMillis();
            long max = Math.max(min, settings.slowMax().toMillis());
            later(ctx, min + ThreadLocalRandom.current().nextLong(max - min + 1));
            return;
        }
        edge += settings.fail();
        if (draw < edge) {
            failed.incrementAndGet();
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end("sandbox fault: unavailable");
            return;
        }
        edge += settings.hang();
        if (draw < edge) {
            hung.incrementAndGet();
            later(ctx, settings.hangFor().toMillis());
            return;
        }
        edge += settings.lose();
        if (draw < edge) {
            lost.incrementAndGet();
            // the simulator processes the request; when it starts its answer, the connection is
            // closed instead (HTTP/1.x reset = close): the caller sees the connection end, unanswered
            ctx.addHeadersEndHandler(v -> ctx.request().connection().close());
            ctx.next();
            return;
        }
        ctx.next();
    }

    /** Continues routing after {@code millis}, on a timer: the event loop is never blocked. */
    private void later(RoutingContext ctx, long millis) {
        ctx.request().pause();
        vertx.setTimer(Math.max(1, millis), id -> {
            ctx.request().resume();
            ctx.next();
        });
    }

    private static boolean isTestHook(String path) {
        return path == null || path.contains("/_");
    }

    /** Stops (false) or resumes (true) injecting faults; a chaos run stops them before its audit. */
    public void enabled(boolean on) {
        enabled.set(on);
    }

    public boolean enabled() {
        return enabled.get();
    }

    public JsonObject stats() {
        return new JsonObject(Map.of("enabled", enabled.get(), "requests", requests.get(), "slow", slowed.get(),
                "fail", failed.get(), "hang", hung.get(), "lose", lost.get()));
    }
}
