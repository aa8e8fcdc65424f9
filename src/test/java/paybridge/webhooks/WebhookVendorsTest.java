package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.sandbox.SandboxServer;
import paybridge.sandbox.SandboxSettings;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * {@code /webhooks/{vendor}} serves every vendor a connector here serves: a name no connector serves is
 * a 404 that stores nothing, never another vendor's behaviour; a delivery of a vendor not enabled
 * (stored while it was, or since) waits, PENDING, while it is not, and is verified once it is enabled again.
 */
class WebhookVendorsTest {
    static final String STEPPAY_PAYMENT = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"" + STEPPAY_KEY + "\"}";

    @Test
    void aPathNamingNoVendorIs404AndNothingIsStored() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"))) {
            WebhookMetrics metrics = app.lookup("webhookMetrics", WebhookMetrics.class);
            // a "vendor" request header must not stand in for the path's (platform-http merges the two)
            Response r = deliverRaw(app, "nosuchvendor", JSON, STEPPAY_PAYMENT, Map.of("Vendor", "steppay"));
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(inbox(app, "")).isEmpty();
            assertThat(metrics.snapshot()).containsEntry("unknownVendor", 1L).containsEntry("stored", 0L);
        }
    }

    /**
     * A vendor with a connector here but not enabled: its deliveries are checked by its own rules
     * (its signature) and stored, then wait PENDING until it is enabled (nothing is lost: a console
     * cancel of a PAID payment may be among them); only an id no connector serves is a 404.
     */
    @Test
    void aDeliveryOfAVendorNotEnabledIsCheckedByItsRulesStoredAndWaitsPending() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.vendors", "iamport",
                "paybridge.steppay.webhook-secret", WebhookIntakeTest.SECRET,
                "paybridge.webhook.disabled-vendor-retry", "PT0.2S",
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"))) {
            WebhookMetrics metrics = app.lookup("webhookMetrics", WebhookMetrics.class);
            // Steppay's own signature rule still applies: unsigned is refused and not stored
            assertThat(deliverRaw(app, "steppay", JSON, STEPPAY_PAYMENT, Map.of()).status()).isEqualTo(401);
            assertThat(inbox(app, "")).isEmpty();

            Response r = deliverRaw(app, "steppay", JSON, STEPPAY_PAYMENT, WebhookIntakeTest.signed(STEPPAY_PAYMENT));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            String inboxId = r.json().path("inboxId").asText();
            assertThat(inboxId).isNotBlank();
            InboxEntry stored = app.lookup("webhookInbox", WebhookInbox.class).find(inboxId).orElseThrow();
            assertThat(stored.vendor()).isEqualTo("steppay");
            assertThat(stored.body()).isEqualTo(STEPPAY_PAYMENT);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode waiting = entry(app, inboxId);
                assertThat(waiting.path("status").asText()).isEqualTo("PENDING");
                assertThat(waiting.path("reason").asText()).contains("steppay is not enabled here");
            });
            assertThat(entry(app, inboxId).path("attempts").asInt()).isZero();
            assertThat(metrics.unknownVendor.get()).isZero();

            // an id no connector serves stays a 404 that stores nothing
            assertThat(deliverRaw(app, "nosuchvendor", JSON, STEPPAY_PAYMENT, Map.of()).status()).isEqualTo(404);
            assertThat(metrics.unknownVendor.get()).isEqualTo(1);
            assertThat(inbox(app, "")).hasSize(1);
            // the enabled one is served, and it is the only vendor the list may be filtered by
            assertThat(deliver(app, "iamport", JSON, fields("imp_uid", "imp_000000000001", "status", "paid")).status())
                    .isEqualTo(200);
            assertThat(app.get("/api/webhooks?vendor=steppay").status()).isEqualTo(400);
            assertThat(app.get("/api/webhooks?vendor=iamport").json().path("entries")).hasSize(1);
        }
    }

    /**
     * Secret headers are never stored whatever is enabled: a vendor's own (Steppay's, with Steppay not
     * enabled) and any header whose name says secret, token or signature.
     */
    @Test
    void secretHeadersAreNeverStoredWhateverIsEnabled() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.vendors", "iamport",
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"))) {
            Response r = deliverRaw(app, "iamport", JSON, body(JSON, fields("imp_uid", "imp_000000000001", "status", "paid")),
                    Map.of("Secret-Token", "a-steppay-api-token", "Steppay-Signature", "timestamp=1,key=c2lnbmF0dXJl",
                            "X-Some-Token", "some-bearer-token", "X-Request-Id", "req-1"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            // as stored (the raw row): the names are kept (the delivery had them), the values are not
            String stored = app.lookup("webhookInbox", WebhookInbox.class).find(r.json().path("inboxId").asText())
                    .orElseThrow().headers();
            assertThat(stored).doesNotContain("a-steppay-api-token").doesNotContain("c2lnbmF0dXJl")
                    .doesNotContain("some-bearer-token").contains("req-1");
        }
    }

    @Test
    void aDeliveryOfAVendorDisabledSinceWaitsPendingAndIsVerifiedOnceItIsEnabledAgain() throws Exception {
        Path dir = Files.createTempDirectory("pb-webhook-disabled-vendor");
        SandboxServer sandbox = new SandboxServer(new SandboxSettings("127.0.0.1", 0, Duration.ZERO, Duration.ofSeconds(30),
                "http://127.0.0.1:1/webhooks", JSON, JSON, "sandbox-imp-key", "sandbox-imp-secret",
                Duration.ofMinutes(30), "sandbox-steppay-token", "full"));
        sandbox.start();
        try {
            Map<String, Object> o = new HashMap<>();
            o.put("paybridge.db.url", "jdbc:h2:file:" + dir.resolve("paybridge").toAbsolutePath());
            o.put("paybridge.sandbox.enabled", "false");
            o.put("paybridge.sandbox.port", String.valueOf(sandbox.port()));
            o.put("paybridge.webhook.poll-interval", "PT0.2S");
            o.put("paybridge.webhook.disabled-vendor-retry", "PT0.2S");
            o.put("paybridge.webhook.processing-enabled", "false");
            String id = "wv-disabled";
            String inboxId;
            try (RunningPaybridge first = RunningPaybridge.start(o)) {
                String idKey = post(first, "http://127.0.0.1:" + sandbox.port() + "/sandbox/steppay/_control/first-payment",
                        "{\"partnerOrderId\": \"" + id + "\", \"amount\": 3700, \"itemName\": \"Plan\"}").json()
                        .path("idKey").asText();
                Response r = deliver(first, "steppay", JSON, fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey));
                assertThat(r.status()).isEqualTo(200);
                inboxId = r.json().path("inboxId").asText();
            }

            // Steppay disabled: the stored delivery is not Steppay's lookup nor anyone else's, it waits
            o.put("paybridge.vendors", "iamport");
            o.put("paybridge.webhook.processing-enabled", "true");
            try (LogCapture logs = new LogCapture(); RunningPaybridge second = RunningPaybridge.start(o)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> logs.text().lines()
                        .filter(l -> l.startsWith("WARN") && l.contains(inboxId) && l.contains("left PENDING")).count() >= 2);
                JsonNode waiting = entry(second, inboxId);
                assertThat(waiting.path("status").asText()).isEqualTo("PENDING");
                assertThat(waiting.path("reason").asText()).contains("steppay is not enabled here");
                assertThat(waiting.path("attempts").asInt()).isZero(); // waiting is not a verification attempt
                assertThat(waiting.path("flagged").asBoolean()).isFalse();
                assertThat(ledger(second, id)).isEmpty();
            }

            o.put("paybridge.vendors", "steppay,iamport");
            try (RunningPaybridge third = RunningPaybridge.start(o)) {
                JsonNode done = awaitSettled(third, inboxId);
                assertThat(done.path("status").asText()).isEqualTo("PROCESSED");
                assertThat(done.path("paymentId").asText()).isEqualTo(id);
                assertThat(types(ledger(third, id))).isEqualTo("PAID:3700");
            }
        } finally {
            sandbox.close();
        }
    }
}
