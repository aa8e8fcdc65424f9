package paybridge.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import paybridge.testing.FreePorts;

/**
 * The processes of a chaos run, all on loopback: the vendor sandbox as its own JVM (it outlives the
 * nodes, as a vendor does) with random faults, and two paybridge nodes on one PostgreSQL database
 * with the same Camel name and Quartz instance name (one cluster), node b with its wall clock
 * shifted by libfaketime. Nodes have the sandbox off and their vendor base URLs on the sandbox.
 */
final class ChaosCluster implements AutoCloseable {
    // a node starts in 15-30 s on two idle cores; with other JVMs busy on them it took 2.5 minutes
    static final Duration NODE_READY = Duration.ofMinutes(6);

    final int sandboxPort;
    final List<Node> nodes = new ArrayList<>();
    private final JavaProcess sandbox;

    /** A paybridge node: its process and its business/management ports (kept across restarts). */
    static final class Node {
        final String id;
        final int httpPort;
        final int managementPort;
        final JavaProcess process;
        volatile boolean up;
        int kills;

        Node(String id, int httpPort, int managementPort, JavaProcess process) {
            this.id = id;
            this.httpPort = httpPort;
            this.managementPort = managementPort;
            this.process = process;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + httpPort;
        }
    }

    ChaosCluster(ChaosSettings settings, Path runDir, Path fakeTimeLibrary, String dbUrl, String dbUser) throws Exception {
        Files.createDirectories(runDir);
        Path home = Path.of("").toAbsolutePath(); // the repository: application.properties and routes/
        sandboxPort = FreePorts.next();
        int httpA = FreePorts.next();
        int httpB = FreePorts.next();
        List<String> sandboxOptions = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dpaybridge.sandbox.port=" + sandboxPort,
                "-Dpaybridge.sandbox.webhook-url=http://127.0.0.1:" + httpA + "/webhooks,http://127.0.0.1:" + httpB + "/webhooks",
                // the 4002 test amount: answered after the caller's 2 s timeout, well inside the in-flight horizon
                "-Dpaybridge.sandbox.hang=PT8S",
                "-Dpaybridge.sandbox.faults.slow=" + settings.slow(),
                "-Dpaybridge.sandbox.faults.fail=" + settings.fail(),
                "-Dpaybridge.sandbox.faults.hang=" + settings.hang(),
                "-Dpaybridge.sandbox.faults.lose=" + settings.lose(),
                "-Dpaybridge.sandbox.faults.hang-for=PT4S"));
        sandbox = new JavaProcess("sandbox", "paybridge.sandbox.SandboxMain", sandboxOptions,
                Map.of("PAYBRIDGE_HOME", home.toString(), "PAYBRIDGE_LOG_LEVEL", "WARN"), runDir.resolve("sandbox"),
                runDir.resolve("sandbox.log"), "http://127.0.0.1:" + sandboxPort + "/sandbox/iamport/_stats");
        nodes.add(node("a", httpA, home, runDir, dbUrl, dbUser, null, null));
        nodes.add(node("b", httpB, home, runDir, dbUrl, dbUser, fakeTimeLibrary, settings.clockOffset()));
    }

    private Node node(String id, int http, Path home, Path runDir, String dbUrl, String dbUser, Path fakeTime,
                      String clockOffset) {
        int management = FreePorts.next();
        String sandboxUrl = "http://127.0.0.1:" + sandboxPort + "/sandbox";
        Map<String, String> env = new HashMap<>();
        env.put("PAYBRIDGE_HOME", home.toString());
        // a profile without a file of its own: application.properties as prod reads it, the sandbox off
        env.put("CAMEL_MAIN_PROFILE", "chaos");
        env.put("PAYBRIDGE_NODE_ID", "chaos-" + id);
        env.put("PAYBRIDGE_HTTP_PORT", String.valueOf(http));
        // loopback only
        env.put("CAMEL_SERVER_HOST", "127.0.0.1");
        env.put("CAMEL_MANAGEMENT_HOST", "127.0.0.1");
        env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        env.put("PAYBRIDGE_DB_URL", dbUrl);
        env.put("PAYBRIDGE_DB_USER", dbUser);
        env.put("PAYBRIDGE_DB_POOL_SIZE", "8");
        env.put("STEPPAY_BASE_URL", sandboxUrl + "/steppay");
        env.put("IAMPORT_BASE_URL", sandboxUrl + "/iamport");
        env.put("STEPPAY_SECRET_TOKEN", "sandbox-steppay-token");
        env.put("IAMPORT_API_KEY", "sandbox-imp-key");
        env.put("IAMPORT_API_SECRET", "sandbox-imp-secret");
        // short bounds, so a run of minutes sees reconcile, leases and stale runs at work many times
        env.put("PAYBRIDGE_VENDOR_TIMEOUT", "PT2S");
        env.put("PAYBRIDGE_VENDOR_IN_FLIGHT_MARGIN", "PT5S");
        // Steppay may apply a refund late (P2D in production): here the sandbox applies it at once or never
        env.put("STEPPAY_REFUND_SETTLE_HORIZON", "PT10S");
        env.put("PAYBRIDGE_HTTP_REQUEST_TIMEOUT", "PT20S");
        env.put("PAYBRIDGE_RECONCILE_INTERVAL", "PT2S");
        env.put("PAYBRIDGE_RECONCILE_ALERT_AFTER", "PT1M");
        env.put("PAYBRIDGE_WEBHOOK_POLL_INTERVAL", "PT1S");
        env.put("PAYBRIDGE_WEBHOOK_LEASE", "PT15S");
        env.put("PAYBRIDGE_WEBHOOK_RETRY_DELAYS", "PT1S,PT2S,PT4S,PT8S,PT15S");
        env.put("PAYBRIDGE_BILLING_CONCURRENCY", "4");
        env.put("PAYBRIDGE_BILLING_RETRY_DELAYS", "P1D,P2D,P3D");
        // billing runs come from the chaos run's POSTs; the schedule never fires during a run
        env.put("PAYBRIDGE_BILLING_CRON", "0 0 3 1 1 ? 2099");
        env.put("PAYBRIDGE_BILLING_STALE_AFTER", "PT10S");
        env.put("PAYBRIDGE_BILLING_HEARTBEAT_INTERVAL", "PT2S");
        env.put("PAYBRIDGE_BILLING_JOIN_INTERVAL", "PT2S");
        env.put("PAYBRIDGE_OBSERVE_BACKLOG_REFRESH", "PT5S");
        if (fakeTime != null) {
            env.put("LD_PRELOAD", fakeTime.toString());
            env.put("FAKETIME", clockOffset);
            env.put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        }
        List<String> jvm = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        JavaProcess p = new JavaProcess("node-" + id, "paybridge.PaybridgeMain", jvm, env, runDir.resolve("node-" + id),
                runDir.resolve("node-" + id + ".log"), "http://127.0.0.1:" + management + "/observe/health");
        return new Node(id, http, management, p);
    }

    void start() {
        sandbox.start(NODE_READY);
        // both at once (Flyway's lock lets one migrate while the other waits)
        nodes.forEach(n -> n.process.launch());
        for (Node n : nodes) {
            n.process.awaitReady(NODE_READY);
            n.up = true;
        }
    }

    String sandboxUrl() {
        return "http://127.0.0.1:" + sandboxPort + "/sandbox";
    }

    /** A node that is up, at random; null when none is. */
    Node anyUp() {
        List<Node> up = nodes.stream().filter(n -> n.up).toList();
        return up.isEmpty() ? null : up.get(ThreadLocalRandom.current().nextInt(up.size()));
    }

    /** kill -9 of one node, then (after a pause) the same node started again with the same settings. */
    void killAndRestart(Node node, Duration downFor) {
        node.up = false;
        node.process.kill();
        node.kills++;
        JavaProcess.sleep(downFor.toMillis());
        node.process.start(NODE_READY);
        node.up = true;
    }

    /** Every node that is down (a failed restart) started again. */
    void ensureAllUp() {
        for (Node n : nodes) {
            if (!n.process.alive()) {
                n.process.start(NODE_READY);
            }
            n.up = true;
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.up = false;
            n.process.stop();
        }
        sandbox.stop();
    }
}
