package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.PaymentStore;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;

/**
 * The vendor's record wins over "never charged" (CONTRACT §2): a billing attempt reconcile concluded
 * NOT_CHARGED whose payment the vendor later shows charged pays its period, and the period's next
 * attempt (due at once after NOT_CHARGED) is not sent; when that next attempt had already been paid,
 * the period was charged twice, and that is reported for an operator (log, metric, health), never
 * left silent. The rows are written as the other parts of paybridge leave them.
 */
class BillingChargedAfterAllTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";
    private static final String NEXT = "2027-01-01T00:00:00+09:00";
    private RunningPaybridge app;
    private PaymentStore payments;
    private BillingAttemptStore attempts;
    private String iamportKey;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start();
        payments = app.lookup("paymentStore", PaymentStore.class);
        attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        iamportKey = app.postJson("/api/payments", """
                {"paymentId": "first-ca", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                 "orderName": "Premium plan", "customer": {"id": "user-ca"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": true}""").json().path("billingKey").asText();
        BillingFixtures.insertRun(app, "run-dead", Instant.parse("2026-11-30T18:00:00Z"), "dead-node", 60);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    /** The period's first attempt of a new subscription, claimed by a run whose node died and sent: no answer. */
    private DueItem sent(String subscriptionId) {
        assertThat(app.postJson("/api/subscriptions", BillingFixtures.subscriptionJson(subscriptionId, "user-ca", "iamport",
                iamportKey, 9900, "P1M", DUE)).status()).isEqualTo(201);
        DueItem item = DueItem.of(app.lookup("subscriptionStore", SubscriptionStore.class).find(subscriptionId).orElseThrow(),
                app.lookup("billingCalendar", BillingCalendar.class));
        assertThat(attempts.claim(item, "run-dead", "dead-node")).isTrue();
        payments.insert(item.command(), "test");
        return item;
    }

    /** The period's first attempt, sent and concluded never charged by reconcile. */
    private DueItem notCharged(String subscriptionId) {
        DueItem item = sent(subscriptionId);
        payments.settleOpen(item.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_DECLINED),
                null, null, new Failure("NOT_CHARGED", "The vendor has no payment for this paymentId: it was never charged"));
        return item;
    }

    /** The period's first attempt, sent, its answer lost with the node, then resolved FAILED by an operator. */
    private DueItem resolvedFailed(String subscriptionId) {
        DueItem first = sent(subscriptionId);
        RunningPaybridge.Response resolved = app.postJson("/api/payments/" + first.paymentId() + "/resolve",
                "{\"status\": \"FAILED\", \"reason\": \"not in the vendor console\"}");
        assertThat(resolved.json().path("status").asText()).as(resolved.body()).isEqualTo("FAILED");
        return first;
    }

    /** The vendor's record shows the payment charged after all (as the payments side records it). */
    private void chargedAfterAll(String paymentId) {
        BillingFixtures.sql(app).update("UPDATE payments SET status = 'PAID', failure_code = NULL, failure_message = NULL,"
                + " vendor_payment_ref = 'imp_late' WHERE payment_id = :?paymentId", Map.of("paymentId", paymentId));
    }

    private String state(String paymentId) {
        return ((String) attempts.find(paymentId).get("state")).trim();
    }

    @Test
    void aNotChargedAttemptTheVendorShowsChargedPaysItsPeriodAndTheNextAttemptIsNeverSent() {
        DueItem first = notCharged("ca-1");
        // billing applied NOT_CHARGED: the period's next attempt -r1 is due at once
        BillingFixtures.sql(app).update("UPDATE billing_attempts SET state = 'NOT_CHARGED' WHERE payment_id = :?id",
                Map.of("id", first.paymentId()));
        BillingFixtures.sql(app).update("UPDATE subscriptions SET retry_attempt = 1, next_retry_at = next_billing_at,"
                + " last_payment_id = :?id WHERE subscription_id = 'ca-1'", Map.of("id", first.paymentId()));
        chargedAfterAll(first.paymentId());
        long before = charges(app, "iamport");

        run(app, AS_OF);
        assertThat(charges(app, "iamport")).as("the period is not charged again").isEqualTo(before);
        assertThat(app.get("/api/payments/ca-1-20261201-r1").status()).isEqualTo(404);
        assertThat(state(first.paymentId())).isEqualTo("PAID");
        JsonNode s = subscription(app, "ca-1");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(s.path("lastPaymentId").asText()).isEqualTo(first.paymentId());
        assertThat(s.path("retry").isNull()).isTrue();
    }

    @Test
    void anAttemptDecidedAfterItsSubscriptionWasCancelledSchedulesNoRetry() {
        DueItem first = sent("ca-cancelled");
        assertThat(app.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.baseUrl()
                + "/api/subscriptions/ca-cancelled")).DELETE()).status()).isEqualTo(200);
        // the attempt in flight meanwhile is concluded never charged, and a run applies it
        payments.settleOpen(first.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_DECLINED),
                null, null, new Failure("NOT_CHARGED", "The vendor has no payment for this paymentId: it was never charged"));
        run(app, AS_OF);
        assertThat(state(first.paymentId())).isEqualTo("NOT_CHARGED");
        JsonNode s = subscription(app, "ca-cancelled");
        assertThat(s.path("state").asText()).isEqualTo("CANCELLED");
        assertThat(s.path("retry").isNull()).as(s.toString()).isTrue();
        assertThat(s.path("lastPaymentId").asText()).isEqualTo(first.paymentId());
    }

    @Test
    void whenTheNextAttemptWasPaidTooTheDoubleChargeIsReportedForAnOperator() {
        DueItem first = notCharged("ca-2");
        run(app, AS_OF); // applies NOT_CHARGED and sends -r1 at once: PAID
        assertThat(app.get("/api/payments/ca-2-20261201-r1").json().path("status").asText()).isEqualTo("PAID");
        assertThat(subscription(app, "ca-2").path("nextBillingAt").asText()).isEqualTo(NEXT);
        chargedAfterAll(first.paymentId());
        long before = charges(app, "iamport");

        String log;
        try (LogCapture capture = new LogCapture()) {
            run(app, AS_OF);
            log = capture.text();
        }
        assertThat(state(first.paymentId())).isEqualTo("PAID_DUPLICATE");
        assertThat(attempts.find(first.paymentId()).get("double_charge_of")).isEqualTo("ca-2-20261201-r1");
        assertThat(state("ca-2-20261201-r1")).isEqualTo("PAID");
        assertThat(log).containsPattern("ERROR .*DOUBLE CHARGE.*ca-2-20261201 .*ca-2-20261201-r1");
        assertThat(doubleChargedCounter()).isEqualTo(1.0);
        JsonNode check = doubleChargeCheck();
        assertThat(check.path("status").asText()).isEqualTo("UP");
        assertThat(check.path("data").path("billing.double.charged").asLong()).isEqualTo(1);
        assertThat(check.path("message").asText()).contains("ca-2-20261201", "ca-2-20261201-r1");
        // the subscription moved once; nothing charged
        assertThat(subscription(app, "ca-2").path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(charges(app, "iamport")).isEqualTo(before);

        run(app, AS_OF); // reported once
        assertThat(doubleChargedCounter()).isEqualTo(1.0);

        // an operator refunds one of the two in full: no longer reported (the next shift is not told to
        // refund the other one as well)
        RunningPaybridge.Response refund = app.postJson("/api/refunds",
                "{\"refundId\": \"ca-2-mend\", \"paymentId\": \"ca-2-20261201-r1\", \"reason\": \"double charge\"}");
        assertThat(refund.json().path("status").asText()).as(refund.body()).isEqualTo("REFUNDED");
        JsonNode mended = doubleChargeCheck();
        assertThat(mended.path("data").path("billing.double.charged").asLong()).isZero();
        assertThat(mended.path("message").asText()).doesNotContain("ca-2-20261201");
    }

    /**
     * An operator who resolves a stuck attempt FAILED draws a conclusion, as reconcile's NOT_CHARGED is:
     * billing sends the period's next attempt at once (no dunning delay), and when the vendor's record
     * then shows the first attempt charged after all, the double charge is reported. Before, the
     * operator's FAILED was a decline: its retry was sent a day later all the same, and the overturn that
     * followed was never looked at by billing, a period charged twice without a word.
     */
    @Test
    void anOperatorsFailedIsAConclusionTooAndItsOverturnIsNeverSilent() {
        DueItem first = resolvedFailed("ca-3");

        run(app, AS_OF);
        assertThat(state(first.paymentId())).isEqualTo("NOT_CHARGED");
        assertThat(app.get("/api/payments/ca-3-20261201-r1").json().path("status").asText()).isEqualTo("PAID");
        assertThat(subscription(app, "ca-3").path("state").asText()).isEqualTo("ACTIVE");

        // the vendor's record (a webhook, a late answer) shows the first attempt charged: the payment is PAID
        assertThat(paybridge.payments.ConclusionOverturn.toPaid(payments, app.lookup("ledgerStore",
                paybridge.ledger.LedgerStore.class), paybridge.observe.PaybridgeMeters.NONE,
                payments.find(first.paymentId()).orElseThrow(), "imp_late", null, Instant.now(),
                paybridge.canonical.LedgerSource.WEBHOOK)).isTrue();
        run(app, AS_OF);
        assertThat(state(first.paymentId())).isEqualTo("PAID_DUPLICATE");
        assertThat(attempts.find(first.paymentId()).get("double_charge_of")).isEqualTo("ca-3-20261201-r1");
        assertThat(doubleChargedCounter()).isEqualTo(1.0);
        assertThat(subscription(app, "ca-3").path("nextBillingAt").asText()).isEqualTo(NEXT);
    }

    /**
     * An operator's FAILED that versions before took as a decline (the attempt DECLINED, its retry a day
     * away), overturned by the vendor's record before that retry: the attempt pays its period and the
     * retry is never sent.
     */
    @Test
    void anOperatorsFailedLeftDeclinedByAnEarlierVersionPaysItsPeriodWhenOverturned() {
        DueItem first = resolvedFailed("ca-4");
        // as an earlier version applied it: a SOFT decline, the retry -r1 due a day later
        BillingFixtures.sql(app).update("UPDATE billing_attempts SET state = 'DECLINED', decline_category = 'SOFT'"
                + " WHERE payment_id = :?id", Map.of("id", first.paymentId()));
        BillingFixtures.sql(app).update("UPDATE subscriptions SET retry_attempt = 1,"
                + " next_retry_at = next_billing_at + INTERVAL '1' DAY, last_payment_id = :?id"
                + " WHERE subscription_id = 'ca-4'", Map.of("id", first.paymentId()));
        assertThat(paybridge.payments.ConclusionOverturn.toPaid(payments, app.lookup("ledgerStore",
                paybridge.ledger.LedgerStore.class), paybridge.observe.PaybridgeMeters.NONE,
                payments.find(first.paymentId()).orElseThrow(), "imp_late_4", null, Instant.now(),
                paybridge.canonical.LedgerSource.WEBHOOK)).isTrue();
        long before = charges(app, "iamport");

        run(app, "2026-12-02T03:00:00+09:00"); // the retry's day
        assertThat(state(first.paymentId())).isEqualTo("PAID");
        assertThat(app.get("/api/payments/ca-4-20261201-r1").status()).isEqualTo(404);
        assertThat(charges(app, "iamport")).as("the period is not charged again").isEqualTo(before);
        assertThat(subscription(app, "ca-4").path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(subscription(app, "ca-4").path("retry").isNull()).isTrue();
    }

    /** A PAST_DUE subscription whose period turns out paid after all: its NOT_CHARGED attempt charged, the retries after it declined. */
    private DueItem pastDueThenPaidAfterAll(String subscriptionId) {
        DueItem first = notCharged(subscriptionId);
        BillingFixtures.sql(app).update("UPDATE billing_attempts SET state = 'NOT_CHARGED' WHERE payment_id = :?id",
                Map.of("id", first.paymentId()));
        // as dunning leaves it after the last retry
        String last = subscriptionId + "-20261201-r3";
        BillingFixtures.sql(app).update("UPDATE subscriptions SET state = 'PAST_DUE', past_due_since = CURRENT_TIMESTAMP,"
                + " past_due_reason = 'RETRIES_EXHAUSTED', past_due_payment_id = :?last, retry_attempt = NULL,"
                + " next_retry_at = NULL, last_payment_id = :?last WHERE subscription_id = :?id",
                Map.of("id", subscriptionId, "last", last));
        chargedAfterAll(first.paymentId());
        return first;
    }

    /**
     * Runs billing with trigger {@code name} installed ({@link StatementMeanwhileTrigger}, {@code when} e.g. "AFTER
     * UPDATE ON subscriptions"), resuming the subscription at the first such statement that finds it still PAST_DUE.
     */
    private void runWithResumeMeanwhile(String name, String when, String subscriptionId) {
        String stillPastDue = "SELECT state = 'PAST_DUE' FROM subscriptions WHERE subscription_id = ?";
        BillingFixtures.sql(app).update(StatementMeanwhileTrigger.create(name, when, stillPastDue, subscriptionId, () ->
                assertThat(app.postJson("/api/subscriptions/" + subscriptionId + "/resume", "").status()).isEqualTo(200)),
                Map.of());
        try {
            run(app, AS_OF);
        } finally {
            BillingFixtures.sql(app).update("DROP TRIGGER " + name, Map.of());
        }
    }

    private void assertMovedToTheNextPeriod(String subscriptionId, DueItem first, long chargesBefore) {
        assertThat(state(first.paymentId())).isEqualTo("PAID");
        JsonNode s = subscription(app, subscriptionId);
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("nextBillingAt").asText()).as("the paid period is behind it").isEqualTo(NEXT);
        assertThat(s.path("retry").isNull()).as(s.toString()).isTrue();
        assertThat(charges(app, "iamport")).as("the period is not charged again").isEqualTo(chargesBefore);
    }

    /**
     * The resume commits right after a statement of the run that left the subscription PAST_DUE, before the
     * run's next statement. Before, the run applied the payment with two updates, one for an ACTIVE and one
     * for a PAST_DUE subscription: a resume between them made each find the other state, the subscription
     * stayed on its paid period with a retry due, and no claim may charge a paid period: it was never
     * billed again. Now the run takes the subscription's row before it reads its state and updates it in
     * one statement, so no statement of it leaves the subscription PAST_DUE: there is no such moment.
     */
    @Test
    void aResumeBetweenTheRunsStatementsDoesNotLeaveTheSubscriptionOnItsPaidPeriod() {
        DueItem first = pastDueThenPaidAfterAll("ca-5");
        long before = charges(app, "iamport");
        runWithResumeMeanwhile("resume_after_update", "AFTER UPDATE ON subscriptions", "ca-5");
        assertMovedToTheNextPeriod("ca-5", first, before);
        assertThat(StatementMeanwhileTrigger.fired("resume_after_update")).as("no statement leaves it PAST_DUE").isZero();
    }

    /**
     * The resume commits just before the run's transaction reaches the subscription (while it records the
     * attempt PAID): the run finds it ACTIVE, resumed on the unpaid period, and moves it past that period
     * all the same. One RESUMED event, the resume's; a resume after the run has nothing to resume.
     */
    @Test
    void aResumeJustBeforeTheRunTakesTheSubscriptionIsMovedPastItsPaidPeriod() {
        DueItem first = pastDueThenPaidAfterAll("ca-7");
        long before = charges(app, "iamport");
        runWithResumeMeanwhile("resume_before_paid", "BEFORE UPDATE ON billing_attempts", "ca-7");
        assertThat(StatementMeanwhileTrigger.fired("resume_before_paid")).isEqualTo(1);
        assertMovedToTheNextPeriod("ca-7", first, before);
        assertThat(app.text("SELECT COUNT(*) FROM events WHERE subscription_id = ? AND type = 'subscription.resumed'",
                "ca-7")).isEqualTo("1");
        assertThat(app.postJson("/api/subscriptions/ca-7/resume", "").status()).isEqualTo(409);
    }

    /**
     * The state that race left behind (in versions before the row was held): the period's first attempt
     * PAID, the subscription ACTIVE on that period, waiting for its next attempt. The next run moves it
     * to the next period without sending anything; before, no claim could charge the paid period and
     * nothing moved it, so it was never billed again.
     */
    @Test
    void aSubscriptionLeftOnAPaidPeriodWaitingForALaterAttemptIsMovedOn() {
        DueItem first = sent("ca-6");
        payments.settleOpen(first.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_PAID),
                "imp_ca6", null, null);
        assertThat(attempts.settlePaid(first.paymentId())).isTrue();
        BillingFixtures.sql(app).update("UPDATE subscriptions SET retry_attempt = 1, next_retry_at = next_billing_at,"
                + " retry_base_attempt = 1, retry_from = next_billing_at WHERE subscription_id = 'ca-6'", Map.of());
        long before = charges(app, "iamport");

        run(app, AS_OF);
        JsonNode s = subscription(app, "ca-6");
        assertThat(s.path("nextBillingAt").asText()).as("the paid period is behind it").isEqualTo(NEXT);
        assertThat(s.path("retry").isNull()).as(s.toString()).isTrue();
        assertThat(s.path("lastPaymentId").asText()).isEqualTo(first.paymentId());
        assertThat(app.get("/api/payments/ca-6-20261201-r1").status()).isEqualTo(404);
        assertThat(charges(app, "iamport")).as("the period is not charged again").isEqualTo(before);
    }

    /**
     * An attempt released as not attempted (its row deleted) whose send a paused node made after all, once
     * the period's next attempt had paid it: no row to mark PAID_DUPLICATE, and never silent either.
     */
    @Test
    void aDoubleChargeOfAnAttemptWhoseRowIsGoneIsReported() {
        DueItem first = notCharged("ca-9");
        run(app, AS_OF);
        assertThat(app.get("/api/payments/ca-9-20261201-r1").json().path("status").asText()).isEqualTo("PAID");
        chargedAfterAll(first.paymentId());
        BillingFixtures.sql(app).update("DELETE FROM billing_attempts WHERE payment_id = :?id", Map.of("id", first.paymentId()));

        String log;
        try (LogCapture capture = new LogCapture()) {
            // the paused node's send answered: its result applied as the run's route applies it
            org.apache.camel.Exchange answered = new org.apache.camel.support.DefaultExchange(app.context());
            answered.setProperty(paybridge.canonical.ExchangeProperties.BILLING_ITEM, first);
            answered.getMessage().setBody(app.lookup("chargeService", paybridge.payments.ChargeService.class)
                    .get(first.paymentId()));
            app.lookup("billingRunService", BillingRunService.class).applyResult(answered);
            log = capture.text();
        }
        assertThat(log).containsPattern("ERROR .*DOUBLE CHARGE.*ca-9-20261201 .*ca-9-20261201-r1.*row is gone");
        assertThat(doubleChargedCounter()).isEqualTo(1.0);
    }

    private double doubleChargedCounter() {
        String metrics = app.get("http://127.0.0.1:" + app.managementPort + "/observe/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("paybridge_billing_double_charged_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private JsonNode doubleChargeCheck() {
        JsonNode checks = app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full&data=true")
                .json().path("checks");
        for (JsonNode c : checks) {
            if ("billing-double-charges".equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no billing-double-charges check in " + checks);
    }
}
