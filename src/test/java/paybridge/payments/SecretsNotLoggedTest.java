package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;

/**
 * Every charge and refund flow with logging at DEBUG: no card number (in any spelling), birth date,
 * card password, vendor secret or access token reaches the log.
 */
class SecretsNotLoggedTest {

    @Test
    void cardDataSecretsAndTokensNeverReachTheLog() {
        String log;
        String token;
        try (LogCapture capture = new LogCapture(); RunningPaybridge app = RunningPaybridge.start()) {
            String keyIn = Commands.keyIn("s-log-1", 3000, true).replace("\"pwd2digit\": \"12\"", "\"pwd2digit\": \"87\"")
                    .replace("900101", "861231");
            assertThat(app.postJson("/api/payments", keyIn).status()).isEqualTo(200);
            app.postJson("/api/payments", keyIn.replace("s-log-1", "s-log-2").replace("3000", "4001"));
            app.postJson("/api/payments", keyIn.replace("s-log-1", "s-log-3").replace("\"amount\": 3000", "\"amount\": \"x\""));
            app.postJson("/api/payments", keyIn.replace("s-log-1", "s-log-1").replace("3000", "3001"));
            app.postJson("/api/payments", Commands.billingKey("s-log-4", "steppay", 5000, Commands.STEPPAY_KEY));
            app.postJson("/api/refunds", Commands.refund("s-rf-1", "s-log-1", 1000L));
            app.postJson("/api/refunds", Commands.refund("s-rf-2", "s-log-4", null));
            // a subscription and a billing run (its charge goes through the same dispatch), a
            // webhook delivered by hand, and the sandbox's own webhooks for every charge above
            app.postJson("/api/subscriptions", """
                    {"subscriptionId": "s-sub-1", "vendor": "steppay", "billingKey": "%s",
                     "customer": {"id": "user-42"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                     "nextBillingAt": "2026-01-01T00:00:00+09:00"}""".formatted(Commands.STEPPAY_KEY));
            app.postJson("/api/billing-runs", "{\"asOf\": \"2026-01-02T00:00:00+09:00\"}");
            app.postJson("/webhooks/steppay", "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \""
                    + Commands.STEPPAY_KEY + "\"}");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                    app.get("/api/ledger?subscriptionId=s-sub-1").json().path("entries").size() > 0);
            token = app.postJson(app.sandboxUrl() + "/iamport/users/getToken",
                    "{\"imp_key\":\"sandbox-imp-key\",\"imp_secret\":\"sandbox-imp-secret\"}")
                    .json().path("response").path("access_token").asText();
            log = capture.text();
        }
        assertThat(token).hasSize(40);
        assertThat(log).as("the capture saw the flows").contains("s-log-1").contains("DEBUG");
        assertThat(log).doesNotContain("4111222233334444", "4111-2222-3333-4444", "4111 2222", "2222-3333", "22223333",
                "861231", "\"87\"", "pwd_2digit=87", "sandbox-imp-secret", "sandbox-steppay-token", token);
        // a billing key is a credential to charge the customer: vendor request lines (its URL) are not logged
        assertThat(log).doesNotContain(Commands.STEPPAY_KEY);
    }
}
