package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import paybridge.sandbox.SandboxServer;
import paybridge.sandbox.SandboxSettings;
import paybridge.testing.FreePorts;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Lookups that fail and recover; processing stopped after the 200 and resumed after a restart. */
class WebhookRecoveryTest {

    /** A vendor in front of the sandbox that can be switched down (503) and up again. */
    static final class Switchable implements AutoCloseable {
        final AtomicBoolean up = new AtomicBoolean(false);
        final HttpServer server;
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Switchable(int port, String target) throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                byte[] answer;
                int status;
                String type = "application/json";
                if (!up.get()) {
                    status = 503;
                    answer = "{\"code\": -1, \"message\": \"down\", \"response\": null}".getBytes();
                } else {
                    try {
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                                .method(exchange.getRequestMethod(),
                                        HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes()));
                        exchange.getRequestHeaders().forEach((k, v) -> {
                            if (!Set.of("host", "content-length", "connection").contains(k.toLowerCase())) {
                                v.forEach(x -> b.header(k, x));
                            }
                        });
                        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                        status = r.statusCode();
                        answer = r.body();
                        type = r.headers().firstValue("Content-Type").orElse(type);
                    } catch (Exception e) {
                        status = 502;
                        answer = new byte[0];
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", type);
                exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            });
            server.start();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aLookupThatFailsStaysPendingWithAttemptsThenSucceedsWhenTheVendorIsBack() throws Exception {
        int proxyPort = FreePorts.next();
        Map<String, Object> o = new HashMap<>();
        o.put("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks");
        o.put("paybridge.iamport.base-url", "http://127.0.0.1:" + proxyPort + "/sandbox/iamport");
        o.put("paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S");
        o.put("paybridge.webhook.poll-interval", "PT0.2S");
        try (RunningPaybridge app = RunningPaybridge.start(o);
             Switchable vendor = new Switchable(proxyPort, "http://127.0.0.1:" + FreePortsOf.sandbox(app))) {
            WebhookVerificationTest.app = app;
            String id = "wr-down";
            JsonNode paid = WebhookVerificationTest.iamportDirect("/subscribe/payments/onetime", """
                    {"merchant_uid": "%s", "amount": 6000, "card_number": "4111-2222-3333-4444", "expiry": "2028-01",
                     "birth": "900101", "pwd_2digit": "12", "name": "Plan"}""".formatted(id));
            String impUid = paid.path("imp_uid").asText();

            Response r = deliver(app, "iamport", JSON, fields("imp_uid", impUid, "merchant_uid", id, "status", "paid"));
            assertThat(r.status()).isEqualTo(200); // stored and answered while the vendor is down
            String inboxId = r.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(15)).until(() -> entry(app, inboxId).path("attempts").asInt() >= 2);
            JsonNode pending = entry(app, inboxId);
            assertThat(pending.path("status").asText()).isIn("PENDING", "RECEIVED");
            assertThat(entry(app, inboxId).path("reason").asText()).contains("vendor lookup failed");
            assertThat(ledger(app, id)).isEmpty();

            vendor.up.set(true);
            JsonNode done = awaitSettled(app, inboxId);
            assertThat(done.path("status").asText()).isEqualTo("PROCESSED");
            assertThat(types(ledger(app, id))).isEqualTo("PAID:6000");
        }
    }

    @Test
    void afterTheLastRetryTheEntryIsFlaggedPendingAndAReplayFinishesIt() throws Exception {
        int proxyPort = FreePorts.next();
        Map<String, Object> o = new HashMap<>();
        o.put("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks");
        o.put("paybridge.steppay.base-url", "http://127.0.0.1:" + proxyPort + "/sandbox/steppay");
        o.put("paybridge.webhook.retry-delays", "PT0.2S");
        o.put("paybridge.webhook.poll-interval", "PT0.2S");
        try (RunningPaybridge app = RunningPaybridge.start(o);
             Switchable vendor = new Switchable(proxyPort, "http://127.0.0.1:" + FreePortsOf.sandbox(app))) {
            WebhookVerificationTest.app = app;
            String id = "wr-flag";
            String idKey = WebhookVerificationTest.firstPayment(id, 4500).path("idKey").asText();
            Response r = deliver(app, "steppay", JSON, fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey));
            String inboxId = r.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> entry(app, inboxId).path("flagged").asBoolean());
            JsonNode flagged = entry(app, inboxId);
            assertThat(flagged.path("status").asText()).isEqualTo("PENDING");
            assertThat(flagged.path("attempts").asInt()).isEqualTo(2);
            assertThat(flagged.path("nextAttemptAt").isNull()).isTrue();
            assertThat(app.lookup("webhookMetrics", WebhookMetrics.class).flagged.get()).isEqualTo(1);

            // a replay while the vendor is still down: the lookup's failure is the processing's, not the API's
            Response stillDown = post(app, app.baseUrl() + "/api/webhooks/" + inboxId + "/replay", null);
            assertThat(stillDown.status()).isEqualTo(200);
            assertThat(stillDown.json().path("status").asText()).isEqualTo("PENDING");
            assertThat(entry(app, inboxId).path("reason").asText()).contains("vendor lookup failed");

            vendor.up.set(true);
            Response replay = post(app, app.baseUrl() + "/api/webhooks/" + inboxId + "/replay", null);
            assertThat(replay.status()).isEqualTo(200);
            assertThat(replay.json().path("status").asText()).isEqualTo("PROCESSED");
            assertThat(entry(app, inboxId).path("flagged").asBoolean()).isFalse();
            assertThat(types(ledger(app, id))).isEqualTo("PAID:4500");
        }
    }

    @Test
    void processingStoppedAfterThe200ResumesAfterARestart() throws Exception {
        Path dir = Files.createTempDirectory("pb-webhook-restart");
        int httpPort = FreePorts.next();
        SandboxServer sandbox = new SandboxServer(SandboxSettings.builder()
                .webhookBaseUrl("http://127.0.0.1:" + httpPort + "/webhooks")
                .iamportWebhookContentType(JSON)
                .steppayWebhookContentType(FORM)
                .build());
        sandbox.start();
        try {
            Map<String, Object> o = new HashMap<>();
            o.put("paybridge.db.url", "jdbc:h2:file:" + dir.resolve("paybridge").toAbsolutePath());
            o.put("paybridge.sandbox.enabled", "false");
            o.put("paybridge.sandbox.port", String.valueOf(sandbox.port()));
            o.put("paybridge.http.port", String.valueOf(httpPort));
            o.put("camel.server.port", String.valueOf(httpPort));
            o.put("paybridge.webhook.processing-enabled", "false");
            String id = "wr-restart";
            String inboxId;
            try (RunningPaybridge first = startOn(o)) {
                // the customer pays in the browser; Steppay's (form) webhook is stored and answered, then nothing
                Response r = post(first, "http://127.0.0.1:" + sandbox.port() + "/sandbox/steppay/_control/first-payment",
                        "{\"partnerOrderId\": \"" + id + "\", \"amount\": 3300, \"itemName\": \"Plan\"}");
                assertThat(r.status()).isEqualTo(200);
                String base = "http://127.0.0.1:" + httpPort;
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        first.get(base + "/api/webhooks?vendor=steppay").json().path("entries").size() > 0);
                JsonNode stored = first.get(base + "/api/webhooks?vendor=steppay").json().path("entries").get(0);
                inboxId = stored.path("inboxId").asText();
                assertThat(stored.path("status").asText()).isEqualTo("RECEIVED");
                assertThat(first.get(base + "/api/ledger?paymentId=" + id).json().path("entries").size()).isZero();
            }
            o.put("paybridge.webhook.processing-enabled", "true");
            try (RunningPaybridge second = startOn(o)) {
                String base = "http://127.0.0.1:" + httpPort;
                await().atMost(Duration.ofSeconds(20)).until(() -> "PROCESSED".equals(
                        second.get(base + "/api/webhooks?vendor=steppay").json().path("entries").get(0).path("status").asText()));
                JsonNode ledger = second.get(base + "/api/ledger?paymentId=" + id).json().path("entries");
                assertThat(ledger.size()).isEqualTo(1);
                assertThat(ledger.get(0).path("amount").asLong()).isEqualTo(3300);
                assertThat(second.get(base + "/api/webhooks?vendor=steppay").json().path("entries").get(0).path("inboxId")
                        .asText()).isEqualTo(inboxId);
            }
        } finally {
            sandbox.close();
        }
    }

    private static RunningPaybridge startOn(Map<String, Object> o) {
        return RunningPaybridge.start(o);
    }

    /** The sandbox's base address of a running app. */
    static final class FreePortsOf {
        static String sandbox(RunningPaybridge app) {
            return String.valueOf(app.sandboxPort);
        }
    }
}
