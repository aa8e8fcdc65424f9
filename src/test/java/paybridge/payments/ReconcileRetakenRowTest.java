package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * Two reconcile takers of one "never charged" row: this node takes it for a re-check and its lookup hangs;
 * meanwhile another node's round takes the row again (its look the last re-check, so the row leaves the
 * schedule); then this node's lookup fails. Only looks that asked the vendor and recorded its answer count
 * (README, reconcile table): the failed look is given back although the row's count moved past the one this
 * node took, so the row keeps a re-check, the next after the longest backoff. Given back only on an exact
 * count, the row would leave the schedule with a re-check unasked, and a vendor record showing the charge
 * would never overturn the conclusion.
 */
class ReconcileRetakenRowTest {
    private static final String ID = "retaken-1";

    @Test
    void aFailedLookIsGivenBackAlsoWhenAnotherNodeTookTheRowMeanwhile() throws Exception {
        try (HeldIamport vendor = HeldIamport.start();
             RunningPaybridge app = RunningPaybridge.start(Map.of(
                     "paybridge.iamport.base-url", vendor.baseUrl(),
                     // the hanging lookup is ended by the test, not by the call's timeout
                     "paybridge.vendor.timeout", "PT30S",
                     "paybridge.reconcile.interval", "PT1S",
                     "paybridge.reconcile.max-backoff", "PT1H",
                     "paybridge.reconcile.not-charged-rechecks", "2",
                     "paybridge.webhook.processing-enabled", "false"))) {
            try {
                insertConcluded(app);

                // this node took the row (one look counted) and is asking the vendor
                assertThat(vendor.lookupArrived.await(60, TimeUnit.SECONDS)).as("this node's lookup").isTrue();
                assertThat(value(app, "looks")).isEqualTo("1");
                assertThat(app.context().getInflightRepository().size("reconcile")).isEqualTo(1);

                // another node's round, on the same database, takes the row once it is due again: its look is
                // the last of the two re-checks, so the row leaves the schedule
                ReconcileService otherNode = app.lookup("reconcileService", ReconcileService.class);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                        otherNode.due().stream().anyMatch(row -> row.paymentId().equals(ID)));
                assertThat(value(app, "looks")).isEqualTo("2");
                assertThat(value(app, "next_look_at")).isNull();

                // this node's lookup fails (the vendor answers 503); its exchange ends after lookFailed
                vendor.release.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        app.context().getInflightRepository().size("reconcile") == 0);
                assertThat(vendor.lookupsAnswered503.get()).isPositive();
            } finally {
                vendor.release.countDown();
            }

            // only the other node's look counts: one re-check remains, scheduled after the longest backoff
            assertThat(value(app, "status")).isEqualTo("FAILED");
            assertThat(value(app, "failure_code")).isEqualTo("NOT_CHARGED");
            assertThat(value(app, "looks")).isEqualTo("1");
            assertThat(value(app, "next_look_at")).as("back on the schedule").isNotNull();
            assertThat(value(app, "CASE WHEN next_look_at > CURRENT_TIMESTAMP + INTERVAL '59' MINUTE "
                    + "AND next_look_at <= CURRENT_TIMESTAMP + INTERVAL '1' HOUR THEN 'max-backoff' ELSE 'other' END"))
                    .isEqualTo("max-backoff");
        }
    }

    /** What a wrong "never charged" conclusion leaves: FAILED NOT_CHARGED, no look yet, due now, long past its horizon. */
    private static void insertConcluded(RunningPaybridge app) throws Exception {
        assertThat(ChargeInFlightTest.sql(app, """
                INSERT INTO payments (payment_id, request_hash, vendor, method, amount, status, failure_code,
                    created_at, updated_at, in_flight_until, next_look_at, looks)
                VALUES (?, 'h', 'iamport', 'KEY_IN', 5000, 'FAILED', 'NOT_CHARGED', CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                    CURRENT_TIMESTAMP - INTERVAL '1' HOUR, CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                    CURRENT_TIMESTAMP - INTERVAL '1' HOUR, 0)""", ID)).isEqualTo(1);
    }

    private static String value(RunningPaybridge app, String expression) {
        return app.text("SELECT " + expression + " FROM payments WHERE payment_id = ?", ID);
    }

    /**
     * An iamport double: any key gets a token; the first lookup is held until the test releases it, and
     * every lookup then answers 503 (the vendor unreachable, so nothing can be concluded from it).
     */
    private static final class HeldIamport implements AutoCloseable {
        final CountDownLatch lookupArrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger lookupsAnswered503 = new java.util.concurrent.atomic.AtomicInteger();
        private final HttpServer server;
        private final ExecutorService pool = Executors.newCachedThreadPool();

        private HeldIamport(HttpServer server) {
            this.server = server;
        }

        static HeldIamport start() throws IOException {
            HeldIamport vendor = new HeldIamport(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16));
            vendor.server.setExecutor(vendor.pool);
            vendor.server.createContext("/", vendor::handle);
            vendor.server.start();
            return vendor;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                exchange.getRequestBody().readAllBytes();
                if (path.endsWith("/users/getToken")) {
                    long now = System.currentTimeMillis() / 1000;
                    write(exchange, 200, "{\"code\":0,\"message\":null,\"response\":{\"access_token\":\"tok-held\",\"now\":"
                            + now + ",\"expired_at\":" + (now + 1800) + "}}");
                } else if (path.contains("/payments/find/")) {
                    lookupArrived.countDown();
                    try {
                        release.await(120, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    lookupsAnswered503.incrementAndGet();
                    write(exchange, 503, "{\"code\":-1,\"message\":\"unavailable\",\"response\":null}");
                } else {
                    write(exchange, 404, "{\"code\":-1,\"message\":\"no such path\",\"response\":null}");
                }
            }
        }

        private static void write(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
            pool.shutdownNow();
        }
    }
}
