package paybridge.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;
import paybridge.testing.Postgres;

/**
 * kill -9 of a node between a state change and the delivery of its event: the node (a JVM of its own,
 * on PostgreSQL) charges, its delivery reaches a receiver that does not answer, the node is killed in
 * the middle of the send. Started again, it delivers the event once the dead node's lease has run out:
 * nothing committed is lost, the event is the same one (same webhook-id).
 */
class EventCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anEventWhoseDeliveryWasCutByKillMinus9IsDeliveredAfterTheRestart() throws Exception {
        Vertx vertx = Vertx.vertx();
        AtomicBoolean answer = new AtomicBoolean(false);
        List<String> ids = new CopyOnWriteArrayList<>();
        int receiverPort = FreePorts.next();
        vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            ids.add(request.getHeader("webhook-id"));
            if (answer.get()) {
                request.response().setStatusCode(204).end();
            } // else: never answers, the node is killed mid-send
        })).listen(receiverPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        Path runDir = Files.createTempDirectory("paybridge-event-crash");
        int http = FreePorts.next();
        int management = FreePorts.next();
        try (Postgres pg = Postgres.createDatabase()) {
            Map<String, String> env = new HashMap<>();
            env.put("PAYBRIDGE_HOME", Path.of("").toAbsolutePath().toString());
            env.put("PAYBRIDGE_NODE_ID", "crash-node");
            env.put("PAYBRIDGE_HTTP_PORT", String.valueOf(http));
            env.put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
            env.put("PAYBRIDGE_SANDBOX_PORT", String.valueOf(FreePorts.next()));
            env.put("PAYBRIDGE_DB_URL", pg.url());
            env.put("PAYBRIDGE_DB_USER", pg.user());
            env.put("PAYBRIDGE_EVENTS_DESTINATIONS", "crm");
            env.put("PAYBRIDGE_EVENTS_DESTINATION_CRM_URI", "http://127.0.0.1:" + receiverPort + "/events");
            env.put("PAYBRIDGE_EVENTS_DESTINATION_CRM_TYPES", "payment.paid");
            env.put("PAYBRIDGE_EVENTS_POLL_INTERVAL", "PT0.2S");
            env.put("PAYBRIDGE_EVENTS_TIMEOUT", "PT4S");
            // the lease outlasts a send on a restarted, still cold node on a busy machine (a lease lost
            // mid-send sends the event a third time); the restarted node takes the cut send up once it has run out
            env.put("PAYBRIDGE_EVENTS_LEASE", "PT15S");
            env.put("PAYBRIDGE_BILLING_CRON", "0 0 3 1 1 ? 2099");
            JavaProcess node = new JavaProcess("node", "paybridge.PaybridgeMain", List.of("-Xmx384m", "-XX:+UseSerialGC"),
                    env, runDir, runDir.resolve("node.log"), "http://127.0.0.1:" + management + "/observe/health");
            try {
                node.start(Duration.ofSeconds(90));
                HttpResponse<String> charged = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                                + "/api/payments")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(charge("crash-1"), StandardCharsets.UTF_8))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(JSON.readTree(charged.body()).path("status").asText()).as(charged.body()).isEqualTo("PAID");
                // the send is on the wire, unanswered: kill -9 now
                await().atMost(Duration.ofSeconds(20)).until(() -> !ids.isEmpty());
                node.kill();
                String eventId = ids.get(0);

                answer.set(true);
                node.start(Duration.ofSeconds(90));
                await().atMost(Duration.ofSeconds(60)).until(() -> "DELIVERED".equals(delivery(http, eventId).path("status").asText()));
                JsonNode delivery = delivery(http, eventId);
                assertThat(delivery.path("attempts").asInt()).isEqualTo(2);
                assertThat(delivery.path("lastStatus").asText()).isEqualTo("HTTP 204");
                assertThat(ids).containsOnly(eventId).hasSize(2);
            } finally {
                node.kill();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode delivery(int http, String eventId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/events/"
                + eventId)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("deliveries").path(0);
    }

    private static String charge(String paymentId) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": 3000,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "홍길동"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"}}"""
                .formatted(paymentId);
    }
}
