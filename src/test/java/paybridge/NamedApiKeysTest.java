package paybridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * PAYBRIDGE_API_KEYS: several named keys valid at once (rotation without downtime) beside the unnamed
 * PAYBRIDGE_API_KEY, each call recorded under its key's name; a key given as its SHA-256 digest; a
 * malformed value stops start-up naming the setting, never the key.
 */
class NamedApiKeysTest {
    private static final String UNNAMED = "unnamed-key-0001";
    private static final String SHOP_OLD = "shop-key-old-0001";
    private static final String SHOP_NEW = "shop-key-new-0002";
    private static final String OPS = "ops-key-hashed-0003";
    private static RunningPaybridge app;

    @BeforeAll
    static void start() throws Exception {
        String opsDigest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(OPS.getBytes(StandardCharsets.UTF_8)));
        app = RunningPaybridge.start(Map.of(
                "paybridge.api.key", UNNAMED,
                "paybridge.api.keys", "shop:" + SHOP_OLD + ", shop-2026:" + SHOP_NEW + ",ops:sha256:" + opsDigest));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Response call(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return app.send(b);
    }

    private static String subscription(String id) {
        return """
                {"subscriptionId": "%s", "vendor": "steppay", "billingKey": "bk-%s",
                 "customer": {"id": "user-%s"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "2099-01-01T00:00:00+09:00"}""".formatted(id, id, id);
    }

    @Test
    void everyConfiguredKeyIsValidAtOnceAndEachCallIsRecordedUnderItsName() {
        // rotation: the old and the new key of the same caller both work while the caller moves over
        assertThat(call("POST", "/api/subscriptions", SHOP_OLD, subscription("nk-old")).status()).isEqualTo(201);
        assertThat(call("POST", "/api/subscriptions", SHOP_NEW, subscription("nk-new")).status()).isEqualTo(201);
        assertThat(call("POST", "/api/subscriptions", UNNAMED, subscription("nk-unnamed")).status()).isEqualTo(201);
        // a key configured only as its digest
        assertThat(call("POST", "/api/subscriptions", OPS, subscription("nk-ops")).status()).isEqualTo(201);
        // a digest itself is not a key, nor is a name, nor a key with something appended
        for (String wrong : new String[] {"shop", SHOP_OLD + "x", "sha256:" + OPS, "shop:" + SHOP_OLD}) {
            Response r = call("POST", "/api/subscriptions", wrong, subscription("nk-wrong"));
            assertThat(r.status()).as(wrong).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(call("GET", "/api/subscriptions/nk-wrong", SHOP_NEW, null).status()).isEqualTo(404);

        JsonNode entries = call("GET", "/api/audit?limit=1000", OPS, null).json().path("entries");
        assertThat(actorOf(entries, "nk-old")).isEqualTo("shop");
        assertThat(actorOf(entries, "nk-new")).isEqualTo("shop-2026");
        assertThat(actorOf(entries, "nk-unnamed")).isEqualTo("default");
        assertThat(actorOf(entries, "nk-ops")).isEqualTo("ops");
        assertThat(entries.toString()).doesNotContain("nk-wrong");
    }

    private static String actorOf(JsonNode entries, String target) {
        for (JsonNode e : entries) {
            if (target.equals(e.path("target").asText()) && "subscription.create".equals(e.path("action").asText())) {
                return e.path("actor").asText();
            }
        }
        throw new AssertionError("no subscription.create of " + target + " in " + entries);
    }

    @Test
    void aMalformedValueStopsStartUpNamingTheSettingButNeverTheKey() {
        String secret = "s3cret-never-printed";
        assertThatThrownBy(() -> RunningPaybridge.start(Map.of("paybridge.api.keys", "shop:" + secret + ",:" + secret + "2")).close())
                .hasStackTraceContaining("PAYBRIDGE_API_KEYS")
                .hasStackTraceContaining("entry 2 has no name")
                .satisfies(e -> assertThat(stackOf(e)).doesNotContain(secret));
    }

    @Test
    void aReservedNameStopsStartUpNamingTheSettingButNeverTheKey() {
        String secret = "s3cret-never-printed-2";
        for (String name : new String[] {"anonymous", "default"}) {
            assertThatThrownBy(() -> RunningPaybridge.start(Map.of("paybridge.api.keys", name + ":" + secret)).close())
                    .as(name)
                    .hasStackTraceContaining("PAYBRIDGE_API_KEYS")
                    .hasStackTraceContaining("the name '" + name + "' is reserved")
                    .satisfies(e -> assertThat(stackOf(e)).doesNotContain(secret));
        }
    }

    private static String stackOf(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
