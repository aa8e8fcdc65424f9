package paybridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.main.Main;
import paybridge.PaybridgeMain;
import paybridge.testing.FreePorts;

/**
 * Charges per second and end-to-end latency of {@code POST /api/payments} (iamport KEY_IN) against
 * the sandbox at zero vendor latency, so the latency measured is what paybridge adds (plus the
 * simulator's own sub-millisecond work). Run by bench/charges.sh; not a test.
 *
 * Arguments: database (h2 | postgres), clients, charges.
 */
public final class ChargeBenchmark {

    public static void main(String[] args) throws Exception {
        String database = args.length > 0 ? args[0] : "h2";
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int charges = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        String pgDb = "pb_bench_" + System.currentTimeMillis();
        String url = switch (database) {
            case "postgres" -> {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + pgDb);
                }
                yield "jdbc:postgresql://127.0.0.1:5432/" + pgDb;
            }
            default -> "jdbc:h2:file:./target/bench-" + System.currentTimeMillis() + "/paybridge";
        };
        int http = FreePorts.next();
        Map<String, Object> props = new java.util.HashMap<>(BenchProfile.properties());
        props.putAll(Map.of(
                "camel.server.port", String.valueOf(http), "paybridge.http.port", String.valueOf(http),
                "camel.management.port", String.valueOf(FreePorts.next()),
                "paybridge.sandbox.port", String.valueOf(FreePorts.next()),
                "paybridge.db.url", url, "paybridge.db.user", database.equals("postgres") ? "postgres" : "sa",
                "paybridge.sandbox.latency", "PT0S"));
        // iamport sends a webhook for every payment when the console has a notification URL: paybridge
        // then stores, verifies (a second vendor call) and checks it. -Dwebhooks=false measures the
        // charge path alone.
        boolean webhooks = !"false".equals(System.getProperty("webhooks"));
        if (!webhooks) {
            props.put("paybridge.sandbox.webhook-url", "");
        }
        props.putAll(BenchProfile.overrides());
        Main main = PaybridgeMain.newMain(Path.of("."), props);
        main.start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).build();
            run(client, http, clients, Math.max(1000, charges / 5), "warm"); // JIT, pools, token
            long[] latencies = new long[charges];
            long start = System.nanoTime();
            int failures = run(client, http, clients, charges, "run", latencies);
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            System.out.printf("RESULT database=%s webhooks=%s clients=%d charges=%d failures=%d seconds=%.2f charges_per_s=%.0f "
                            + "p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n", database, webhooks, clients, charges, failures, seconds,
                    charges / seconds, latencies[charges / 2] / 1e6, latencies[(int) (charges * 0.99)] / 1e6,
                    latencies[charges - 1] / 1e6);
        } finally {
            main.stop();
            if (database.equals("postgres")) {
                try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + pgDb + " WITH (FORCE)");
                }
            }
        }
        System.exit(0); // the HTTP client's threads would keep the JVM alive
    }

    static int run(HttpClient client, int port, int clients, int count, String prefix, long... latencies)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        String stamp = Long.toString(System.nanoTime(), 36);
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String body = """
                            {"paymentId": "b-%s-%s-%d", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                             "orderName": "bench", "customer": {"id": "bench"},
                             "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01"}}""".formatted(prefix, stamp, i);
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/api/payments"))
                                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("\"PAID\"")) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    if (latencies.length > 0) {
                        latencies[i] = System.nanoTime() - t0;
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return failures.get();
    }
}
