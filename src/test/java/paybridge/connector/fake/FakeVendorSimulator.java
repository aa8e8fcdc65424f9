package paybridge.connector.fake;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The "fake" vendor's API, a real HTTP server on a free loopback port: the sandbox simulator of the
 * third connector. Bearer-key auth; charges on a billing key keyed by the merchant's order id (a
 * second charge under one order id is refused); refunds, full or partial, each with its own id;
 * lookups by charge id and by order id; and the webhooks the vendor would send, signed with
 * HMAC-SHA256 over the raw body ({@code Fake-Signature: <hex>}).
 * <p>
 * The amount decides, as in paybridge's own sandbox: 4001 declines; 4002 charges at once but answers
 * only after {@link #hang} (the caller has given up: a lost answer); anything else is paid.
 */
public final class FakeVendorSimulator implements AutoCloseable {
    public static final String API_KEY = "fake-api-key";
    public static final String WEBHOOK_SECRET = "fake-webhook-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One charge as the vendor keeps it. */
    record Charge(String id, String orderId, long amount, String billingKey, String status, String reason,
                  Instant createdAt, List<Refund> refunds) {
        long refunded() {
            return refunds.stream().mapToLong(Refund::amount).sum();
        }
    }

    record Refund(String id, long amount, Instant at) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Charge> byId = new ConcurrentHashMap<>();
    private final Map<String, Charge> byOrder = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    public final AtomicInteger chargeRequests = new AtomicInteger();
    public final AtomicInteger refundRequests = new AtomicInteger();
    public final AtomicInteger lookupRequests = new AtomicInteger();
    private volatile Duration hang = Duration.ofSeconds(2);

    private FakeVendorSimulator(HttpServer server) {
        this.server = server;
    }

    public static FakeVendorSimulator start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            FakeVendorSimulator vendor = new FakeVendorSimulator(server);
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

    /** How long a 4002 charge keeps its caller waiting (it is charged at once). */
    public void hang(Duration hang) {
        this.hang = hang;
    }

    // ---- the vendor's console

    /** A refund made in the vendor's console, not through paybridge; answers its id. */
    public String consoleRefund(String chargeId, long amount) {
        Charge charge = byId.get(chargeId);
        Refund refund = new Refund("fr_" + ids.incrementAndGet(), amount, Instant.now());
        charge.refunds().add(refund);
        return refund.id();
    }

    /** Sends the webhook the vendor sends for an event of a charge, signed; answers the HTTP status. */
    public int sendWebhook(String url, String event, String chargeId, String refundId) {
        Charge charge = byId.get(chargeId);
        ObjectNode body = JSON.createObjectNode();
        body.put("event", event);
        body.put("chargeId", chargeId);
        body.put("orderId", charge == null ? null : charge.orderId());
        if (refundId != null) {
            body.put("refundId", refundId);
        }
        return deliver(url, body.toString(), FakeWebhooks.sign(WEBHOOK_SECRET, body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Posts a body as a webhook with this signature (null: none); answers the HTTP status. */
    public static int deliver(String url, String body, String signature) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            if (signature != null) {
                request.header(FakeWebhooks.SIGNATURE_HEADER, signature);
            }
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the API

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!("Bearer " + API_KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            if ("POST".equals(method) && path.equals("/v1/charges")) {
                charge(exchange);
            } else if ("POST".equals(method) && path.matches("/v1/charges/[^/]+/refunds")) {
                refund(exchange, path.split("/")[3]);
            } else if ("GET".equals(method) && path.equals("/v1/charges")) {
                lookupRequests.incrementAndGet();
                String query = exchange.getRequestURI().getQuery();
                String orderId = query != null && query.startsWith("orderId=") ? query.substring("orderId=".length()) : "";
                found(exchange, byOrder.get(orderId));
            } else if ("GET".equals(method) && path.matches("/v1/charges/[^/]+")) {
                lookupRequests.incrementAndGet();
                found(exchange, byId.get(path.split("/")[3]));
            } else {
                answer(exchange, 404, "{\"error\":\"no such endpoint\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void charge(HttpExchange exchange) throws IOException, InterruptedException {
        chargeRequests.incrementAndGet();
        JsonNode in = JSON.readTree(exchange.getRequestBody());
        String orderId = in.path("orderId").asText();
        long amount = in.path("amount").asLong();
        boolean declined = amount == 4001;
        Charge charge = new Charge("fk_" + ids.incrementAndGet(), orderId, amount, in.path("billingKey").asText(null),
                declined ? "declined" : "paid", declined ? "card_declined" : null, Instant.now(),
                new CopyOnWriteArrayList<>());
        if (byOrder.putIfAbsent(orderId, charge) != null) {
            answer(exchange, 409, "{\"error\":\"duplicate_order\",\"message\":\"orderId already used\"}");
            return;
        }
        byId.put(charge.id(), charge);
        if (amount == 4002) {
            Thread.sleep(hang.toMillis()); // charged; the answer comes too late for the caller
        }
        answer(exchange, 200, json(charge).toString());
    }

    private void refund(HttpExchange exchange, String chargeId) throws IOException {
        refundRequests.incrementAndGet();
        JsonNode in = JSON.readTree(exchange.getRequestBody());
        Charge charge = byId.get(chargeId);
        if (charge == null || !"paid".equals(charge.status())) {
            answer(exchange, 404, "{\"error\":\"no_such_charge\"}");
            return;
        }
        long amount = in.path("amount").asLong();
        if (amount <= 0 || amount > charge.amount() - charge.refunded()) {
            answer(exchange, 400, "{\"error\":\"amount_exceeds_remaining\",\"message\":\"more than remains\"}");
            return;
        }
        Refund refund = new Refund("fr_" + ids.incrementAndGet(), amount, Instant.now());
        charge.refunds().add(refund);
        ObjectNode out = JSON.createObjectNode();
        out.put("refundId", refund.id());
        out.put("amount", amount);
        out.set("charge", json(charge));
        answer(exchange, 200, out.toString());
    }

    private void found(HttpExchange exchange, Charge charge) throws IOException {
        if (charge == null) {
            answer(exchange, 404, "{\"error\":\"no_such_charge\"}");
        } else {
            answer(exchange, 200, json(charge).toString());
        }
    }

    private static ObjectNode json(Charge c) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", c.id());
        node.put("orderId", c.orderId());
        node.put("amount", c.amount());
        node.put("status", c.status());
        node.put("reason", c.reason());
        node.put("billingKey", c.billingKey());
        node.put("createdAt", c.createdAt().toString());
        node.put("refunded", c.refunded());
        ArrayNode refunds = node.putArray("refunds");
        for (Refund r : c.refunds()) {
            refunds.addObject().put("id", r.id()).put("amount", r.amount()).put("at", r.at().toString());
        }
        return node;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (IOException abandoned) {
            // the caller gave up waiting (a 4002 charge): the charge stands all the same
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
