package paybridge.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Real HTTP against a {@link SandboxServer} started per test, plus a tiny webhook receiver that
 * records what the simulator sends. Abstract, so Surefire runs only its subclasses.
 */
abstract class IamportTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FORM = "application/x-www-form-urlencoded";

    /** A webhook as it arrived. */
    record Webhook(String path, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("webhook body is not JSON: " + body, e);
            }
        }
    }

    /** An answer: HTTP status, Content-Type and the parsed envelope. */
    record Answer(int status, String contentType, JsonNode body) {
        int code() {
            return body.get("code").asInt();
        }

        String message() {
            return body.get("message").isNull() ? null : body.get("message").asText();
        }

        JsonNode response() {
            return body.get("response");
        }
    }

    static HttpServer receiver;
    static final ConcurrentLinkedQueue<Webhook> webhooks = new ConcurrentLinkedQueue<>();
    // HTTP/1.1: the default client would upgrade to h2c and multiplex concurrent calls over one
    // connection; separate connections are closer to many callers at once
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    SandboxServer sandbox;
    String base;

    @BeforeAll
    static void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(2));
        receiver.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            webhooks.add(new Webhook(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    @BeforeEach
    void startSandbox() {
        webhooks.clear();
        start(settings().build());
    }

    @AfterEach
    void stopSandbox() {
        sandbox.close();
    }

    /** The settings of the sandbox started for each test: a short hang keeps HANG tests quick. */
    static SandboxSettings.Builder settings() {
        return SandboxSettings.builder()
                .webhookBaseUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks")
                .hang(Duration.ofSeconds(2));
    }

    /** Replaces the per-test sandbox with one using other settings. */
    void start(SandboxSettings settings) {
        if (sandbox != null) {
            sandbox.close();
        }
        sandbox = new SandboxServer(settings);
        base = "http://127.0.0.1:" + sandbox.start() + "/sandbox/iamport";
    }

    // ---- calls

    String token() {
        Answer a = postJson("/users/getToken", null, Map.of("imp_key", "sandbox-imp-key", "imp_secret", "sandbox-imp-secret"));
        return a.response().get("access_token").asText();
    }

    Answer postJson(String path, String token, Map<String, ?> body) {
        return send(request(path, token, Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))).build());
    }

    Answer postForm(String path, String token, Map<String, ?> body) {
        return send(request(path, token, Duration.ofSeconds(10))
                .header("Content-Type", FORM)
                .POST(HttpRequest.BodyPublishers.ofString(form(body))).build());
    }

    Answer postRaw(String path, String token, String contentType, String body) {
        return send(request(path, token, Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Answer get(String path, String token) {
        return send(request(path, token, Duration.ofSeconds(10)).GET().build());
    }

    CompletableFuture<Answer> postJsonAsync(String path, String token, Map<String, ?> body) {
        HttpRequest request = request(path, token, Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(IamportTestSupport::answer);
    }

    HttpRequest.Builder request(String path, String token, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Answer send(HttpRequest request) {
        try {
            return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Answer answer(HttpResponse<String> r) {
        try {
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static String json(Map<String, ?> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String form(Map<String, ?> body) {
        return body.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    // ---- helpers

    /** A successful onetime charge body (JSON). */
    static Map<String, Object> onetime(String merchantUid, long amount) {
        return new java.util.LinkedHashMap<>(Map.of("merchant_uid", merchantUid, "amount", amount,
                "card_number", "1234-5678-9012-3456", "expiry", "2030-12", "birth", "800101", "pg", "settle",
                "name", "월 구독"));
    }

    JsonNode stats() {
        return get("/_stats", null).response();
    }

    List<Webhook> webhooksFor(String merchantUid) {
        return webhooks.stream().filter(w -> w.body().contains(merchantUid)).toList();
    }
}
