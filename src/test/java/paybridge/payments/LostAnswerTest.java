package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.RefundState;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * When the vendor's answer is lost, the payment is UNKNOWN (202) and the reconcile route settles
 * it from the vendor's own record, never by charging again. (Webhook processing is off here: a
 * verified webhook settles such a payment as well, often first; the webhook tests show that.)
 */
class LostAnswerTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.sandbox.hang", "PT2S",
                "paybridge.reconcile.interval", "PT0.3S",
                // an attempt or refund is looked up only once it can no longer be in flight: budget + timeout + this
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                // the sandbox's webhook would settle these payments too; this test is about reconcile
                "paybridge.webhook.processing-enabled", "false"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static long iamport(String counter) {
        return app.get(app.sandboxUrl() + "/iamport/_stats").json().path("response").path(counter).asLong();
    }

    @Test
    void timedOutChargeIsUnknownThenReconciledToPaidWithExactlyOneCharge() {
        long before = iamport("charges");
        Response r = app.postJson("/api/payments", Commands.keyIn("l-hang-1", 4002, false));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(r.json().path("failure").path("code").asText()).isEqualTo("VENDOR_TIMEOUT");

        // the caller retrying the same command learns the current state, and nothing is sent again
        assertThat(app.postJson("/api/payments", Commands.keyIn("l-hang-1", 4002, false)).status()).isIn(200, 202);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(app.get("/api/payments/l-hang-1").json().path("status").asText()).isEqualTo("PAID"));
        assertThat(iamport("charges")).isEqualTo(before + 1);
        JsonNode entries = app.get("/api/ledger?paymentId=l-hang-1").json().path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("source").asText()).isEqualTo("RECONCILE");
        assertThat(entries.get(0).path("vendorPaymentRef").asText()).startsWith("imp_");
    }

    /**
     * A charge writes its ledger entry before it settles the attempt. A crash between the two leaves
     * what this test builds by hand: the PAID entry, the attempt still PENDING. Reconcile settles it
     * and the entry stays one.
     */
    @Test
    void aCrashBetweenTheLedgerEntryAndTheSettleIsHealedByReconcile() throws Exception {
        assertThat(app.postJson("/api/payments", Commands.keyIn("l-crash-1", 3000, false)).status()).isEqualTo(200);
        javax.sql.DataSource db = app.lookup("database", paybridge.ledger.Database.class).dataSource();
        try (java.sql.Connection c = db.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE payments SET status = 'PENDING', "
                     + "updated_at = updated_at - INTERVAL '1' HOUR, next_look_at = CURRENT_TIMESTAMP WHERE payment_id = ?")) {
            ps.setString(1, "l-crash-1");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(app.get("/api/payments/l-crash-1").json().path("status").asText()).isEqualTo("PENDING");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(app.get("/api/payments/l-crash-1").json().path("status").asText()).isEqualTo("PAID"));
        JsonNode entries = app.get("/api/ledger?paymentId=l-crash-1").json().path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("type").asText()).isEqualTo("PAID");
        assertThat(entries.get(0).path("amount").asLong()).isEqualTo(3000);
    }

    /** A refund whose answer is lost is UNKNOWN (202), then settled from the vendor's record: no second cancel. */
    @Test
    void timedOutRefundIsUnknownThenReconciledToRefundedWithExactlyOneCancel() {
        assertThat(app.postJson("/api/payments", Commands.keyIn("l-refund-1", 4002, false)).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(app.get("/api/payments/l-refund-1").json().path("status").asText()).isEqualTo("PAID"));
        long cancels = iamport("cancels");

        Response r = app.postJson("/api/refunds", Commands.refund("l-rf-1", "l-refund-1", 1000L));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                app.postJson("/api/refunds", Commands.refund("l-rf-1", "l-refund-1", 1000L)).json().path("status").asText())
                .isEqualTo("REFUNDED"));
        assertThat(iamport("cancels")).isEqualTo(cancels + 1);
        JsonNode entries = app.get("/api/ledger?paymentId=l-refund-1").json().path("entries");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(1).path("type").asText()).isEqualTo("REFUNDED");
        assertThat(entries.get(1).path("amount").asLong()).isEqualTo(-1000);
        assertThat(entries.get(1).path("source").asText()).isEqualTo("RECONCILE");
        assertThat(app.get("/api/payments/l-refund-1").json().path("refundedAmount").asLong()).isEqualTo(1000);
    }

    /**
     * A refund left UNKNOWN that the vendor never applied (built by hand: the answer was lost before the
     * vendor acted): FAILED NOT_REFUNDED, and its reserved amount can be refunded again.
     */
    @Test
    void anUnknownRefundTheVendorNeverAppliedFailsAndReleasesItsAmount() throws Exception {
        assertThat(app.postJson("/api/payments", Commands.keyIn("l-refund-2", 3000, false)).status()).isEqualTo(200);
        paybridge.ledger.PaymentStore payments = app.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
        paybridge.ledger.RefundStore refunds = new paybridge.ledger.RefundStore(new paybridge.ledger.Sql(app.context()));
        assertThat(refunds.insert("l-rf-2", "l-refund-2", "by-hand", 3000, "test")).isTrue();
        assertThat(payments.reserveRefund("l-refund-2", 3000)).isTrue();
        refunds.finish("l-rf-2", RefundState.UNKNOWN, null, new paybridge.canonical.Failure("VENDOR_TIMEOUT", "no answer"));
        javax.sql.DataSource db = app.lookup("database", paybridge.ledger.Database.class).dataSource();
        try (java.sql.Connection c = db.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "UPDATE refunds SET in_flight_until = in_flight_until - INTERVAL '1' HOUR WHERE refund_id = ?")) {
            ps.setString(1, "l-rf-2");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(app.postJson("/api/refunds", Commands.refund("l-rf-3", "l-refund-2", 3000L)).status())
                .as("all of it is reserved by the UNKNOWN refund").isEqualTo(422);

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            paybridge.ledger.RefundRecord rf = refunds.find("l-rf-2").orElseThrow();
            assertThat(rf.status()).isEqualTo(RefundState.FAILED);
            assertThat(rf.failureCode()).isEqualTo("NOT_REFUNDED");
        });
        assertThat(app.get("/api/ledger?paymentId=l-refund-2").json().path("entries")).hasSize(1);
        Response again = app.postJson("/api/refunds", Commands.refund("l-rf-3", "l-refund-2", 3000L));
        assertThat(again.json().path("status").asText()).as(again.body()).isEqualTo("REFUNDED");
    }

    @Test
    void vendor5xxIsUnknownThenNotChargedAndTheSameIdMayBeSentAgain() {
        Response r = app.postJson("/api/payments", Commands.keyIn("l-5xx-1", 4003, false));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode p = app.get("/api/payments/l-5xx-1").json();
            assertThat(p.path("status").asText()).isEqualTo("FAILED");
            assertThat(p.path("failure").path("code").asText()).isEqualTo("NOT_CHARGED");
        });
        // nothing was charged: CONTRACT §2 records the conclusion as a FAILED entry of 0, source RECONCILE
        JsonNode entries = app.get("/api/ledger?paymentId=l-5xx-1").json().path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("type").asText()).isEqualTo("FAILED");
        assertThat(entries.get(0).path("amount").asLong()).isZero();
        assertThat(entries.get(0).path("source").asText()).isEqualTo("RECONCILE");

        long requests = iamport("requests");
        Response again = app.postJson("/api/payments", Commands.keyIn("l-5xx-1", 4003, false));
        assertThat(again.json().path("status").asText()).as("sent again, not replayed").isEqualTo("UNKNOWN");
        assertThat(iamport("requests")).isGreaterThan(requests);
    }

    @Test
    void steppayLostAnswerStaysOpenUntilAnOperatorResolvesIt() {
        Response r = app.postJson("/api/payments", Commands.billingKey("l-steppay-1", "steppay", 4002, Commands.STEPPAY_KEY));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");

        // an operator may resolve it once the charge can no longer be in flight (its horizon): 409 before
        String decision = "{\"status\": \"PAID\", \"reason\": \"receipt checked in the Steppay console\", "
                + "\"vendorPaymentRef\": \"" + SteppayRecords.idKeyOf(app, "l-steppay-1") + "\"}";
        Response[] last = new Response[1];
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            last[0] = app.postJson("/api/payments/l-steppay-1/resolve", decision);
            assertThat(last[0].status()).isNotEqualTo(409);
        });
        Response resolved = last[0];
        assertThat(resolved.status()).isEqualTo(200);
        assertThat(resolved.json().path("status").asText()).isEqualTo("PAID");
        JsonNode entries = app.get("/api/ledger?paymentId=l-steppay-1").json().path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("source").asText()).isEqualTo("OPERATOR");
        assertThat(app.postJson("/api/payments/l-steppay-1/resolve", "{\"status\": \"FAILED\", \"reason\": \"x\"}").status())
                .isEqualTo(409);
    }
}
