package paybridge.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An iamport (PortOne v1) double on a free loopback port whose every answer a test can script: how
 * long it takes, what status and body it has, and whether the body drips out a byte at a time. Its
 * lookups by merchant_uid answer 404 until the test (or a charge, after {@link #lookupLag}) publishes
 * a record, which lets a test build "the vendor has it, its lookup does not show it yet".
 * Defaults: a token for any key; a charge is paid at once; no record is visible.
 */
public final class ScriptedIamport implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One scripted answer. {@code dripMillis} > 0: the body is written a byte at a time, this far apart. */
    public record Step(long delayMillis, int status, String body, long dripMillis) {
        public static Step after(Duration delay, int status, String body) {
            return new Step(delay.toMillis(), status, body, 0);
        }

        /** null body: the default answer for the path, after the delay. */
        public static Step slow(Duration delay) {
            return new Step(delay.toMillis(), 0, null, 0);
        }

        public static Step drip(int status, String body, Duration perByte) {
            return new Step(0, status, body, perByte.toMillis());
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ConcurrentLinkedDeque<Step> tokenSteps = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Step> chargeSteps = new ConcurrentLinkedDeque<>();
    private final Map<String, JsonNode> records = new ConcurrentHashMap<>();
    public final AtomicInteger tokenRequests = new AtomicInteger();
    public final AtomicInteger chargeRequests = new AtomicInteger();
    public final AtomicInteger lookupRequests = new AtomicInteger();
    /** Each request received: its path and headers (names lower-cased), in order. */
    public final ConcurrentLinkedDeque<Received> received = new ConcurrentLinkedDeque<>();
    /** The customer_uid of each charge request (null when it had none), in order. */
    public final java.util.List<String> customerUids = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A request as it arrived: path and headers. */
    public record Received(String path, Map<String, String> headers) {
    }
    /** Answers whose writing failed because paybridge had closed the connection. */
    public final AtomicInteger abandonedAnswers = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Duration lookupLag;
    private volatile java.util.concurrent.CountDownLatch lookupGate;
    private volatile boolean lookupsUnavailable;

    private ScriptedIamport(HttpServer server) {
        this.server = server;
    }

    public static ScriptedIamport start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            ScriptedIamport vendor = new ScriptedIamport(server);
            server.setExecutor(vendor.pool);
            server.createContext("/", vendor::handle);
            server.start();
            return vendor;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public ScriptedIamport token(Step... steps) {
        tokenSteps.addAll(java.util.List.of(steps));
        return this;
    }

    public ScriptedIamport charge(Step... steps) {
        chargeSteps.addAll(java.util.List.of(steps));
        return this;
    }

    /** A paid charge becomes visible to lookups this long after it was answered (null: never by itself). */
    public ScriptedIamport lookupLag(Duration lag) {
        this.lookupLag = lag;
        return this;
    }

    /**
     * Holds every lookup that arrives from now on (counted in {@link #lookupRequests} as it arrives) until
     * {@link #releaseLookups}; answered then from the records as they are at that moment.
     */
    public ScriptedIamport holdLookups() {
        lookupGate = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    public void releaseLookups() {
        java.util.concurrent.CountDownLatch gate = lookupGate;
        lookupGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    /** Every lookup answered 503 (the vendor's API down) until {@code false} again. */
    public ScriptedIamport lookupsUnavailable(boolean unavailable) {
        this.lookupsUnavailable = unavailable;
        return this;
    }

    /** Publishes a payment record under its merchant_uid (what lookups answer from now on). */
    public void record(String merchantUid, JsonNode payment) {
        records.put(merchantUid, payment);
    }

    /** A paid iamport Payment object. */
    public static ObjectNode paid(String impUid, String merchantUid, long amount) {
        ObjectNode p = JSON.createObjectNode();
        p.put("imp_uid", impUid);
        p.put("merchant_uid", merchantUid);
        p.put("amount", amount);
        p.put("cancel_amount", 0);
        p.put("status", "paid");
        p.put("paid_at", System.currentTimeMillis() / 1000);
        p.putArray("cancel_history");
        return p;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] requestBody = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new java.util.TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT),
                    String.join(",", values)));
            received.add(new Received(path, headers));
            if (path.endsWith("/users/getToken")) {
                tokenRequests.incrementAndGet();
                answer(exchange, tokenSteps.poll(), 200, tokenBody());
            } else if (path.contains("/subscribe/payments/")) {
                chargeRequests.incrementAndGet();
                JsonNode command = JSON.readTree(requestBody);
                customerUids.add(command.path("customer_uid").asText(null));
                String merchantUid = command.path("merchant_uid").asText();
                long amount = command.path("amount").asLong();
                String impUid = "imp_" + (100000 + ids.incrementAndGet());
                Step step = chargeSteps.poll();
                // the vendor charges when the request arrives, whatever happens to its answer
                Duration lag = lookupLag;
                if (lag != null && (step == null || step.status() == 0 || step.status() == 200)) {
                    ObjectNode record = paid(impUid, merchantUid, amount);
                    pool.submit(() -> {
                        sleep(lag.toMillis());
                        records.put(merchantUid, record);
                    });
                }
                answer(exchange, step, 200, envelope(paid(impUid, merchantUid, amount)));
            } else if (lookupsUnavailable && (path.contains("/payments/find/") || path.matches(".*/payments/imp_[A-Za-z0-9_-]+"))) {
                lookupRequests.incrementAndGet();
                write(exchange, new Step(0, 503, "{\"code\":-1,\"message\":\"service unavailable\",\"response\":null}", 0));
            } else if (path.contains("/payments/find/")) {
                lookupRequests.incrementAndGet();
                java.util.concurrent.CountDownLatch gate = lookupGate;
                if (gate != null) {
                    try {
                        gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String merchantUid = path.substring(path.lastIndexOf('/') + 1);
                JsonNode record = records.get(merchantUid);
                if (record == null) {
                    write(exchange, new Step(0, 404, "{\"code\":-1,\"message\":\"not found\",\"response\":null}", 0));
                } else {
                    write(exchange, new Step(0, 200, envelope(record), 0));
                }
            } else if (path.matches(".*/payments/imp_[A-Za-z0-9_-]+")) {
                // a lookup by imp_uid (webhook verification) answers from the same records
                lookupRequests.incrementAndGet();
                String impUid = path.substring(path.lastIndexOf('/') + 1);
                JsonNode record = records.values().stream().filter(r -> impUid.equals(r.path("imp_uid").asText()))
                        .findFirst().orElse(null);
                write(exchange, record == null
                        ? new Step(0, 404, "{\"code\":-1,\"message\":\"not found\",\"response\":null}", 0)
                        : new Step(0, 200, envelope(record), 0));
            } else {
                write(exchange, new Step(0, 404, "{\"code\":-1,\"message\":\"no such path\",\"response\":null}", 0));
            }
        }
    }

    private void answer(HttpExchange exchange, Step step, int defaultStatus, String defaultBody) throws IOException {
        if (step == null) {
            write(exchange, new Step(0, defaultStatus, defaultBody, 0));
            return;
        }
        sleep(step.delayMillis());
        write(exchange, step.body() == null && step.status() == 0
                ? new Step(0, defaultStatus, defaultBody, step.dripMillis()) : step);
    }

    private void write(HttpExchange exchange, Step step) throws IOException {
        byte[] bytes = step.body() == null ? new byte[0] : step.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        try {
            exchange.sendResponseHeaders(step.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length == 0) {
                return;
            }
            OutputStream out = exchange.getResponseBody();
            if (step.dripMillis() <= 0) {
                out.write(bytes);
                out.flush();
                return;
            }
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                sleep(step.dripMillis());
            }
        } catch (IOException e) {
            abandonedAnswers.incrementAndGet();
            throw e;
        }
    }

    private static String tokenBody() {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode r = JSON.createObjectNode();
        r.put("access_token", "tok-" + java.util.UUID.randomUUID());
        r.put("now", now);
        r.put("expired_at", now + 1800);
        return envelope(r);
    }

    public static String envelope(JsonNode response) {
        ObjectNode e = JSON.createObjectNode();
        e.put("code", 0);
        e.putNull("message");
        e.set("response", response);
        return e.toString();
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
