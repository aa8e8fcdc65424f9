package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A delivery that runs ahead of the vendor's record (the notification announces a deposit or a
 * cancel the lookup does not show yet) stays in the inbox and is retried with backoff until the
 * record catches up; only a claim the record never shows, or one it contradicts, is rejected. The
 * sandbox's own webhooks go to a closed port: each test delivers exactly the early notification.
 */
class WebhookNotShownYetTest {
    static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                "paybridge.webhook.poll-interval", "PT0.2S",
                // 8 retries 0.5 s apart: long enough to catch up in the test, short enough to run out
                "paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static String sandbox(String path) {
        return app.sandboxUrl() + path;
    }

    private static String deliverEarly(String vendor, Map<String, ?> fields) {
        Response r = deliver(app, vendor, JSON, fields);
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("inboxId").asText();
    }

    /** Waits until the entry was looked at at least {@code attempts} times and is still waiting. */
    private static JsonNode awaitPendingAfter(String inboxId, int attempts) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = entry(app, inboxId);
            assertThat(last[0].path("status").asText()).as("never rejected while the record may catch up: %s", last[0])
                    .isIn("RECEIVED", "PENDING");
            return last[0].path("attempts").asInt() >= attempts;
        });
        return last[0];
    }

    /**
     * A notification for a payment the vendor's lookup does not show at all yet (its records lag its
     * notification): kept and retried, recorded once the lookup shows it; one it never shows is REJECTED after
     * the last retry, nothing recorded.
     */
    @Test
    void aPaymentTheLookupDoesNotShowYetIsRetriedUntilItDoesAndRejectedOnlyWhenItNeverDoes() {
        try (paybridge.testing.ScriptedIamport vendor = paybridge.testing.ScriptedIamport.start();
             RunningPaybridge scripted = RunningPaybridge.start(Map.of(
                     "paybridge.iamport.base-url", vendor.baseUrl(),
                     "paybridge.webhook.poll-interval", "PT0.2S",
                     "paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S"))) {
            Response early = deliver(scripted, "iamport", JSON, fields("imp_uid", "imp_wnsy_lag", "merchant_uid", "wnsy-lag",
                    "status", "paid"));
            Response never = deliver(scripted, "iamport", JSON, fields("imp_uid", "imp_wnsy_never", "merchant_uid",
                    "wnsy-never", "status", "paid"));
            String earlyId = early.json().path("inboxId").asText();
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                last[0] = entry(scripted, earlyId);
                assertThat(last[0].path("status").asText()).as("%s", last[0]).isIn("RECEIVED", "PENDING");
                // looked up and found unknown (the claim counts an attempt before its lookup answers)
                return last[0].path("reason").asText().contains("unknown at the vendor");
            });

            vendor.record("wnsy-lag", paybridge.testing.ScriptedIamport.paid("imp_wnsy_lag", "wnsy-lag", 7000));
            JsonNode done = awaitSettled(scripted, earlyId);
            assertThat(done.path("status").asText()).as(done.path("reason").asText()).isEqualTo("PROCESSED");
            assertThat(types(ledger(scripted, "wnsy-lag"))).isEqualTo("PAID:7000");

            JsonNode rejected = awaitSettled(scripted, never.json().path("inboxId").asText());
            assertThat(rejected.path("status").asText()).isEqualTo("REJECTED");
            assertThat(rejected.path("reason").asText()).contains("unknown at the vendor");
            // tried a few times (a lagging lookup catches up in minutes), not through every retry: a forged
            // reference costs a few vendor lookups
            assertThat(rejected.path("attempts").asInt()).isEqualTo(WebhookProcessor.UNKNOWN_ATTEMPTS);
            assertThat(ledger(scripted, "wnsy-never")).isEmpty();
        }
    }

    private static RunningPaybridge againstScripted(paybridge.testing.ScriptedIamport vendor, String retryDelays) {
        return RunningPaybridge.start(Map.of("paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.webhook.poll-interval", "PT0.2S", "paybridge.webhook.retry-delays", retryDelays));
    }

    /**
     * A paid notification for {@code orderId} ({@code imp_<orderId>}) delivered while every lookup fails;
     * once {@code failedAttempts} of its attempts failed so, the vendor's API answers again (its records do
     * not show the payment). Answers the inbox id.
     */
    private static String deliveredInAnOutage(RunningPaybridge app, paybridge.testing.ScriptedIamport vendor, String orderId,
                                              int failedAttempts) {
        String inboxId = deliver(app, "iamport", JSON, fields("imp_uid", "imp_" + orderId, "merchant_uid", orderId,
                "status", "paid")).json().path("inboxId").asText();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode e = entry(app, inboxId);
            return e.path("reason").asText().contains("vendor lookup failed") && e.path("attempts").asInt() >= failedAttempts;
        });
        vendor.lookupsUnavailable(false);
        return inboxId;
    }

    /**
     * Lookups that failed (the vendor's API down) are attempts, but say nothing about the payment: they do
     * not use up the few "unknown" answers a delivery gets before it is rejected. After an outage longer
     * than those few, the first "unknown" answer leaves the delivery waiting, and it is recorded once the
     * lookup shows the payment.
     */
    @Test
    void lookupsThatFailedDoNotUseUpTheTriesOfAPaymentUnknownYet() {
        try (paybridge.testing.ScriptedIamport vendor = paybridge.testing.ScriptedIamport.start().lookupsUnavailable(true);
             // quick retries through the outage, then time for the test to publish the record
             RunningPaybridge scripted = againstScripted(vendor, "PT0.3S,PT0.3S,PT0.3S,PT0.3S,PT0.3S,PT2S,PT2S,PT2S,PT2S,"
                     + "PT2S,PT2S,PT2S")) {
            // the outage outlasts the cap on "unknown" answers
            String inboxId = deliveredInAnOutage(scripted, vendor, "wnsy-outage", WebhookProcessor.UNKNOWN_ATTEMPTS + 1);
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                last[0] = entry(scripted, inboxId);
                assertThat(last[0].path("status").asText()).as("kept after its first unknown answer: %s", last[0])
                        .isIn("RECEIVED", "PENDING");
                return last[0].path("reason").asText().contains("unknown at the vendor");
            });

            vendor.record("wnsy-outage", paybridge.testing.ScriptedIamport.paid("imp_wnsy-outage", "wnsy-outage", 6000));
            JsonNode done = awaitSettled(scripted, inboxId);
            assertThat(done.path("status").asText()).as(done.path("reason").asText()).isEqualTo("PROCESSED");
            assertThat(types(ledger(scripted, "wnsy-outage"))).isEqualTo("PAID:6000");
        }
    }

    /**
     * An outage that used up the retry schedule before the vendor answered "unknown" often enough to reject
     * the delivery leaves it flagged for an operator (replay it), never REJECTED on too few answers.
     */
    @Test
    void aDeliveryWhoseScheduleAnOutageUsedUpIsFlaggedNotRejected() {
        try (paybridge.testing.ScriptedIamport vendor = paybridge.testing.ScriptedIamport.start().lookupsUnavailable(true);
             RunningPaybridge scripted = againstScripted(vendor, "PT0.3S,PT0.3S,PT0.3S,PT0.3S,PT2S,PT2S")) {
            String inboxId = deliveredInAnOutage(scripted, vendor, "wnsy-longoutage", 5);
            // the last two attempts answered "unknown": two answers, fewer than the cap, and no retry left
            JsonNode[] last = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                last[0] = entry(scripted, inboxId);
                assertThat(last[0].path("status").asText()).as("%s", last[0]).isIn("RECEIVED", "PENDING");
                return last[0].path("flagged").asBoolean();
            });
            assertThat(last[0].path("reason").asText()).contains("unknown at the vendor", "flagged after 7 attempts");
            assertThat(ledger(scripted, "wnsy-longoutage")).isEmpty();
        }
    }

    @Test
    void iamportPaidBeforeTheDepositShowsIsRetriedUntilTheDepositThenPaid() {
        String id = "wnsy-vbank";
        JsonNode result = app.postJson("/api/payments", keyIn(id, 4004, false)).json();
        assertThat(result.path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
        String impUid = result.path("vendorPaymentRef").asText();

        // iamport's notification of the deposit arrives while its lookup still says "ready"
        String inboxId = deliverEarly("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "paid"));
        JsonNode waiting = awaitPendingAfter(inboxId, 2);
        assertThat(waiting.path("reason").asText()).contains("not shown yet");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("AWAITING_DEPOSIT");

        assertThat(post(app, sandbox("/iamport/_control/deposit/" + impUid), null).status()).isEqualTo(200);
        JsonNode done = awaitSettled(app, inboxId);
        assertThat(done.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(done.path("eventType").asText()).isEqualTo("PAID");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
        assertThat(types(ledger(app, id))).endsWith("PAID:4004");
    }

    @Test
    void iamportCancelledBeforeTheCancelShowsIsRetriedUntilItShows() {
        String id = "wnsy-cancel";
        String impUid = app.postJson("/api/payments", keyIn(id, 3000, false)).json().path("vendorPaymentRef").asText();

        String inboxId = deliverEarly("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "cancelled"));
        awaitPendingAfter(inboxId, 2);
        assertThat(types(ledger(app, id))).isEqualTo("PAID:3000");

        assertThat(post(app, sandbox("/iamport/_control/console-cancel/" + impUid), "{}").status()).isEqualTo(200);
        JsonNode done = awaitSettled(app, inboxId);
        assertThat(done.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(done.path("eventType").asText()).isEqualTo("CANCELLED");
        assertThat(types(ledger(app, id))).isEqualTo("PAID:3000,CANCELLED:-3000");
    }

    @Test
    void steppayPaymentBeforeTheDepositShowsIsRetriedUntilTheDeposit() {
        String id = "wnsy-st-vbank";
        JsonNode result = app.postJson("/api/payments", billingKey(id, "steppay", 4004, STEPPAY_KEY)).json();
        assertThat(result.path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
        String idKey = result.path("vendorPaymentRef").asText();

        String inboxId = deliverEarly("steppay", fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey));
        awaitPendingAfter(inboxId, 2);

        assertThat(post(app, sandbox("/steppay/_control/deposit/" + idKey), null).status()).isEqualTo(200);
        JsonNode done = awaitSettled(app, inboxId);
        assertThat(done.path("status").asText()).isEqualTo("PROCESSED");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
    }

    @Test
    void aCancelTheRecordNeverShowsIsRejectedAfterTheLastRetryWithTheReason() {
        String id = "wnsy-never";
        String impUid = app.postJson("/api/payments", keyIn(id, 3000, false)).json().path("vendorPaymentRef").asText();

        String inboxId = deliverEarly("iamport", fields("imp_uid", impUid, "merchant_uid", id, "status", "cancelled"));
        JsonNode rejected = awaitSettled(app, inboxId);
        assertThat(rejected.path("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.path("attempts").asInt()).as("every retry was used first").isEqualTo(9);
        assertThat(rejected.path("reason").asText()).contains("cancelled", "not shown yet", "9 attempts");
        assertThat(rejected.path("flagged").asBoolean()).isFalse();
        assertThat(payment(app, id).path("status").asText()).isEqualTo("PAID");
        assertThat(types(ledger(app, id))).isEqualTo("PAID:3000");
    }

    @Test
    void aClaimTheRecordContradictsIsRejectedAtOnce() {
        String key = app.postJson("/api/payments", keyIn("wnsy-key", 1000, true)).json().path("billingKey").asText();
        String id = "wnsy-failed";
        JsonNode declined = app.postJson("/api/payments", billingKey(id, "iamport", 4001, key)).json();
        assertThat(declined.path("status").asText()).isEqualTo("FAILED");

        // a failed payment never becomes paid: nothing to wait for
        String inboxId = deliverEarly("iamport", fields("imp_uid", declined.path("vendorPaymentRef").asText(),
                "merchant_uid", id, "status", "paid"));
        JsonNode rejected = awaitSettled(app, inboxId);
        assertThat(rejected.path("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.path("attempts").asInt()).isEqualTo(1);
        assertThat(rejected.path("reason").asText()).contains("contradicts");
        assertThat(payment(app, id).path("status").asText()).isEqualTo("FAILED");
    }
}
