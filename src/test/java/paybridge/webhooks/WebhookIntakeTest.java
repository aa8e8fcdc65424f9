package paybridge.webhooks;

import paybridge.connector.steppay.SteppaySignature;
import paybridge.connector.IpAllowList;
import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.webhooks.WebhookTestKit.*;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Intake: raw storage, size limit, unreadable bodies, the IP allow list and the Steppay signature. */
class WebhookIntakeTest {
    static final String SECRET = "whsec-intake-test";
    static final String NEXT_SECRET = "whsec-intake-next";
    static RunningPaybridge app;
    static WebhookMetrics metrics;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                // a rotation under way: the current secret and the next one, each accepted
                "paybridge.steppay.webhook-secret", SECRET + ", " + NEXT_SECRET,
                // loopback is not in the iamport list: every iamport delivery here is refused
                "paybridge.iamport.webhook-ips", "52.78.100.19, 10.0.0.0/8, 2001:db8::/32",
                "paybridge.steppay.webhook-ips", "127.0.0.1/32, ::1"));
        metrics = app.lookup("webhookMetrics", WebhookMetrics.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static Map<String, String> signed(String body) {
        long ts = System.currentTimeMillis() / 1000;
        return Map.of(SteppaySignature.HEADER, new SteppaySignature(SECRET).sign(ts, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSignedDeliveryIsStoredRawWithItsSourceAndHeadersButTheSignatureIsNotListed() {
        String body = "webHookType=PAYMENT&orderId=1&idKey=1605793241347Nope0x0000000&extra=%ED%99%8D%2Bx";
        Response r = deliverRaw(app, "steppay", FORM, body, Map.of("X-Forwarded-For", "52.78.100.19",
                SteppaySignature.HEADER, signed(body).get(SteppaySignature.HEADER), "Authorization", "Bearer abc"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        String inboxId = r.json().path("inboxId").asText();
        JsonNode e = entry(app, inboxId);
        assertThat(e.path("body").asText()).isEqualTo(body); // byte for byte, not re-encoded
        assertThat(e.path("sourceIp").asText()).isEqualTo("127.0.0.1"); // the connection, not X-Forwarded-For
        assertThat(e.path("headers").path("x-forwarded-for").asText()).isEqualTo("52.78.100.19");
        assertThat(e.path("headers").has("steppay-signature")).isFalse();
        assertThat(e.path("headers").has("authorization")).isFalse();
        assertThat(e.path("receivedAt").asText()).isNotBlank();
    }

    @Test
    void theSignatureAndTheVendorsSecretHeadersAreNeverStoredNorShown() {
        String body = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"16057932413479698c8vqQG0kMix9\"}";
        String signature = signed(body).get(SteppaySignature.HEADER);
        Response r = deliverRaw(app, "steppay", JSON, body, Map.of(SteppaySignature.HEADER, signature,
                "Secret-Token", "a-steppay-api-token", "X-Request-Id", "req-1"));
        assertThat(r.status()).isEqualTo(200);
        String inboxId = r.json().path("inboxId").asText();
        // as stored: the names are kept (the delivery had them), the values are not
        String stored = app.lookup("webhookInbox", WebhookInbox.class).find(inboxId).orElseThrow().headers();
        assertThat(stored).doesNotContain(signature).doesNotContain("a-steppay-api-token").contains("req-1");
        JsonNode shown = entry(app, inboxId).path("headers");
        assertThat(shown.has("steppay-signature")).isFalse();
        assertThat(shown.has("secret-token")).isFalse();
        assertThat(shown.path("x-request-id").asText()).isEqualTo("req-1");
    }

    @Test
    void aDeliverySignedWithTheNextSecretOfARotationIsStored() {
        String body = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"16057932413479698c8vqQG0kMix9\"}";
        String signed = new SteppaySignature(NEXT_SECRET).sign(System.currentTimeMillis() / 1000,
                body.getBytes(StandardCharsets.UTF_8));
        Response r = deliverRaw(app, "steppay", JSON, body, Map.of(SteppaySignature.HEADER, signed));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(entry(app, r.json().path("inboxId").asText())).isNotNull();
    }

    @Test
    void missingOrWrongSignatureIs401AndNotStored() {
        String body = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"16057932413479698c8vqQG0kMix9\"}";
        int before = inbox(app, "vendor=steppay").size();
        long refused = metrics.refusedSignature.get();
        try (LogCapture logs = new LogCapture()) {
            assertThat(deliverRaw(app, "steppay", JSON, body, Map.of()).status()).isEqualTo(401);
            String forged = new SteppaySignature("not-the-secret").sign(System.currentTimeMillis() / 1000,
                    body.getBytes(StandardCharsets.UTF_8));
            Response wrong = deliverRaw(app, "steppay", JSON, body, Map.of(SteppaySignature.HEADER, forged));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.contentType()).startsWith("application/problem+json");
            // signed for another body
            assertThat(deliverRaw(app, "steppay", JSON, body, signed(body + " ")).status()).isEqualTo(401);
            assertThat(logs.text()).doesNotContain(forged).doesNotContain(SECRET);
        }
        assertThat(inbox(app, "vendor=steppay")).hasSize(before);
        assertThat(metrics.refusedSignature.get()).isEqualTo(refused + 3);
    }

    @Test
    void aSourceOutsideTheAllowListIs403AndNotStored() {
        long refused = metrics.refusedIp.get();
        Response r = deliver(app, "iamport", JSON, fields("imp_uid", "imp_000000000001", "status", "paid"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(inbox(app, "vendor=iamport")).isEmpty();
        assertThat(metrics.refusedIp.get()).isEqualTo(refused + 1);
    }

    @Test
    void anOversizedBodyIs413AndNotStored() {
        String body = "{\"idKey\": \"" + "x".repeat(70_000) + "\"}";
        int before = inbox(app, "vendor=steppay").size();
        Response r = deliverRaw(app, "steppay", JSON, body, signed(body));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(inbox(app, "vendor=steppay")).hasSize(before);
        assertThat(metrics.refusedTooLarge.get()).isPositive();
    }

    @Test
    void anUnreadableBodyIsStoredAndAnswered400() {
        // content type, body, the field the 400 names; an idKey no Steppay lookup can take (not its characters)
        // is no reference Steppay issues: REJECTED at once, never retried against the vendor
        for (String[] bad : new String[][] {{JSON, "{\"idKey\": ", "body"}, {JSON, "[1, 2]", "body"},
                {JSON, "{\"webHookType\": \"PAYMENT\"}", "idKey"}, {"text/plain", "idKey=1", "body"},
                {JSON, "{\"idKey\": \"1 2\", \"webHookType\": \"PAYMENT\"}", "idKey"},
                {JSON, "{\"idKey\": \"../receipt\", \"webHookType\": \"PAYMENT\"}", "idKey"}}) {
            Response r = deliverRaw(app, "steppay", bad[0], bad[1], signed(bad[1]));
            assertThat(r.status()).as(bad[1]).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").path(0).path("field").asText()).as(bad[1]).isEqualTo(bad[2]);
            String detail = r.json().path("detail").asText();
            String inboxId = detail.substring(detail.lastIndexOf(' ') + 1);
            JsonNode e = entry(app, inboxId);
            assertThat(e).as(detail).isNotNull();
            assertThat(e.path("status").asText()).isEqualTo("REJECTED");
            assertThat(e.path("body").asText()).isEqualTo(bad[1]);
            assertThat(e.path("reason").asText()).startsWith("malformed");
        }
    }

    @Test
    void ipAllowListParsesAddressesAndBlocks() {
        IpAllowList list = IpAllowList.parse("52.78.100.19, 10.0.0.0/8, 2001:db8::/32");
        assertThat(list.allows("52.78.100.19")).isTrue();
        assertThat(list.allows("10.200.3.4")).isTrue();
        assertThat(list.allows("11.0.0.1")).isFalse();
        assertThat(list.allows("2001:db8:1::5")).isTrue();
        assertThat(list.allows("2001:db9::1")).isFalse();
        assertThat(list.allows("::ffff:10.1.1.1")).isTrue();
        assertThat(list.allows("example.com")).isFalse();
        assertThat(IpAllowList.parse("").allows("1.2.3.4")).isTrue();
    }
}
