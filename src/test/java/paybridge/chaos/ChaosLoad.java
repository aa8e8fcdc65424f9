package paybridge.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The steady mix a chaos run sends through the nodes' real HTTP API, each request to a node that is
 * up at random: iamport KEY_IN (some storing a billing key) and BILLING_KEY charges, Steppay
 * BILLING_KEY charges on the sandbox's seeded key, the same command again (idempotency), refunds of
 * paid ones (partial and full), refunds made in the vendor's console (a return paybridge only learns
 * by webhook), deposits into virtual accounts, and billing runs over subscriptions due at every run.
 * Test amounts make outcomes (README "Sandbox test values"): 4001 decline, 4002 lost answer, 4003 5xx,
 * 4004 virtual account. Bounded: every loop ends at the deadline.
 */
final class ChaosLoad {
    static final String STEPPAY_KEY = "16057932413479698c8vqQG0kMix9";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChaosCluster cluster;
    private final ChaosSettings settings;
    private final String tag;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    /** payments the API answered PAID: refund candidates. */
    private final List<Paid> paid = new CopyOnWriteArrayList<>();
    /** virtual accounts the API answered AWAITING_DEPOSIT: deposit candidates. */
    private final List<Paid> awaiting = new CopyOnWriteArrayList<>();
    /** iamport billing keys stored by KEY_IN charges. */
    private final List<String[]> iamportKeys = new CopyOnWriteArrayList<>();
    /** commands sent, to send one again. */
    private final List<String> sentCommands = new CopyOnWriteArrayList<>();
    /** "operation status" → count. */
    final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    final List<String> subscriptionIds = new CopyOnWriteArrayList<>();

    record Paid(String paymentId, String vendor, long amount, String vendorRef) {
    }

    ChaosLoad(ChaosCluster cluster, ChaosSettings settings, String tag) {
        this.cluster = cluster;
        this.settings = settings;
        this.tag = tag;
    }

    // ---- set-up ----------------------------------------------------------------------------------

    /** A few iamport billing keys, then the subscriptions (half iamport, half Steppay), due at every run. */
    void seed() {
        for (int i = 0; i < 4; i++) {
            String paymentId = id("k");
            JsonNode r = post("/api/payments", keyIn(paymentId, "cust-" + tag + "-" + i, 1000 + i, true), "seed-keyin");
            if (r != null && r.hasNonNull("billingKey")) {
                iamportKeys.add(new String[]{"cust-" + tag + "-" + i, r.get("billingKey").asText()});
            }
        }
        // anchored long ago with P1D: every run finds every active subscription due again
        String anchor = OffsetDateTime.now(ZoneOffset.ofHours(9)).minusDays(1000).withNano(0).toString();
        for (int i = 0; i < settings.subscriptions(); i++) {
            String subscriptionId = "s" + tag + i;
            boolean iamport = i % 2 == 0 && !iamportKeys.isEmpty();
            String[] key = iamport ? iamportKeys.get(i % iamportKeys.size()) : new String[]{"cust-st-" + i, STEPPAY_KEY};
            long amount = switch (i % 10) {
                case 3 -> 4001; // declined: dunning, then PAST_DUE
                case 7 -> 4002; // every charge's answer lost: reconcile / webhooks decide
                default -> 9900 + i;
            };
            String body = """
                    {"subscriptionId": "%s", "vendor": "%s", "billingKey": "%s", "customer": {"id": "%s", "name": "chaos"},
                     "orderName": "Chaos plan", "amount": %d, "interval": "P1D", "nextBillingAt": "%s"}"""
                    .formatted(subscriptionId, iamport ? "iamport" : "steppay", key[1], key[0], amount, anchor);
            for (int attempt = 0; attempt < 5; attempt++) {
                if (post("/api/subscriptions", body, "subscription") != null) {
                    subscriptionIds.add(subscriptionId);
                    break;
                }
            }
        }
    }

    // ---- the load ----------------------------------------------------------------------------------

