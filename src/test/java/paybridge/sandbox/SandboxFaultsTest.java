package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's random vendor faults at probability 1, so each is certain: "lose" charges and then
 * closes the connection unanswered, "fail" answers 503 and charges nothing, "hang" charges only
 * after its delay, "slow" answers late but answers; the test hooks ({@code _records}) are never
 * faulted, and turning faults off restores normal answers. Also the webhook round-robin over
 * several nodes' URLs.
 */
class SandboxFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Faults.Settings only(String which) {
        return new Faults.Settings(which.equals("slow") ? 1 : 0, which.equals("fail") ? 1 : 0,
                which.equals("hang") ? 1 : 0, which.equals("lose") ? 1 : 0,
                Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofSeconds(3));
    }

    private SandboxServer start(String fault) {
        SandboxServer sandbox = new SandboxServer(SandboxSettings.builder().webhookBaseUrl("").build(), only(fault));
        sandbox.start();
        return sandbox;
    }

    private String base(SandboxServer s) {
        return "http://127.0.0.1:" + s.port() + "/sandbox";
    }

    private HttpResponse<String> post(String url, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String url) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private String token(SandboxServer s) throws Exception {
        return JSON.readTree(post(base(s) + "/iamport/users/getToken",
                "{\"imp_key\":\"sandbox-imp-key\",\"imp_secret\":\"sandbox-imp-secret\"}", null).body())
                .get("response").get("access_token").asText();
    }

    private static String charge(String merchantUid) {
        return "{\"merchant_uid\":\"" + merchantUid + "\",\"amount\":1000,\"card_number\":\"1234-1234-1234-1234\","
                + "\"expiry\":\"2028-01\",\"name\":\"x\"}";
    }

    private void withFaults(SandboxServer s, boolean on) throws Exception {
        post(base(s) + "/_faults/" + (on ? "on" : "off"), "{}", null);
    }

    @Test
    void answersInHttp11EvenToAClientAskingForAnUpgrade() throws Exception {
        // this test's client is the JDK default, which asks every new connection for an h2c upgrade
        assertThat(http.version()).isEqualTo(HttpClient.Version.HTTP_2);
        try (SandboxServer s = start("none")) {
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(base(s) + "/iamport/_records")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        }
    }

    @Test
    void aLostAnswerIsChargedButNeverAnswered() throws Exception {
        try (SandboxServer s = start("lose")) {
            withFaults(s, false);
            String token = token(s);
            withFaults(s, true);
            assertThatThrownBy(() -> post(base(s) + "/iamport/subscribe/payments/onetime", charge("lost-1"), token))
                    .isInstanceOf(IOException.class);
            JsonNode records = get(base(s) + "/iamport/_records").get("response");
            assertThat(records).hasSize(1);
            assertThat(records.get(0).get("merchant_uid").asText()).isEqualTo("lost-1");
            assertThat(records.get(0).get("status").asText()).isEqualTo("paid");
            assertThat(get(base(s) + "/_faults").get("lose").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aFailureIs503AndChargesNothing() throws Exception {
        try (SandboxServer s = start("fail")) {
            HttpResponse<String> answer = post(base(s) + "/steppay/api/payment/billing", "{}", null);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(get(base(s) + "/steppay/_records").get("records")).hasSize(1); // the seeded payment only
            withFaults(s, false);
            assertThat(post(base(s) + "/iamport/users/getToken",
                    "{\"imp_key\":\"sandbox-imp-key\",\"imp_secret\":\"sandbox-imp-secret\"}", null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aHungChargeIsMadeLateAndSlowOnesAreAnswered() throws Exception {
        try (SandboxServer s = start("hang")) {
            withFaults(s, false);
            String token = token(s);
            withFaults(s, true);
            var pending = http.sendAsync(HttpRequest.newBuilder(URI.create(base(s) + "/iamport/subscribe/payments/onetime"))
                    .header("Content-Type", "application/json").header("Authorization", token)
                    .POST(HttpRequest.BodyPublishers.ofString(charge("hung-1"))).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(300);
            assertThat(get(base(s) + "/iamport/_records").get("response")).isEmpty(); // not yet processed
            assertThat(JSON.readTree(pending.get().body()).get("response").get("status").asText()).isEqualTo("paid");
        }
        try (SandboxServer s = start("slow")) {
            assertThat(post(base(s) + "/iamport/users/getToken",
                    "{\"imp_key\":\"sandbox-imp-key\",\"imp_secret\":\"sandbox-imp-secret\"}", null).statusCode())
                    .isEqualTo(200);
            assertThat(get(base(s) + "/_faults").get("slow").asLong()).isEqualTo(1);
        }
    }
}
