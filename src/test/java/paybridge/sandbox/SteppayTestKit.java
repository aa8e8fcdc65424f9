package paybridge.sandbox;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

/**
 * A Steppay sandbox on a free port plus a tiny webhook receiver that records every delivery,
 * for the Steppay simulator tests. Real HTTP both ways.
 */
final class SteppayTestKit implements AutoCloseable {
    static final String TOKEN = SandboxSettings.defaults().steppaySecretToken();
    static final String SEED = "16057932413479698c8vqQG0kMix9";

    /** One webhook as it arrived. */
    record Webhook(String path, String contentType, String body, Map<String, String> fields) {
        String type() {
            return fields.get("webHookType");
        }

        String idKey() {
            return fields.get("idKey");
        }
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<Webhook> webhooks = new CopyOnWriteArrayList<>();
    private final HttpServer receiver;
    final SandboxServer sandbox;
    final String base;

    SteppayTestKit(UnaryOperator<SandboxSettings.Builder> customize) throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/webhooks/", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            webhooks.add(new Webhook(exchange.getRequestURI().getPath(), contentType, body, parse(contentType, body)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        SandboxSettings.Builder settings = SandboxSettings.builder()
                .webhookBaseUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks");
        sandbox = new SandboxServer(customize.apply(settings).build());
        base = "http://127.0.0.1:" + sandbox.start() + "/sandbox/steppay";
    }

    private static Map<String, String> parse(String contentType, String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        } else {
            new JsonObject(body).forEach(e -> fields.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return fields;
    }

    // ---- HTTP ----

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RuntimeException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    }

    /** POST with {@code Secret-Token}. */
    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Secret-Token", TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POST with the given headers only (name, value, name, value...). */
    HttpResponse<String> postWith(String path, String json, String... headers) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).header("Secret-Token", TOKEN).GET());
    }

    static JsonObject json(HttpResponse<String> response) {
        return new JsonObject(response.body());
    }

    // ---- Steppay calls ----

    static String billingBody(String idKey, String partnerOrderId, Object amount) {
        return new JsonObject()
                .put("idKey", idKey)
                .put("partner", new JsonObject().put("partnerOrderId", partnerOrderId).put("partnerUserId", "user-1"))
                .put("product", new JsonObject().put("itemName", "Monthly plan").put("amount", amount).put("quantity", 1))
                .put("customer", new JsonObject().put("userName", "홍길동").put("phone", "01012345678")
                        .put("email", "hong@example.com"))
                .put("taxFreeAmount", 0).put("discount", 0).put("isMobile", false)
                .encode();
    }

    HttpResponse<String> billing(String idKey, String partnerOrderId, long amount) {
        return post("/api/payment/billing", billingBody(idKey, partnerOrderId, amount));
    }

    HttpResponse<String> cancel(String idKey, Object requestPrice) {
        return post("/api/internal/payment/cancel",
                new JsonObject().put("idKey", idKey).put("requestPrice", requestPrice).encode());
    }

    JsonObject receipt(String idKey) {
        HttpResponse<String> r = get("/api/payment/receipt/" + idKey);
        if (r.statusCode() != 200) {
            throw new AssertionError("receipt " + r.statusCode() + ": " + r.body());
        }
        return json(r);
    }

    JsonObject stats() {
        return json(send(request("/_stats").GET()));
    }

    /** A customer's first payment in the browser SDK; returns its receipt. */
    JsonObject firstPayment(String partnerOrderId, long amount, String method) {
        HttpResponse<String> r = postWith("/_control/first-payment", new JsonObject()
                .put("partnerOrderId", partnerOrderId).put("partnerUserId", "user-1").put("amount", amount)
                .put("itemName", "First month").put("paymentMethod", method).encode());
        if (r.statusCode() != 200) {
            throw new AssertionError("first-payment " + r.statusCode() + ": " + r.body());
        }
        return json(r);
    }

    // ---- webhooks ----

    Webhook awaitWebhook(String type, String idKey) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> find(type, idKey), list -> !list.isEmpty()).get(0);
    }

    List<Webhook> find(String type, String idKey) {
        List<Webhook> found = new ArrayList<>();
        for (Webhook w : webhooks) {
            if (w.type().equals(type) && w.idKey().equals(idKey)) {
                found.add(w);
            }
        }
        return found;
    }

    @Override
    public void close() {
        sandbox.close();
        receiver.stop(0);
    }
}
