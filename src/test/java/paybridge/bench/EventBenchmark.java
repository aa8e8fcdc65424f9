package paybridge.bench;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import org.apache.camel.main.Main;
import paybridge.PaybridgeMain;
import paybridge.testing.FreePorts;

/**
 * Charges per second with one HTTP event destination configured against none, and deliveries per
 * second to a local receiver (a Vert.x server answering 200 at once). H2 file database, the sandbox at
 * zero latency, no vendor webhooks (the charge path alone). Run by bench/events.sh; not a test.
 *
 * Arguments: destinations (0 | 1), clients, charges.
 */
public final class EventBenchmark {

    public static void main(String[] args) throws Exception {
        boolean destination = args.length > 0 && args[0].equals("1");
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int charges = args.length > 2 ? Integer.parseInt(args[2]) : 6000;
        Vertx vertx = Vertx.vertx();
        AtomicLong received = new AtomicLong();
        int receiverPort = FreePorts.next();
        vertx.createHttpServer().requestHandler(r -> r.body().onSuccess(b -> {
            received.incrementAndGet();
            r.response().setStatusCode(200).end();
        })).listen(receiverPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        int http = FreePorts.next();
        Map<String, Object> props = new java.util.HashMap<>(BenchProfile.properties());
        props.putAll(Map.of(
                "camel.server.port", String.valueOf(http), "paybridge.http.port", String.valueOf(http),
                "camel.management.port", String.valueOf(FreePorts.next()),
                "paybridge.sandbox.port", String.valueOf(FreePorts.next()),
                "paybridge.db.url", "jdbc:h2:file:./target/bench-events-" + System.currentTimeMillis() + "/paybridge",
                "paybridge.sandbox.latency", "PT0S", "paybridge.sandbox.webhook-url", ""));
        if (destination) {
            props.put("paybridge.events.destinations", "bench");
            props.put("paybridge.events.destination.bench.uri", "http://127.0.0.1:" + receiverPort + "/events");
            props.put("paybridge.events.destination.bench.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            props.put("paybridge.events.destination.bench.concurrency", System.getProperty("concurrency", "8"));
            props.put("paybridge.events.poll-interval", "PT0.2S");
        }
        props.putAll(BenchProfile.overrides());
        Main main = PaybridgeMain.newMain(Path.of("."), props);
        main.start();
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4)).build();
            // -Dwarmup=N charges before the measured ones (default a fifth of them, at least 500)
            long warmEvents = Long.getLong("warmup", Math.max(500, charges / 5));
            ChargeBenchmark.run(client, http, clients, (int) warmEvents, "warm");
            if (destination) {
                // the warm-up's own deliveries done first: the measured charges share the cores with the
                // delivery of their events, not with a backlog left by the warm-up
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (received.get() < warmEvents && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long start = System.nanoTime();
            int failures = ChargeBenchmark.run(client, http, clients, charges, "run");
            double seconds = (System.nanoTime() - start) / 1e9;
            String deliveries = "";
            if (destination) {
                // every charge's payment.paid: warm-up and run
                long expected = warmEvents + charges;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (received.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                double all = (System.nanoTime() - start) / 1e9;
                deliveries = String.format(" delivered=%d deliveries_per_s_overall=%.0f drained_after_s=%.2f",
                        received.get() - warmEvents, (received.get() - warmEvents) / all, all - seconds);
            }
            // this process's CPU (paybridge, the sandbox, the load client and the receiver) per charge, the
            // deliveries' drain included: steadier than charges/s on a shared machine
            double cpuPerCharge = (os.getProcessCpuTime() - cpuStart) / 1e3 / charges;
            System.out.printf("RESULT destinations=%d clients=%d charges=%d failures=%d seconds=%.2f charges_per_s=%.0f cpu_us_per_charge=%.0f%s%n",
                    destination ? 1 : 0, clients, charges, failures, seconds, charges / seconds, cpuPerCharge, deliveries);
        } finally {
            main.stop();
            vertx.close();
        }
        System.exit(0);
    }
}
