package paybridge.webhooks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * Webhook benchmark (not a test; bench/webhooks.sh runs it): paybridge in this JVM on loopback.
 * 1. accepted deliveries per second and latency: wrk against POST /webhooks/steppay with
 *    processing off (stored and answered only), bounded by time;
 * 2. backlog: N real Steppay first payments in the sandbox whose webhooks are stored with
 *    processing off, then processing switched on; time until every entry is verified and recorded.
 * Args: h2|pg [seconds] [connections] [backlog]. Appends a section to BENCHMARKS.md.
 */
public final class WebhookBench {
    public static void main(String[] args) throws Exception {
        String db = args.length > 0 ? args[0] : "h2";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int backlog = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        StringBuilder report = new StringBuilder();
        report.append("\n### ").append(db.equals("pg") ? "PostgreSQL" : "H2 (file)").append(", ").append(Instant.now())
                .append("\n\n");

        // -Dphases=backlog measures the backlog alone (e.g. under a profiler)
        String phases = System.getProperty("phases", "intake,backlog");
        if (phases.contains("intake")) try (Database d = Database.create(db)) {
            Map<String, Object> o = d.settings();
            o.put("paybridge.webhook.processing-enabled", "false");
            o.put("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks");
            try (RunningPaybridge app = RunningPaybridge.start(o)) {
                // warm-up, then the measured run
                wrk(app, 2, 3, connections);
                String out = wrk(app, 2, seconds, connections);
                report.append("Accept (stored + answered, processing off): `wrk -t2 -c").append(connections).append(" -d")
                        .append(seconds).append("s`\n\n```\n").append(out.trim()).append("\n```\n\n");
                System.out.println(out);
            }
        }
        if (phases.contains("backlog")) try (Database d = Database.create(db)) {
            Map<String, Object> o = d.settings();
            o.put("paybridge.webhook.processing-enabled", "false");
            try (RunningPaybridge app = RunningPaybridge.start(o)) {
                // -Dwarmup=N: a first backlog of N, verified and recorded unmeasured, so that the measured one
                // runs on compiled code (a fresh JVM compiles the processing path during its first thousands)
                int warmup = Integer.getInteger("warmup", 0);
                if (warmup > 0) {
                    System.out.println("warm-up: " + drainBacklog(app, warmup, "warm", null).trim());
                    app.context().getRouteController().stopRoute("webhooks-poll");
                }
                String line = drainBacklog(app, backlog, "bench", System.getProperty("jfr"));
                long processed = WebhookTestKit.inbox(app, "status=PROCESSED&limit=1").size();
                report.append(line);
                System.out.println(line + " processed-listing=" + processed);
            }
        }
        Path file = Path.of("BENCHMARKS.md");
        if (!Files.exists(file)) {
            Files.writeString(file, "# Benchmarks\n");
        }
        String text = Files.readString(file);
        if (!text.contains("## Webhooks")) {
            Files.writeString(file, "\n## Webhooks (bench/webhooks.sh)\n\nLoopback, paybridge and the sandbox in one JVM, "
                    + "wrk on the same 2 cores. Defaults: poll PT2S, batch 200, concurrency 8, pool 16.\n",
                    StandardOpenOption.APPEND);
        }
        Files.writeString(file, report.toString(), StandardOpenOption.APPEND);
        System.exit(0);
    }

