package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** With PAYBRIDGE_API_KEY set, /api/** needs the Bearer key; the OpenAPI document and webhooks do not. */
class ApiKeyTest {
    private static final String KEY = "k3y-for-tests";
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of("paybridge.api.key", KEY));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Response get(String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return app.send(b);
    }

    @Test
    void missingOrWrongKeyIs401ProblemJson() {
        for (String auth : new String[] {null, "Bearer wrong", "Bearer " + KEY + "x", KEY, "Basic " + KEY}) {
            Response r = get("/api/ledger", auth);
            assertThat(r.status()).as(String.valueOf(auth)).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        Response post = app.postJson("/api/payments", "{}");
        assertThat(post.status()).isEqualTo(401);
        assertThat(get("/api/payments/anything", null).status()).isEqualTo(401);
    }

    @Test
    void theRightKeyPasses() {
        assertThat(get("/api/ledger", "Bearer " + KEY).status()).isEqualTo(200);
        assertThat(get("/api/payments/none", "Bearer " + KEY).status()).isEqualTo(404);
    }

    @Test
    void openApiDocumentAndWebhooksNeedNoKey() {
        assertThat(get("/api/openapi.json", null).status()).isEqualTo(200);
        Response webhook = app.postJson("/webhooks/iamport", "{\"imp_uid\": \"imp_000000000000\", \"merchant_uid\": \"x\", \"status\": \"paid\"}");
        assertThat(webhook.status()).isEqualTo(200);
    }
}
