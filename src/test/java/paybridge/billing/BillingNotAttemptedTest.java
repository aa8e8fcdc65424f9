package paybridge.billing;

import paybridge.canonical.ExchangeProperties;
import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.testing.RunningPaybridge;

/**
 * A billing run wrongly declared stale (a GC pause, a clock): another run takes its claim over and,
 * answered from the payment the stale run had just recorded, marks the attempt PENDING; then the stale
 * run's vendor call ends "not attempted", dispatch forgets the payment, and the attempt is PENDING
 * with no payment behind it. A not-attempted attempt is always given back (or re-sendable): never a
 * period blocked for good.
 */
class BillingNotAttemptedTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";
    private RunningPaybridge app;
    private BillingAttemptStore attempts;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start();
        attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    /** The stale run's claim, taken over by a later run (now COMPLETED) and marked PENDING there; no payments row. */
    private DueItem takenOverAndPending(String subscriptionId, String staleRun, String laterRun) {
        DueItem item = DueItem.of(app.lookup("subscriptionStore", SubscriptionStore.class).find(subscriptionId).orElseThrow(),
                app.lookup("billingCalendar", BillingCalendar.class));
        assertThat(attempts.claim(item, staleRun, "gc-node")).isTrue();
        BillingFixtures.sql(app).update("UPDATE billing_attempts SET run_id = :?runId, state = 'PENDING', claimed_by = 'other'"
                + " WHERE payment_id = :?paymentId", Map.of("runId", laterRun, "paymentId", item.paymentId()));
        return item;
    }

    private void completedRun(String runId) {
        BillingFixtures.insertRun(app, runId, Instant.parse("2026-11-30T18:00:00Z"), "other", 0);
        BillingFixtures.sql(app).update("UPDATE billing_runs SET status = 'COMPLETED', running_lock = NULL,"
                + " finished_at = CURRENT_TIMESTAMP WHERE run_id = :?runId", Map.of("runId", runId));
    }

    /** Run {@code runId}'s dispatch of {@code item} answered {@code problem}: as billing-charge-due hands it on. */
    private void notSent(DueItem item, String runId, Problem problem) {
        Exchange exchange = new DefaultExchange(app.context());
        exchange.setProperty(ExchangeProperties.BILLING_ITEM, item);
        exchange.setProperty(ExchangeProperties.BILLING_RUN,
                app.lookup("billingRunStore", BillingRunStore.class).find(runId).orElseThrow());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new ProblemException(problem));
        app.lookup("billingRunService", BillingRunService.class).notSent(exchange);
    }

    @Test
    void theStaleRunsNotAttemptedAnswerGivesTheAttemptBackWhoeverHoldsItNow() {
        BillingFixtures.insert(app, "gc", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        completedRun("run-later");
        BillingFixtures.insertRun(app, "run-stale", Instant.parse("2026-11-30T18:00:00Z"), "gc-node", 0);
        DueItem item = takenOverAndPending("gc00000", "run-stale", "run-later");

        // the stale run's dispatch answers 503 (not attempted; the payment row was forgotten)
        notSent(item, "run-stale", new Problem(
                "https://paybridge.dev/problems/vendor-not-reached", "Charge not attempted", 503, "refused", List.of()));
        assertThat(attempts.find(item.paymentId())).as("given back").isNull();

        BillingFixtures.sql(app).update("UPDATE billing_runs SET status = 'FAILED', running_lock = NULL"
                + " WHERE run_id = 'run-stale'", Map.of());
        long before = charges(app, "steppay");
        run(app, AS_OF);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(subscription(app, "gc00000").path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");
    }

    /**
     * Two sends of one attempt id at once (a run declared stale and its taker): one records the payment and
     * forgets it as not attempted; the other, whose insert met that row and whose read found it gone, is
     * answered 409 "changed concurrently". Neither reached the vendor: the attempt is given back, never a
     * decline that would start dunning on a card nobody tried.
     */
    @Test
    void aSendThatMetAnotherSendOfTheSameIdForgottenIsGivenBackNotDeclined() {
        BillingFixtures.insert(app, "twice", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        BillingFixtures.insertRun(app, "run-taker", Instant.parse("2026-11-30T18:00:00Z"), "node-b", 0);
        DueItem item = DueItem.of(app.lookup("subscriptionStore", SubscriptionStore.class).find("twice00000").orElseThrow(),
                app.lookup("billingCalendar", BillingCalendar.class));
        assertThat(attempts.claim(item, "run-taker", "node-b")).isTrue();

        notSent(item, "run-taker", new Problem(
                paybridge.payments.ChargeService.CHANGED_CONCURRENTLY, "Payment changed concurrently", 409, "Try again",
                List.of()));
        assertThat(attempts.find(item.paymentId())).as("given back").isNull();
        assertThat(subscription(app, "twice00000").path("retry").isMissingNode()
                || subscription(app, "twice00000").path("retry").isNull()).as("no dunning").isTrue();

        BillingFixtures.sql(app).update("UPDATE billing_runs SET status = 'FAILED', running_lock = NULL"
                + " WHERE run_id = 'run-taker'", Map.of());
        long before = charges(app, "steppay");
        run(app, AS_OF);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/" + item.paymentId()).json().path("status").asText()).isEqualTo("PAID");
    }

    @Test
    void anAttemptLeftPendingWithoutAPaymentIsSentByTheNextRun() {
        BillingFixtures.insert(app, "stuck", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        completedRun("run-later");
        completedRun("run-stale");
        DueItem item = takenOverAndPending("stuck00000", "run-stale", "run-later");
        long before = charges(app, "steppay");

        run(app, AS_OF);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/" + item.paymentId()).json().path("status").asText()).isEqualTo("PAID");
        assertThat(((String) attempts.find(item.paymentId()).get("state")).trim()).isEqualTo("PAID");
        assertThat(subscription(app, "stuck00000").path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");

        run(app, AS_OF);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
    }
}
