package paybridge.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import paybridge.testing.Postgres;

/**
 * A chaos run (bench/chaos.sh, and shorter in {@link ChaosTest}): two paybridge nodes on one fresh
 * PostgreSQL database against the sandbox, a steady mix of API charges, refunds, billing runs and
 * webhooks for {@link ChaosSettings#duration()}, while nodes are killed with -9 and restarted at
 * random moments and the vendors are slow, fail, hang and lose answers at random; node b runs with
 * its clock offset. Then the faults stop, both nodes run until every open item is closed (bounded by
 * {@link ChaosSettings#quietBound()}), and {@link ChaosAudit} compares the vendors' records with
 * paybridge's. Prints the figures and every violation; the summary also goes to
 * {@code target/chaos/<run>/summary.txt}.
 */
public final class ChaosRun {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final ChaosSettings settings;
    private final Path fakeTime;
    private final List<String> log = new ArrayList<>();
    private Path progress;

    /** The audit's report, plus the run's own figures. */
    public record Result(ChaosAudit.Report report, String summary, Path summaryFile) {
        public boolean clean() {
            return report.violations.isEmpty();
        }
    }

    public ChaosRun(ChaosSettings settings, Path fakeTime) {
        this.settings = settings;
        this.fakeTime = fakeTime;
    }

    public static void main(String[] args) throws Exception {
        Path lib = FakeTime.library().orElseThrow(() -> new IllegalStateException(
                "libfaketime not found: apt-get install -y faketime (or set FAKETIME_LIB)"));
        Result result = new ChaosRun(ChaosSettings.bench(), lib).run();
        System.exit(result.clean() ? 0 : 1);
    }

    public Result run() throws Exception {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36, 36L * 36 * 36 * 36), 36);
        Path runDir = Path.of("target", "chaos", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + tag)
                .toAbsolutePath();
        Files.createDirectories(runDir);
        progress = runDir.resolve("progress.log");
        say("chaos run " + tag + ": " + settings + " (logs in " + runDir + ")");
        Postgres db = Postgres.createDatabase();
        try (ChaosCluster cluster = new ChaosCluster(settings, runDir, fakeTime, db.url(), db.user())) {
            cluster.start();
            say("sandbox on " + cluster.sandboxPort + ", node a on " + cluster.nodes.get(0).httpPort
                    + ", node b on " + cluster.nodes.get(1).httpPort + " (clock " + settings.clockOffset() + "), database " + db.url());
            faults(cluster, false);
            ChaosLoad load = new ChaosLoad(cluster, settings, tag);
            load.seed();
            say("seeded " + load.subscriptionIds.size() + " subscriptions");
            faults(cluster, true);

            Instant until = Instant.now().plus(settings.duration());
            List<Thread> threads = load.start(until);
            int kills = killUntil(cluster, until);
            load.stop();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60).toMillis());
            }
            String faultStats = faults(cluster, false);
            cluster.ensureAllUp();
            say("load done: " + kills + " kill -9 + restart; vendor faults " + faultStats);
            say("requests: " + load.countsSorted());

            ChaosAudit audit = new ChaosAudit(db.url(), db.user(), cluster.sandboxUrl());
            Duration quiet = quiet(cluster, load, audit);
            ChaosAudit.Report report = audit.run();
            say("quiet after " + quiet.toSeconds() + " s (bound " + settings.quietBound().toSeconds() + " s)");
            say("sandbox: iamport " + get(cluster.sandboxUrl() + "/iamport/_stats") + " steppay " + get(cluster.sandboxUrl() + "/steppay/_stats"));
            report.figures.forEach((k, v) -> say(k + ": " + v));
            for (String s : report.operatorSettled) {
                say("operator-settled (Steppay lost answer): " + s);
            }
            for (String v : report.violations) {
                say("VIOLATION " + v);
            }
            say("RESULT chaos duration=" + settings.duration() + " clients=" + settings.clients() + " kills=" + kills
                    + " payments=" + report.figures.get("payments by status") + " violations=" + report.violations.size()
                    + " " + report.violationsByRule);
            String summary = String.join("\n", log) + "\n";
            Files.writeString(runDir.resolve("summary.txt"), summary);
            return new Result(report, summary, runDir.resolve("summary.txt"));
        } finally {
            if (settings.keepDatabase()) {
                say("database kept: " + db.url());
            } else {
                db.close();
            }
        }
    }

    /** kill -9 a node at random moments until the deadline, restarting it each time; returns the count. */
    private int killUntil(ChaosCluster cluster, Instant until) {
        int kills = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            long pause = random.nextLong(settings.killMin().toMillis(), settings.killMax().toMillis() + 1);
            if (Instant.now().plusMillis(pause).isAfter(until)) {
                JavaProcess.sleep(Math.max(0, Duration.between(Instant.now(), until).toMillis()));
                return kills;
            }
            JavaProcess.sleep(pause);
            ChaosCluster.Node node = cluster.nodes.get(random.nextInt(cluster.nodes.size()));
            say("kill -9 node " + node.id + " at " + Instant.now());
            long started = System.nanoTime();
            cluster.killAndRestart(node, Duration.ofMillis(random.nextLong(1000, 4000)));
            kills++;
            say("node " + node.id + " back after " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        }
    }

    /**
     * Lets reconcile, webhook retries and billing close what the chaos left open: one more billing run
     * (it sends what a killed node had claimed and not sent), then settling runs (asOf long ago: they
     * apply decided outcomes and charge nothing) until nothing is open twice in a row, or the bound.
     */
    private Duration quiet(ChaosCluster cluster, ChaosLoad load, ChaosAudit audit) throws Exception {
        long started = System.nanoTime();
        long deadline = started + settings.quietBound().toNanos();
        awaitRun(cluster, load, Instant.now(), deadline);
        int quietRounds = 0;
        while (System.nanoTime() < deadline) {
            JavaProcess.sleep(5_000);
            awaitRun(cluster, load, Instant.parse("2000-01-01T00:00:00Z"), deadline);
            int open = audit.openCount();
            quietRounds = open == 0 ? quietRounds + 1 : 0;
            if (quietRounds >= 2) {
                break;
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Starts a billing run (retrying while another is running) and waits for it to end. */
    private void awaitRun(ChaosCluster cluster, ChaosLoad load, Instant asOf, long deadline) throws Exception {
        String runId = null;
        while (runId == null && System.nanoTime() < deadline) {
            runId = load.startBillingRun(asOf, "quiet-billing-run");
            if (runId == null) {
                JavaProcess.sleep(2_000);
            }
        }
        while (runId != null && System.nanoTime() < deadline) {
            String run = get(cluster.nodes.get(0).baseUrl() + "/api/billing-runs/" + runId);
            if (!run.contains("\"RUNNING\"")) {
                return;
            }
            JavaProcess.sleep(1_000);
        }
    }

    private String faults(ChaosCluster cluster, boolean on) throws Exception {
        if (settings.slow() + settings.fail() + settings.hang() + settings.lose() == 0) {
            return "none"; // the sandbox serves no _faults hook without faults
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.sandboxUrl() + "/_faults/" + (on ? "on" : "off")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void say(String line) {
        log.add(line);
        System.out.println("[chaos] " + line);
        System.out.flush();
        if (progress != null) { // Surefire shows a test's output only at its end: this file, as it goes
            try {
                Files.writeString(progress, Instant.now() + " " + line + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException ignored) {
                // the console has it
            }
        }
    }

    /** For callers that print the figures themselves. */
    Map<String, Object> figures(Result r) {
        return r.report().figures;
    }
}