    List<Thread> start(Instant until) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.clients(); i++) {
            threads.add(started(new Thread(() -> clientLoop(until), "chaos-client-" + i)));
        }
        threads.add(started(new Thread(() -> billingLoop(until), "chaos-billing")));
        return threads;
    }

    private static Thread started(Thread t) {
        t.setDaemon(true);
        t.start();
        return t;
    }

    void stop() {
        stop.set(true);
    }

    private boolean running(Instant until) {
        return !stop.get() && Instant.now().isBefore(until);
    }

    private void clientLoop(Instant until) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running(until)) {
            int pick = random.nextInt(100);
            try {
                if (pick < 30) {
                    String customer = "cust-" + tag + "-c" + random.nextInt(50);
                    charge("keyin", keyIn(id("p"), customer, amount(random), random.nextInt(5) == 0));
                } else if (pick < 45 && !iamportKeys.isEmpty()) {
                    String[] key = iamportKeys.get(random.nextInt(iamportKeys.size()));
                    charge("iamport-billing", billingKey(id("p"), "iamport", key[0], key[1], amount(random)));
                } else if (pick < 65) {
                    charge("steppay-billing", billingKey(id("p"), "steppay", "cust-st", STEPPAY_KEY, amount(random)));
                } else if (pick < 70 && !sentCommands.isEmpty()) {
                    // the same command again: must answer the same outcome and charge nothing
                    charge("replay", sentCommands.get(random.nextInt(sentCommands.size())));
                } else if (pick < 88 && !paid.isEmpty()) {
                    refund(paid.get(random.nextInt(paid.size())), random);
                } else if (pick < 91 && !paid.isEmpty()) {
                    consoleCancel(paid.get(random.nextInt(paid.size())), random);
                } else if (pick < 94 && !awaiting.isEmpty()) {
                    deposit(awaiting.remove(random.nextInt(awaiting.size())));
                } else {
                    charge("keyin", keyIn(id("p"), "cust-" + tag + "-d", amount(random), false));
                }
            } catch (IndexOutOfBoundsException raced) {
                // another client removed the element meanwhile
            }
            JavaProcess.sleep(random.nextLong(20, 120));
        }
    }

    /** 85 % ordinary amounts, the rest the sandbox's test amounts. */
    private static long amount(ThreadLocalRandom random) {
        int p = random.nextInt(100);
        if (p < 4) {
            return 4001;
        }
        if (p < 8) {
            return 4002;
        }
        if (p < 11) {
            return 4003;
        }
        if (p < 15) {
            return 4004;
        }
        return 1000 + 100L * random.nextInt(1, 500);
    }

    private void charge(String operation, String body) {
        if (!operation.equals("replay")) {
            sentCommands.add(body);
        }
        JsonNode r = post("/api/payments", body, operation);
        if (r == null || !r.has("status")) {
            return;
        }
        String status = r.get("status").asText();
        count(operation + " " + status);
        String paymentId = r.path("paymentId").asText();
        String vendor = r.path("vendor").asText();
        long amount = r.path("amount").asLong();
        String ref = r.hasNonNull("vendorPaymentRef") ? r.get("vendorPaymentRef").asText() : null;
        if (status.equals("PAID") && !operation.equals("replay")) {
            paid.add(new Paid(paymentId, vendor, amount, ref));
        } else if (status.equals("AWAITING_DEPOSIT") && ref != null && !operation.equals("replay")) {
            awaiting.add(new Paid(paymentId, vendor, amount, ref));
        }
    }

    private void refund(Paid p, ThreadLocalRandom random) {
        boolean full = random.nextBoolean();
        long amount = full ? p.amount() : Math.max(1, random.nextLong(1, Math.max(2, p.amount() / 2)));
        String body = "{\"refundId\": \"%s\", \"paymentId\": \"%s\", \"amount\": %d, \"reason\": \"chaos\"}"
                .formatted(id("r"), p.paymentId(), amount);
        JsonNode r = post("/api/refunds", body, "refund");
        if (r != null && r.has("status")) {
            count("refund " + r.get("status").asText());
        }
    }

    /** A cancel made in iamport's console (it sends a webhook) or … */
    private void consoleCancel(Paid p, ThreadLocalRandom random) {
        if (!p.vendor().equals("iamport") || p.vendorRef() == null) {
            return;
        }
        long amount = Math.max(1, p.amount() / 4);
        sandbox("/iamport/_control/console-cancel/" + p.vendorRef(), "{\"amount\": " + amount + "}", "console-cancel");
    }

    private void deposit(Paid p) {
        String path = p.vendor().equals("iamport") ? "/iamport/_control/deposit/" + p.vendorRef()
                : "/steppay/_control/deposit/" + p.vendorRef();
        sandbox(path, "{}", "deposit");
    }

    private void billingLoop(Instant until) {
        while (running(until)) {
            JavaProcess.sleep(settings.billingEvery().toMillis());
            if (running(until)) {
                startBillingRun(Instant.now(), "billing-run");
            }
        }
    }

    /** POST /api/billing-runs on a node that is up; returns the run id, or null (409: one is running). */
    String startBillingRun(Instant asOf, String operation) {
        ChaosCluster.Node node = cluster.anyUp();
        if (node == null) {
            count(operation + " no-node");
            return null;
        }
        try {
            HttpResponse<String> r = send(node, "/api/billing-runs", "{\"asOf\": \"" + asOf + "\"}");
            count(operation + " " + r.statusCode());
            return r.statusCode() == 202 ? r.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1)).orElse(null) : null;
        } catch (IOException e) {
            count(operation + " io-error");
            return null;
        }
    }

    // ---- HTTP --------------------------------------------------------------------------------------

    /** POSTs to a node that is up; the JSON answer of a 2xx, else null (counted by status). */
    private JsonNode post(String path, String body, String operation) {
        ChaosCluster.Node node = cluster.anyUp();
        if (node == null) {
            count(operation + " no-node");
            return null;
        }
        try {
            HttpResponse<String> r = send(node, path, body);
            if (r.statusCode() / 100 != 2) {
                count(operation + " http-" + r.statusCode());
                return null;
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            // the node died under the request, or was down: the outcome is for the audit to find
            count(operation + " io-error");
            return null;
        }
    }

    private HttpResponse<String> send(ChaosCluster.Node node, String path, String body) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void sandbox(String path, String body, String operation) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.sandboxUrl() + path))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            count(operation + " " + r.statusCode());
        } catch (IOException e) {
            count(operation + " io-error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void count(String key) {
        counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    Map<String, Long> countsSorted() {
        Map<String, Long> sorted = new TreeMap<>();
        counts.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted;
    }

    private String id(String kind) {
        return "c" + tag + kind + ids.incrementAndGet();
    }

    private static String keyIn(String paymentId, String customer, long amount, boolean saveKey) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d, "orderName": "Chaos",
                 "customer": {"id": "%s", "name": "chaos"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": %s}""".formatted(paymentId, amount, customer, saveKey);
    }

    private static String billingKey(String paymentId, String vendor, String customer, String key, long amount) {
        return """
                {"paymentId": "%s", "vendor": "%s", "method": "BILLING_KEY", "amount": %d, "orderName": "Chaos",
                 "customer": {"id": "%s", "name": "chaos"}, "billingKey": "%s"}""".formatted(paymentId, vendor, amount, customer, key);
    }
}
