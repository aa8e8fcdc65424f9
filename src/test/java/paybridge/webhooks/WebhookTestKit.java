package paybridge.webhooks;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Helpers for the webhook tests: commands, deliveries in either content type, inbox and ledger reads. */
final class WebhookTestKit {
    static final String STEPPAY_KEY = "16057932413479698c8vqQG0kMix9";
    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebhookTestKit() {
    }

    static String keyIn(String paymentId, long amount, boolean save) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d, "orderName": "Plan",
                 "customer": {"id": "user-42", "name": "홍길동"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": %s}""".formatted(paymentId, amount, save);
    }

    static String billingKey(String paymentId, String vendor, long amount, String key) {
        return """
                {"paymentId": "%s", "vendor": "%s", "method": "BILLING_KEY", "amount": %d, "orderName": "Plan",
                 "customer": {"id": "user-42", "name": "홍길동"}, "billingKey": "%s"}""".formatted(paymentId, vendor, amount, key);
    }

    static String body(String contentType, Map<String, ?> fields) {
        if (contentType.startsWith(FORM)) {
            return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        }
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** POSTs a webhook as the vendor would; answers the HTTP response. */
    static Response deliver(RunningPaybridge app, String vendor, String contentType, Map<String, ?> fields) {
        return deliverRaw(app, vendor, contentType, body(contentType, fields), Map.of());
    }

    static Response deliverRaw(RunningPaybridge app, String vendor, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/webhooks/" + vendor))
                .header("Content-Type", contentType + "; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(b::header);
        return app.send(b);
    }

    static Response post(RunningPaybridge app, String url, String json) {
        return app.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json, StandardCharsets.UTF_8)));
    }

    /** Inbox entries (newest first) for a vendor. */
    static List<JsonNode> inbox(RunningPaybridge app, String query) {
        JsonNode entries = app.get("/api/webhooks?limit=1000" + (query.isEmpty() ? "" : "&" + query)).json().path("entries");
        List<JsonNode> out = new ArrayList<>();
        entries.forEach(out::add);
        return out;
    }

    static JsonNode entry(RunningPaybridge app, String inboxId) {
        return inbox(app, "").stream().filter(e -> e.path("inboxId").asText().equals(inboxId)).findFirst().orElse(null);
    }

    /** Waits until the entry has left RECEIVED/PENDING; answers it. */
    static JsonNode awaitSettled(RunningPaybridge app, String inboxId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = entry(app, inboxId);
            return last[0] != null && !last[0].path("status").asText().equals("RECEIVED")
                    && !last[0].path("status").asText().equals("PENDING");
        });
        return last[0];
    }

    /** Waits until some inbox entry for this payment reached the status; answers it. */
    static JsonNode awaitEntry(RunningPaybridge app, String paymentId, String status, String eventType) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            found[0] = inbox(app, "").stream().filter(e -> paymentId.equals(e.path("paymentId").asText())
                    && status.equals(e.path("status").asText())
                    && (eventType == null || eventType.equals(e.path("eventType").asText()))).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    static List<JsonNode> ledger(RunningPaybridge app, String paymentId) {
        List<JsonNode> out = new ArrayList<>();
        app.get("/api/ledger?paymentId=" + paymentId).json().path("entries").forEach(out::add);
        return out;
    }

    static long sum(List<JsonNode> entries) {
        return entries.stream().mapToLong(e -> e.path("amount").asLong()).sum();
    }

    static String types(List<JsonNode> entries) {
        return entries.stream().map(e -> e.path("type").asText() + ":" + e.path("amount").asLong())
                .collect(Collectors.joining(","));
    }

    static JsonNode payment(RunningPaybridge app, String paymentId) {
        return app.get("/api/payments/" + paymentId).json();
    }
}
