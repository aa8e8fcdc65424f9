package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.InboxState;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Any bytes at all are a webhook delivery: a body that is not text (not valid UTF-8, NUL bytes —
 * which a PostgreSQL text column refuses) is stored byte for byte and answered 400 naming its
 * inboxId, never a 5xx, never lost; the listing shows it. On H2 and on PostgreSQL, over HTTP.
 */
class WebhookRawBytesTest {
    private static final byte[] BINARY = {0x00, (byte) 0xFF, (byte) 0xFE, 0x01};
    // valid UTF-8 JSON, but with a NUL inside a string
    private static final byte[] NUL_IN_TEXT = "{\"idKey\": \"a\u0000b\", \"webHookType\": \"PAYMENT\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void onH2() {
        try (RunningPaybridge app = RunningPaybridge.start(settings(Map.of()))) {
            deliverAndReadBack(app);
        }
    }

    @Test
    void onPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(settings(Map.of("paybridge.db.url", pg.url(),
                     "paybridge.db.user", pg.user())))) {
            deliverAndReadBack(app);
        }
    }

    private static Map<String, Object> settings(Map<String, Object> db) {
        Map<String, Object> s = new java.util.HashMap<>(db);
        s.put("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks");
        return s;
    }

    private static void deliverAndReadBack(RunningPaybridge app) {
        WebhookInbox inbox = app.lookup("webhookInbox", WebhookInbox.class);
        for (String vendor : new String[] {"steppay", "iamport"}) {
            for (byte[] body : new byte[][] {BINARY, NUL_IN_TEXT}) {
                Response r = deliverBytes(app, vendor, body);
                assertThat(r.status()).as(vendor).isEqualTo(400);
                assertThat(r.contentType()).startsWith("application/problem+json");
                String detail = r.json().path("detail").asText();
                String inboxId = detail.substring(detail.lastIndexOf(' ') + 1);

                InboxEntry stored = inbox.find(inboxId).orElseThrow(() -> new AssertionError("not stored: " + detail));
                assertThat(stored.bodyBytes()).as("byte for byte").isEqualTo(body);
                assertThat(stored.status()).isEqualTo(InboxState.REJECTED);
                assertThat(stored.reason()).startsWith("malformed");

                JsonNode listed = app.get("/api/webhooks?vendor=" + vendor + "&status=REJECTED").json().path("entries");
                assertThat(listed).anySatisfy(e -> {
                    assertThat(e.path("inboxId").asText()).isEqualTo(inboxId);
                    assertThat(Base64.getDecoder().decode(e.path("bodyBase64").asText())).isEqualTo(body);
                });
                // a replay reads the stored bytes as unreadable again: rejected, never a failure
                Response replay = app.postJson("/api/webhooks/" + inboxId + "/replay", "");
                assertThat(replay.status()).isEqualTo(200);
                assertThat(replay.json().path("status").asText()).isEqualTo("REJECTED");
            }
        }
    }

    private static Response deliverBytes(RunningPaybridge app, String vendor, byte[] body) {
        return app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/webhooks/" + vendor))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }
}
