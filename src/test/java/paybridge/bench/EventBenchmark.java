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
 * Arguments: destinations (0 | 1 | drain), clients, charges. {@code drain}: the destination's route stopped
 * while the charges run, then started: deliveries per second and CPU per delivery of a backlog drained
 * alone, split by thread (senders, poller, receiver, the rest); {@code -Djfr=<file>} records that drain alone
 * in a JFR profile sampled every millisecond.
 */
public final class EventBenchmark {

    public static void main(String[] args) throws Exception {
        boolean drain = args.length > 0 && args[0].equals("drain");
        boolean destination = drain || args.length > 0 && args[0].equals("1");
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
            if (drain) {
                drain(main, client, http, clients, charges, (int) warmEvents, received);
                return;
            }
            ChargeBenchmark.run(client, http, clients, (int) warmEvents, "warm");
            if (destination) {
                // the warm-up's own deliveries done first: the measured charges share the cores with the
                // delivery of their events, not with a backlog left by the warm-up
                awaitReceived(received, warmEvents);
            }
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            Map<String, Long> threadsBefore = threadCpu();
            long start = System.nanoTime();
            int failures = ChargeBenchmark.run(client, http, clients, charges, "run");
            double seconds = (System.nanoTime() - start) / 1e9;
            String deliveries = "";
            if (destination) {
                // every charge's payment.paid: warm-up and run
                long expected = warmEvents + charges;
                awaitReceived(received, expected);
                double all = (System.nanoTime() - start) / 1e9;
                deliveries = String.format(" delivered=%d deliveries_per_s_overall=%.0f drained_after_s=%.2f",
                        received.get() - warmEvents, (received.get() - warmEvents) / all, all - seconds);
            }
            // this process's CPU (paybridge, the sandbox, the load client and the receiver) per charge, the
            // deliveries' drain included: steadier than charges/s on a shared machine
            double cpuPerCharge = (os.getProcessCpuTime() - cpuStart) / 1e3 / charges;
            deliveries += groups(threadsBefore, threadCpu(), charges);
            System.out.printf("RESULT destinations=%d clients=%d charges=%d failures=%d seconds=%.2f charges_per_s=%.0f cpu_us_per_charge=%.0f%s%n",
                    destination ? 1 : 0, clients, charges, failures, seconds, charges / seconds, cpuPerCharge, deliveries);
        } finally {
            main.stop();
            vertx.close();
        }
        System.exit(0);
    }

    /**
     * Warm-up charges delivered as they come, then {@code charges} charges with the route stopped, then the
     * backlog drained alone: its seconds and the CPU of each thread group per delivery.
     */
    private static void drain(Main main, HttpClient client, int http, int clients, int charges, int warm,
                              AtomicLong received) throws Exception {
        var routes = main.getCamelContext().getRouteController();
        ChargeBenchmark.run(client, http, clients, warm, "warm");
        awaitReceived(received, warm);
        routes.stopRoute("events-bench");
        ChargeBenchmark.run(client, http, clients, charges, "run");
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        Map<String, Long> before = threadCpu();
        long processBefore = os.getProcessCpuTime();
        // -Djfr=<file>: a profile of the drain alone, sampled every millisecond
        jdk.jfr.Recording recording = null;
        if (System.getProperty("jfr") != null) {
            Map<String, String> settings = new java.util.HashMap<>(jdk.jfr.Configuration.getConfiguration("profile").getSettings());
            settings.put("jdk.ExecutionSample#period", "1 ms");
            recording = new jdk.jfr.Recording(settings);
            recording.start();
        }
        long start = System.nanoTime();
        routes.startRoute("events-bench");
        awaitReceived(received, (long) warm + charges);
        if (recording != null) {
            recording.stop();
            recording.dump(Path.of(System.getProperty("jfr")));
        }
        // the route's first poll comes a second after it starts (the timer's delay)
        double seconds = (System.nanoTime() - start) / 1e9 - 1.0;
        Map<String, Long> after = threadCpu();
        long process = os.getProcessCpuTime() - processBefore;
        long delivered = received.get() - warm;
        System.out.printf("RESULT drain deliveries=%d seconds=%.2f deliveries_per_s=%.0f process_us=%.1f%s%n", delivered,
                seconds, delivered / seconds, process / 1e3 / delivered, groups(before, after, delivered));
        main.stop();
        System.exit(0);
    }

    /** CPU µs per unit of each group of threads between two readings of {@link #threadCpu}. */
    private static String groups(Map<String, Long> before, Map<String, Long> after, long units) {
        Map<String, Long> groups = new java.util.TreeMap<>();
        for (var e : after.entrySet()) {
            // comm as Linux keeps it (15 characters): "Camel (camel-1) " for every Camel pool's thread
            String name = e.getKey();
            String group = name.startsWith("sys Camel") ? "camel_sys" : name.startsWith("sys vert.x-worker") ? "workers_sys"
                    : name.startsWith("sys ") ? "sys_other" : name.contains("Compiler") ? "jit" : name.startsWith("GC ") || name.startsWith("G1 ") ? "gc"
                    : name.startsWith("vert.x-eventloo") ? "eventloops" : name.startsWith("vert.x-worker") ? "workers"
                    : name.startsWith("Camel") ? "camel" : name.startsWith("HttpClient") ? "client" : "other";
            long ns = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            groups.merge(group, ns, Long::sum);
            if (Boolean.getBoolean("threads") && ns >= 50_000_000L) {
                System.out.printf("RESULT thread %s %.1f%n", name, ns / 1e3 / units);
            }
        }
        StringBuilder out = new StringBuilder();
        groups.forEach((g, ns) -> out.append(' ').append(g).append("_us=").append(String.format("%.0f", ns / 1e3 / units)));
        return out.toString();
    }

    private static void awaitReceived(AtomicLong received, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (received.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /**
     * CPU nanoseconds of each of this process's threads (JIT and GC included), by "comm tid" from /proc, and
     * each one's kernel time alone under "sys comm tid".
     */
    public static Map<String, Long> threadCpu() throws java.io.IOException {
        Map<String, Long> cpu = new java.util.HashMap<>();
        long nsPerTick = 1_000_000_000L / 100;
        try (var tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    cpu.put(comm + " " + task.getFileName(), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * nsPerTick);
                    // kernel time alone, as its own entry ("sys " + ...), grouped apart
                    cpu.put("sys " + comm + " " + task.getFileName(), Long.parseLong(f[12]) * nsPerTick);
                } catch (java.io.IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return cpu;
    }
}
