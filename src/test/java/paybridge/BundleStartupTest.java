package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** The bundle as {@code java -jar} starts it in dev: health, the sandbox on its own port, error pages. */
class BundleStartupTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of("paybridge.sandbox.latency", "PT1S"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void healthIsUpOnTheManagementPortWithTheDatabaseCheck() {
        Response health = app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\": \"UP\"".replace(" ", "")).doesNotContain("DOWN");
        assertThat(health.body()).contains("database");
    }

    @Test
    void devProfileKeepsMessageHistoryAndComponentHealthChecksOffAsItsFileSays() {
        // Camel's dev profile turns both on after the properties files are read: message history copies
        // every message (card numbers included) into memory; loading health checks scans the whole jar
        assertThat(app.context().getCamelContextExtension().getProfile()).isEqualTo("dev");
        assertThat(app.context().isMessageHistory()).isFalse();
        assertThat(app.context().isLoadHealthChecks()).isFalse();
        assertThat(app.context().isBacklogTracingStandby()).isFalse();
    }

    @Test
    void devProfileServesTheSandboxOnItsOwnPort() {
        Response token = app.postJson(app.sandboxUrl() + "/iamport/users/getToken",
                "{\"imp_key\":\"sandbox-imp-key\",\"imp_secret\":\"sandbox-imp-secret\"}");
        assertThat(token.status()).isEqualTo(200);
        assertThat(token.json().path("response").path("access_token").asText()).hasSize(40);

        Response receipt = app.send(HttpRequest.newBuilder(URI.create(app.sandboxUrl()
                + "/steppay/api/payment/receipt/16057932413479698c8vqQG0kMix9")).header("Secret-Token", "sandbox-steppay-token"));
        assertThat(receipt.status()).isEqualTo(200);
        assertThat(receipt.json().path("paymentStatus").asText()).isEqualTo("COMPLETE");
    }

    @Test
    void unknownPathsAnswerProblemJsonNotHtml() {
        Response missing = app.get("/api/no-such-thing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().path("status").asInt()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("<html");
    }

    @Test
    void openApiDocumentIsServed() {
        Response doc = app.get("/api/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().path("openapi").asText()).startsWith("3.");
    }

    /**
     * Slow simulated vendor calls hold no paybridge worker: while 200 sandbox calls (1 s latency
     * each) are in flight, paybridge's own API still answers.
     */
    @Test
    void slowSandboxCallsDoNotStarvePaybridge() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(app.sandboxUrl()
                            + "/steppay/api/payment/receipt/16057932413479698c8vqQG0kMix9"))
                    .header("Secret-Token", "sandbox-steppay-token").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Response ping = app.get("/api/ping");
        long stillInFlight = inFlight.stream().filter(f -> !f.isDone()).count();
        assertThat(ping.status()).isEqualTo(200);
        assertThat(stillInFlight).as("sandbox calls still waiting when paybridge answered").isPositive();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            assertThat(f.get().statusCode()).isEqualTo(200);
        }
    }
}