    /** A backlog of {@code n} Steppay first payments stored, then processing started: the report line. */
    private static String drainBacklog(RunningPaybridge app, int backlog, String prefix, String jfr) throws Exception {
        WebhookInbox inbox = app.lookup("webhookInbox", WebhookInbox.class);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < backlog; i++) {
            int n = i;
            futures.add(pool.submit(() -> WebhookTestKit.post(app, app.sandboxUrl() + "/steppay/_control/first-payment",
                    "{\"partnerOrderId\": \"" + prefix + "-" + n + "\", \"amount\": 1000, \"itemName\": \"Plan\"}")));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        while (inbox.openCount() < backlog && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
            Thread.sleep(100);
        }
        long stored = inbox.openCount();
        double fillSeconds = (System.nanoTime() - t0) / 1e9;
        // -Djfr=<file>: a JFR recording (profile settings) of the drain alone
        jdk.jfr.Recording recording = null;
        if (jfr != null) {
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.start();
        }
        WebhookMetrics m = app.lookup("webhookMetrics", WebhookMetrics.class);
        long decided0 = m.processed.get() + m.rejected.get() + m.flagged.get();
        Map<String, Long> threads0 = cpuByThreadGroup();
        long cpu0 = processCpuNanos();
        long t1 = System.nanoTime();
        app.context().getRouteController().startRoute("webhooks-poll");
        // watched by the processing's own counters: a count of open entries every 50 ms was a tenth of
        // the CPU measured (it reads the open part of the due index)
        while (m.processed.get() + m.rejected.get() + m.flagged.get() - decided0 < stored
                && System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(300)) {
            Thread.sleep(20);
        }
        double drain = (System.nanoTime() - t1) / 1e9;
        long cpu = processCpuNanos() - cpu0;
        if (recording != null) {
            recording.dump(Path.of(jfr));
            recording.close();
        }
        Map<String, Long> threads1 = cpuByThreadGroup();
        StringBuilder split = new StringBuilder();
        threads1.forEach((g, ns) -> split.append(' ').append(g).append('=')
                .append(String.format("%.0f", (ns - threads0.getOrDefault(g, 0L)) / 1e3 / Math.max(stored, 1))));
        return String.format("Backlog: %d Steppay webhooks stored (sandbox first payments, %.1f s to create and store); "
                        + "processing switched on: all verified (receipt lookup) and recorded in **%.1f s** (%.0f/s), "
                        + "%.0f µs of CPU per webhook (the whole JVM; by threads, µs:%s); metrics %s; still open: %d%n",
                stored, fillSeconds, drain, stored / drain, cpu / 1e3 / Math.max(stored, 1), split, m.snapshot(),
                inbox.openCount());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU nanoseconds of this process's threads ({@link paybridge.bench.EventBenchmark#threadCpu}) by kind: jit, gc, the rest. */
    private static Map<String, Long> cpuByThreadGroup() throws java.io.IOException {
        Map<String, Long> cpu = new java.util.TreeMap<>();
        paybridge.bench.EventBenchmark.threadCpu().forEach((thread, ns) -> {
            if (!thread.startsWith("sys ")) {
                String group = thread.contains("Compiler") ? "jit"
                        : thread.startsWith("GC ") || thread.startsWith("G1 ") ? "gc" : "other";
                cpu.merge(group, ns, Long::sum);
            }
        });
        return cpu;
    }

    private static String wrk(RunningPaybridge app, int threads, int seconds, int connections) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", "bench/webhook-post.lua", app.baseUrl() + "/webhooks/steppay").redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
            }
        }
        p.waitFor(seconds + 30L, TimeUnit.SECONDS);
        return out.toString();
    }

    /** A fresh database for one phase: an H2 file in a temp directory, or a throwaway PostgreSQL database. */
    private record Database(Map<String, Object> base, Postgres pg) implements AutoCloseable {
        static Database create(String kind) throws Exception {
            Map<String, Object> o = new HashMap<>();
            if (kind.equals("pg")) {
                Postgres pg = Postgres.createDatabase();
                o.put("paybridge.db.url", pg.url());
                o.put("paybridge.db.user", pg.user());
                return new Database(o, pg);
            }
            o.put("paybridge.db.url", "jdbc:h2:file:" + Files.createTempDirectory("pb-bench").resolve("pb").toAbsolutePath());
            return new Database(o, null);
        }

        Map<String, Object> settings() {
            Map<String, Object> s = new HashMap<>(paybridge.bench.BenchProfile.properties());
            s.putAll(base);
            s.putAll(paybridge.bench.BenchProfile.overrides());
            return s;
        }

        @Override
        public void close() {
            if (pg != null) {
                pg.close();
            }
        }
    }

}
