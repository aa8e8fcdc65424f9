package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** iamport tokens and auth, the settings that change the simulator's behaviour, and its counters. */
class IamportAuthAndSettingsTest extends IamportTestSupport {

    private static final Map<String, String> CREDENTIALS = Map.of("imp_key", "sandbox-imp-key", "imp_secret", "sandbox-imp-secret");
    private static final String UNAUTHORIZED = "{\"code\":-1,\"message\":\"Unauthorized\",\"response\":null}";

    @Test
    void getTokenIssuesA40HexTokenFor30MinutesAndReturnsTheSameOneAgain() {
        Answer first = postJson("/users/getToken", null, CREDENTIALS);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(first.code()).isZero();
        assertThat(first.body().get("message").isNull()).isTrue();
        JsonNode r = first.response();
        assertThat(r.get("access_token").asText()).matches("[0-9a-f]{40}");
        long now = System.currentTimeMillis() / 1000;
        assertThat(r.get("now").asLong()).isBetween(now - 5, now + 1);
        assertThat(r.get("expired_at").asLong() - r.get("now").asLong()).isEqualTo(1800);

        Answer second = postForm("/users/getToken", null, CREDENTIALS); // form body works too
        assertThat(second.response().get("access_token").asText()).isEqualTo(r.get("access_token").asText());
        assertThat(second.response().get("expired_at").asLong()).isEqualTo(r.get("expired_at").asLong());
        assertThat(stats().get("tokensIssued").asLong()).isEqualTo(1);
    }

    @Test
    void wrongCredentialsAre401() {
        Answer a = postJson("/users/getToken", null, Map.of("imp_key", "sandbox-imp-key", "imp_secret", "wrong"));
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.code()).isEqualTo(-1);
        assertThat(a.response().isNull()).isTrue();
        assertThat(postJson("/users/getToken", null, Map.of()).status()).isEqualTo(401);
        assertThat(stats().get("tokensIssued").asLong()).isZero();
    }

    @Test
    void everyApiCallNeedsAValidToken() {
        Answer missing = get("/payments/find/x", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(missing.body().toString()).isEqualTo(UNAUTHORIZED);
        Answer unknown = postJson("/subscribe/payments/onetime", "0".repeat(40), onetime("order-noauth", 1000));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body().toString()).isEqualTo(UNAUTHORIZED);
        assertThat(postJson("/payments/cancel", null, Map.of("imp_uid", "x")).status()).isEqualTo(401);
        assertThat(postJson("/subscribe/payments/again", null, Map.of()).status()).isEqualTo(401);

        // the raw token, without "Bearer ", is accepted too
        String token = token();
        Answer raw = send(request("/payments/find/x", null, Duration.ofSeconds(5))
                .header("Authorization", token).GET().build());
        assertThat(raw.status()).isEqualTo(404);
        assertThat(get("/payments/find/x", token).status()).isEqualTo(404);
        assertThat(stats().get("charges").asLong()).isZero();
    }

    @Test
    void expireTokensControlMakesTokensExpiredAndANewOneIsIssued() {
        String token = token();
        assertThat(get("/payments/find/x", token).status()).isEqualTo(404);
        assertThat(postJson("/_control/expire-tokens", null, Map.of()).code()).isZero();
        assertThat(get("/payments/find/x", token).body().toString()).isEqualTo(UNAUTHORIZED);
        String renewed = token();
        assertThat(renewed).isNotEqualTo(token);
        assertThat(get("/payments/find/x", renewed).status()).isEqualTo(404);
        assertThat(stats().get("tokensIssued").asLong()).isEqualTo(2);
    }

    @Test
    void tokensExpireAfterTheirTtlAndAreExtendedWhenAskedForNearExpiry() {
        start(settings().iamportTokenTtl(Duration.ofSeconds(1)).build());
        JsonNode first = postJson("/users/getToken", null, CREDENTIALS).response();
        assertThat(first.get("expired_at").asLong() - first.get("now").asLong()).isEqualTo(1);
        String token = first.get("access_token").asText();
        await().atMost(Duration.ofSeconds(3)).until(() -> get("/payments/find/x", token).status() == 401);
        JsonNode renewed = postJson("/users/getToken", null, CREDENTIALS).response();
        assertThat(renewed.get("access_token").asText()).isNotEqualTo(token);

        // under a minute left: the same token comes back, 5 minutes longer
        JsonNode extended = postJson("/users/getToken", null, CREDENTIALS).response();
        assertThat(extended.get("access_token").asText()).isEqualTo(renewed.get("access_token").asText());
        assertThat(extended.get("expired_at").asLong()).isEqualTo(renewed.get("expired_at").asLong() + 300);
        assertThat(get("/payments/find/x", extended.get("access_token").asText()).status()).isEqualTo(404);
    }

    @Test
    void latencyDelaysEveryAnswer() {
        start(settings().latency(Duration.ofMillis(300)).build());
        long started = System.nanoTime();
        Answer a = postJson("/users/getToken", null, CREDENTIALS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(a.code()).isZero();
        started = System.nanoTime();
        assertThat(get("/payments/find/x", null).status()).isEqualTo(401);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void webhooksCanBeFormUrlEncoded() {
        start(settings().iamportWebhookContentType(FORM).steppayWebhookContentType("application/json").build());
        Answer a = postJson("/subscribe/payments/onetime", token(), onetime("order-form-wh", 1000));
        String impUid = a.response().get("imp_uid").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> webhooksFor("order-form-wh").size() == 1);
        Webhook w = webhooksFor("order-form-wh").get(0);
        assertThat(w.contentType()).startsWith(FORM);
        assertThat(w.body()).isEqualTo("imp_uid=" + impUid + "&merchant_uid=order-form-wh&status=paid");
    }

    @Test
    void statsCountVendorRequestsAndChargesAndTheJavaGetterAgrees() {
        String token = token();
        postJson("/subscribe/payments/onetime", token, onetime("order-s1", 1000));
        postJson("/subscribe/payments/onetime", token, onetime("order-s2", TestAmounts.DECLINE));
        postJson("/subscribe/payments/onetime", token, onetime("order-s1", 1000)); // duplicate: no charge
        postJson("/subscribe/payments/onetime", token, onetime("order-s3", TestAmounts.SERVER_ERROR)); // no charge
        String impUid = get("/payments/find/order-s1", token).response().get("imp_uid").asText();
        postJson("/payments/cancel", token, Map.of("imp_uid", impUid));
        get("/payments/find/x", null); // unauthorized, still a request

        JsonNode s = stats();
        assertThat(s.get("charges").asLong()).isEqualTo(2);
        assertThat(s.get("paid").asLong()).isEqualTo(1);
        assertThat(s.get("failed").asLong()).isEqualTo(1);
        assertThat(s.get("cancels").asLong()).isEqualTo(1);
        assertThat(s.get("tokensIssued").asLong()).isEqualTo(1);
        assertThat(s.get("requests").asLong()).isEqualTo(8);
        var javaStats = sandbox.iamport().stats();
        assertThat(javaStats.charges()).isEqualTo(2);
        assertThat(javaStats.requests()).isEqualTo(8);
    }

    @Test
    void unknownPathsAndOversizedBodiesGetTheEnvelope() {
        String token = token();
        Answer unknown = get("/no/such/thing", token);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo(-1);
        Answer big = postRaw("/subscribe/payments/onetime", token, "application/json",
                "{\"name\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.code()).isEqualTo(-1);
    }
}
