package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;

/**
 * Conclusions the vendor's record must still be able to overturn: an operator's FAILED drawn while
 * reconcile was asking the vendor, an operator's FAILED the vendor completes later, and a "never
 * charged" whose re-check finds the vendor still processing a payment under its paymentId.
 */
class ReconcileConclusionTest {
    private static final String FIVE_HUNDRED = "{\"code\":-1,\"message\":\"server error\",\"response\":null}";
    private ScriptedIamport vendor;
    private RunningPaybridge app;

    private void start(int notChargedRechecks) {
        vendor = ScriptedIamport.start();
        app = RunningPaybridge.start(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.vendor.timeout", "PT2S",
                "paybridge.vendor.operation-timeout", "PT2S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT1S",
                "paybridge.reconcile.not-charged-rechecks", String.valueOf(notChargedRechecks),
                "paybridge.webhook.processing-enabled", "false"));
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (vendor != null) {
            vendor.close();
        }
    }

    /** A charge whose answer is a 500 (the vendor charged it): UNKNOWN. */
    private void unknownCharge(String paymentId) {
        vendor.charge(Step.after(Duration.ZERO, 500, FIVE_HUNDRED));
        Response r = app.postJson("/api/payments", Commands.keyIn(paymentId, 3000, false));
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
    }

    /** Reconcile's look at the payment has reached the vendor and waits there; the operator resolves it FAILED meanwhile. */
    private void resolvedFailedWhileLookedUp(String paymentId) {
        vendor.holdLookups();
        await().atMost(Duration.ofSeconds(20)).until(() -> vendor.lookupRequests.get() == 1);
        Response resolved = app.postJson("/api/payments/" + paymentId + "/resolve",
                "{\"status\": \"FAILED\", \"reason\": \"not in the vendor console\"}");
        assertThat(resolved.json().path("status").asText()).as(resolved.body()).isEqualTo("FAILED");
    }

    private String status(String paymentId) {
        return app.get("/api/payments/" + paymentId).json().path("status").asText();
    }

    /**
     * The look answers PAID after the operator's FAILED committed: that answer overturns the conclusion
     * itself (the payment's PAID entry, overturned_from OPERATOR). Before, it changed nothing (the row was
     * no longer open) and was dropped without a word.
     */
    @Test
    void aPaidAnswerToALookInFlightOverturnsTheOperatorsFailedDrawnMeanwhile() throws Exception {
        start(0); // no re-checks: only the look in flight can tell
        unknownCharge("rc-op-1");
        vendor.record("rc-op-1", ScriptedIamport.paid("imp_rc_op_1", "rc-op-1", 3000));
        resolvedFailedWhileLookedUp("rc-op-1");
        vendor.releaseLookups();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("rc-op-1")).isEqualTo("PAID"));
        assertThat(ChargeInFlightTest.column(app, "overturned_from", "rc-op-1")).isEqualTo("OPERATOR");
        assertThat(vendor.lookupRequests.get()).as("settled by the look that was in flight").isEqualTo(1);
        assertThat(app.get("/api/ledger?paymentId=rc-op-1").json().path("entries").findValuesAsText("type"))
                .containsExactly("FAILED", "PAID");
    }

    /**
     * An operator's FAILED is a conclusion like "never charged": reconcile re-checks it, and the vendor's
     * record that shows the charge later makes it PAID. Before, nothing looked at it again.
     */
    @Test
    void anOperatorsFailedIsReCheckedAndTheVendorsLaterRecordWins() {
        start(6);
        unknownCharge("rc-op-2");
        resolvedFailedWhileLookedUp("rc-op-2");
        vendor.releaseLookups(); // nothing at the vendor yet: the conclusion stands
        await().atMost(Duration.ofSeconds(20)).until(() -> vendor.lookupRequests.get() >= 2);
        assertThat(status("rc-op-2")).isEqualTo("FAILED");

        vendor.record("rc-op-2", ScriptedIamport.paid("imp_rc_op_2", "rc-op-2", 3000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("rc-op-2")).isEqualTo("PAID"));
        assertThat(app.get("/api/ledger?paymentId=rc-op-2").json().path("entries").findValuesAsText("type"))
                .containsExactly("FAILED", "PAID");
    }

    /**
     * A "never charged" at its last re-check finds the vendor still processing a payment under its
     * paymentId (a Toss IN_PROGRESS, say): the look is given back and the row stays on the schedule,
     * since a charge that completes late is what the re-checks are for. Before, it used up the last
     * re-check and the conclusion was never looked at again.
     */
    @Test
    void aNeverChargedWhoseVendorStillProcessesAPaymentStaysOnTheReCheckSchedule() throws Exception {
        start(2);
        app.context().getRouteController().stopRoute("reconcile"); // this test takes the row itself
        unknownCharge("rc-nc-1");
        PaymentStore payments = app.lookup("paymentStore", PaymentStore.class);
        ChargeInFlightTest.sql(app, "UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED', looks = 1,"
                + " in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND,"
                + " next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE payment_id = ?", "rc-nc-1");
        ReconcileService reconcile = app.lookup("reconcileService", ReconcileService.class);
        List<PaymentRecord> taken = reconcile.due();
        assertThat(taken).extracting(PaymentRecord::paymentId).containsExactly("rc-nc-1");
        assertThat(ChargeInFlightTest.column(app, "next_look_at", "rc-nc-1")).as("its last re-check").isNull();

        VendorPayment processing = new VendorPayment(true, "iamport", null, "rc-nc-1", PaymentStatus.PENDING, 3000, 0,
                List.of(), null, null, null);
        assertThat(reconcile.settle(taken.get(0), processing, LedgerSource.RECONCILE)).isFalse();

        PaymentRecord after = payments.find("rc-nc-1").orElseThrow();
        assertThat(after.status()).isEqualTo(PaymentStatus.FAILED);
        assertThat(after.looks()).as("the look given back").isEqualTo(1);
        assertThat(ChargeInFlightTest.column(app, "next_look_at", "rc-nc-1")).as("looked at again").isNotNull();
    }
}
