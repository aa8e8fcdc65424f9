package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.webhooks.WebhookTestKit.*;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * A Steppay payment charged on billing key K and settled by its webhook keeps K as its billing key.
 * Its receipt names the payment's own idKey as a billing key (every {@code *_BILL} payment's idKey
 * is one); that must not replace the key it was charged with — else the row says the payment was
 * charged on a key it never used, and anything that reads the key from it charges the wrong one.
 */
class WebhookBillingKeyTest {

    @Test
    void aBillingPaymentSettledByItsWebhookKeepsTheKeyItWasChargedOn() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                // Steppay's billing call answers an empty 200: the payment stays PENDING until the webhook
                "paybridge.sandbox.steppay.billing-response", "empty",
                // nothing but the webhook settles it
                "paybridge.reconcile.interval", "PT1H"))) {
            String id = "wbk-later";
            JsonNode charged = app.postJson("/api/payments", billingKey(id, "steppay", 9900, STEPPAY_KEY)).json();
            assertThat(charged.path("billingKey").asText()).isEqualTo(STEPPAY_KEY);

            JsonNode entry = awaitEntry(app, id, "PROCESSED", "PAID");
            String ownIdKey = entry.path("vendorRef").isMissingNode() ? null : entry.path("vendorRef").asText();
            JsonNode settled = payment(app, id);
            assertThat(settled.path("status").asText()).isEqualTo("PAID");
            assertThat(settled.path("vendorPaymentRef").asText()).as("its own idKey").isNotEqualTo(STEPPAY_KEY);
            assertThat(settled.path("billingKey").asText()).as("the key it was charged on").isEqualTo(STEPPAY_KEY);
            assertThat(ownIdKey).isNotEqualTo(STEPPAY_KEY);
            assertThat(types(ledger(app, id))).isEqualTo("PAID:9900");
        }
    }
}
