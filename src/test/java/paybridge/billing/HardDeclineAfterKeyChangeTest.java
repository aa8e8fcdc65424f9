package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.Lifecycle.chargesOnKey;
import static paybridge.billing.Lifecycle.create;
import static paybridge.billing.Lifecycle.expireCard;
import static paybridge.billing.Lifecycle.iamportRecord;
import static paybridge.billing.Lifecycle.iso;
import static paybridge.billing.Lifecycle.patch;
import static paybridge.billing.Lifecycle.runAt;
import static paybridge.billing.Lifecycle.storeIamportCard;
import static paybridge.billing.Lifecycle.subscriptionJson;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A HARD decline says the card charged can never succeed; it ends dunning only while that card is still
 * the subscription's. When a PATCH moved the subscription to another key while the attempt was in
 * flight on the old one, the decline is an ordinary one: the subscription stays ACTIVE and its retry is
 * charged on the new key. A PATCH that keeps the key changes nothing about a HARD decline (SubscriptionLifecycleTest).
 */
class HardDeclineAfterKeyChangeTest {
    private static final OffsetDateTime DUE = OffsetDateTime.parse("2026-12-01T00:00:00+09:00");

    @Test
    void aHardDeclineOfAKeyPatchedAwayDuringTheChargeIsRetriedOnTheNewKey() {
        // every simulated vendor answer is slow: the charge on the old key is in flight long enough to patch
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.sandbox.latency", "PT2S"))) {
            storeIamportCard(app, "hk-card-1", "user-hk", "cu_hk_old");
            storeIamportCard(app, "hk-card-2", "user-hk", "cu_hk_new");
            create(app, subscriptionJson("hk", "user-hk", "iamport", "cu_hk_old", 9900, DUE));
            // the old card expired: iamport answers [F113], a HARD decline
            expireCard(app, "cu_hk_old");
            String paymentId = "hk-20261201";

            String runId = BillingFixtures.startRun(app, "2026-12-01T03:00:00+09:00", false);
            awaitInFlight(app, paymentId);
            Response patched = patch(app, "hk", "{\"billingKey\": \"cu_hk_new\"}");
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            // the decline must be decided after the key changed, else this test would not test the race
            assertThat(app.get("/api/payments/" + paymentId).status()).as("still in flight after the PATCH").isEqualTo(202);

            BillingFixtures.awaitRun(app, runId, Duration.ofMinutes(2));
            JsonNode declined = app.get("/api/payments/" + paymentId).json();
            assertThat(declined.path("status").asText()).isEqualTo("FAILED");
            assertThat(declined.path("failure").path("category").asText()).isEqualTo("HARD");
            assertThat(declined.path("billingKey").asText()).isEqualTo("cu_hk_old");

            JsonNode s = subscription(app, "hk");
            assertThat(s.path("state").asText()).as(s.toString()).isEqualTo("ACTIVE");
            assertThat(s.path("pastDue").isNull()).as(s.toString()).isTrue();
            assertThat(s.path("billingKey").asText()).isEqualTo("cu_hk_new");
            assertThat(s.path("retry").path("attempt").asInt()).as(s.toString()).isEqualTo(1);
            assertThat(pastDueEvents(app, "hk")).isZero();

            // the retry: charged on the new key, the period paid, the old card never charged again
            JsonNode retried = runAt(app, s.path("retry").path("nextRetryAt").asText());
            assertThat(retried.path("counts").path("paid").asInt()).isEqualTo(1);
            JsonNode paid = app.get("/api/payments/" + paymentId + "-r1").json();
            assertThat(paid.path("status").asText()).isEqualTo("PAID");
            assertThat(paid.path("billingKey").asText()).isEqualTo("cu_hk_new");
            assertThat(iamportRecord(app, paymentId + "-r1").path("customer_uid").asText()).isEqualTo("cu_hk_new");
            JsonNode after = subscription(app, "hk");
            assertThat(after.path("state").asText()).isEqualTo("ACTIVE");
            assertThat(after.path("lastPaymentId").asText()).isEqualTo(paymentId + "-r1");
            assertThat(after.path("nextBillingAt").asText()).isEqualTo(iso(DUE.plusMonths(1)));
            assertThat(after.path("retry").isNull()).isTrue();
            assertThat(chargesOnKey(app, "cu_hk_old")).isEqualTo(2); // its card check and the declined period
            assertThat(pastDueEvents(app, "hk")).isZero();
        }
    }

    /** Until the period's charge is recorded and sent: the payment exists, its outcome open (202). */
    private static void awaitInFlight(RunningPaybridge app, String paymentId) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> app.get("/api/payments/" + paymentId).status() == 202);
    }

    /** subscription.past_due events in the outbox (the feed hides the newest ones for a while). */
    private static long pastDueEvents(RunningPaybridge app, String subscriptionId) {
        return Sql.longValue(BillingFixtures.sql(app).query(
                "SELECT COUNT(*) AS n FROM events WHERE subscription_id = :?id AND type = 'subscription.past_due'",
                Map.of("id", subscriptionId)).get(0).get("n"));
    }
}
