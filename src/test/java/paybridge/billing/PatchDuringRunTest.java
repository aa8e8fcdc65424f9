package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.Lifecycle.create;
import static paybridge.billing.Lifecycle.iamportRecord;
import static paybridge.billing.Lifecycle.patch;
import static paybridge.billing.Lifecycle.storeIamportCard;
import static paybridge.billing.Lifecycle.subscriptionJson;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A PATCH racing a billing run (CONTRACT §2: "an attempt already claimed or in flight keeps the terms it
 * was claimed with"): with a slow vendor, the terms change while the period's charge is at the vendor.
 * The charge in flight goes through with the old key, amount and name; the next period uses the new ones.
 */
class PatchDuringRunTest {
    private static final OffsetDateTime DUE = OffsetDateTime.parse("2026-12-01T00:00:00+09:00");

    @Test
    void aPatchDuringTheRunLeavesTheAttemptInFlightAsClaimedAndTheNextPeriodUsesTheNewTerms() {
        // every simulated vendor answer takes 2 s: the charge is in flight long enough to patch meanwhile
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.sandbox.latency", "PT2S"))) {
            storeIamportCard(app, "race-card-1", "user-race", "cu_race_old");
            storeIamportCard(app, "race-card-2", "user-race", "cu_race_new");
            create(app, subscriptionJson("race", "user-race", "iamport", "cu_race_old", 9900, DUE));
            String paymentId = "race-20261201";

            String runId = BillingFixtures.startRun(app, "2026-12-01T03:00:00+09:00", false);
            // wait until the charge is recorded and sent: the payment exists, its outcome open (202)
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Response inFlight = app.get("/api/payments/" + paymentId);
            while (inFlight.status() != 202 && System.nanoTime() < deadline) {
                BillingFixtures.sleep(20);
                inFlight = app.get("/api/payments/" + paymentId);
            }
            assertThat(inFlight.status()).as("the charge in flight: " + inFlight.body()).isEqualTo(202);

            Response patched = patch(app, "race", """
                    {"billingKey": "cu_race_new", "amount": 12000, "orderName": "Premium plan 2027"}""");
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            // patched while the charge was in flight, else this test would not test the race
            assertThat(app.get("/api/payments/" + paymentId).status()).as("still in flight after the PATCH").isEqualTo(202);

            JsonNode run = BillingFixtures.awaitRun(app, runId, Duration.ofMinutes(2));
            assertThat(run.path("counts").path("paid").asInt()).isEqualTo(1);
            JsonNode paid = app.get("/api/payments/" + paymentId).json();
            assertThat(paid.path("status").asText()).isEqualTo("PAID");
            assertThat(paid.path("amount").asLong()).isEqualTo(9900);
            assertThat(paid.path("billingKey").asText()).isEqualTo("cu_race_old");
            JsonNode atVendor = iamportRecord(app, paymentId);
            assertThat(atVendor.path("amount").asLong()).isEqualTo(9900);
            assertThat(atVendor.path("customer_uid").asText()).isEqualTo("cu_race_old");
            assertThat(atVendor.path("name").asText()).isEqualTo("Premium plan");

            JsonNode s = subscription(app, "race");
            assertThat(s.path("billingKey").asText()).isEqualTo("cu_race_new");
            assertThat(s.path("amount").asLong()).isEqualTo(12000);
            assertThat(s.path("lastPaymentId").asText()).isEqualTo(paymentId);
            assertThat(s.path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");

            // the next period: the new terms
            BillingFixtures.run(app, "2027-01-01T03:00:00+09:00");
            JsonNode next = iamportRecord(app, "race-20270101");
            assertThat(next.path("status").asText()).isEqualTo("paid");
            assertThat(next.path("amount").asLong()).isEqualTo(12000);
            assertThat(next.path("customer_uid").asText()).isEqualTo("cu_race_new");
            assertThat(next.path("name").asText()).isEqualTo("Premium plan 2027");
        }
    }
}
