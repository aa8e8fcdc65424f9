package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.BillingAttemptState;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * A crash between a billing attempt's outcome and its subscription's move (CONTRACT §5: no subscription
 * left behind its decided attempt): the two are one transaction, and rows an earlier version left
 * broken are healed by the next run, without charging any period twice. On H2 and PostgreSQL.
 */
class BillingCrashTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";
    private static final String NEXT = "2027-01-01T00:00:00+09:00";

    @Test
    void onH2() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.concurrency", "4"))) {
            aFailedSubscriptionUpdateLeavesNoDecidedAttemptBehind(app, false);
            aDecidedAttemptWhoseSubscriptionNeverMovedIsHealedByTheNextRun(app);
        }
    }

    @Test
    void onPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(),
                     "paybridge.db.user", pg.user(), "paybridge.db.password", "",
                     "paybridge.billing.quartz.instance-name", "paybridge-crash", "paybridge.billing.concurrency", "4"))) {
            aFailedSubscriptionUpdateLeavesNoDecidedAttemptBehind(app, true);
            aDecidedAttemptWhoseSubscriptionNeverMovedIsHealedByTheNextRun(app);
        }
    }

    /** The database refuses the subscription's UPDATE after the vendor charged: the attempt stays open, then heals. */
    private static void aFailedSubscriptionUpdateLeavesNoDecidedAttemptBehind(RunningPaybridge app, boolean postgres) {
        BillingFixtures.insert(app, SubscriptionUpdateFailure.PREFIX, 1, "steppay", STEPPAY_KEY, 9900, DUE);
        String id = SubscriptionUpdateFailure.PREFIX + "00000";
        String paymentId = id + "-20261201";
        long before = charges(app, "steppay");
        SubscriptionUpdateFailure.install(app, postgres);
        try {
            run(app, AS_OF);
        } finally {
            SubscriptionUpdateFailure.remove(app, postgres);
        }
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/" + paymentId).json().path("status").asText()).isEqualTo("PAID");
        Map<String, Object> attempt = attempt(app, paymentId);
        assertThat(subscription(app, id).path("nextBillingAt").asText()).isEqualTo(DUE);
        // the subscription did not move, so neither did the attempt: it is still open, for the next run to apply
        assertThat(BillingAttemptState.of(attempt.get("state"))).as("attempt left decided with its subscription behind")
                .isIn(BillingAttemptStore.OPEN);

        JsonNode next = run(app, AS_OF);
        assertThat(next.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(((String) attempt(app, paymentId).get("state")).trim()).isEqualTo("PAID");
        JsonNode s = subscription(app, id);
        assertThat(s.path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(s.path("lastPaymentId").asText()).isEqualTo(paymentId);
    }

    /**
     * Rows as a crash between the two auto-commit statements of earlier versions left them: the attempt
     * PAID / DECLINED / NOT_CHARGED, its subscription still on that attempt. The next run moves each
     * subscription as the outcome says and charges nothing twice.
     */
    private static void aDecidedAttemptWhoseSubscriptionNeverMovedIsHealedByTheNextRun(RunningPaybridge app) {
        BillingFixtures.insert(app, "left", 3, "steppay", STEPPAY_KEY, 9900, DUE);
        BillingFixtures.insertRun(app, "run-crashed", Instant.parse("2026-11-30T18:00:00Z"), "dead-node", 60);
        SubscriptionStore subscriptions = app.lookup("subscriptionStore", SubscriptionStore.class);
        BillingAttemptStore attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        BillingCalendar calendar = app.lookup("billingCalendar", BillingCalendar.class);
        PaymentStore payments = app.lookup("paymentStore", PaymentStore.class);
        String[] states = {"PAID", "DECLINED", "NOT_CHARGED"};
        for (int i = 0; i < states.length; i++) {
            DueItem item = DueItem.of(subscriptions.find("left0000" + i).orElseThrow(), calendar);
            assertThat(attempts.claim(item, "run-crashed", "dead-node")).isTrue();
            payments.insert(item.command(), "test");
            Transition paid = PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_PAID);
            Transition declined = PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_DECLINED);
            switch (states[i]) {
                case "PAID" -> payments.settleOpen(item.paymentId(), paid, "ref-" + i, null, null);
                case "DECLINED" -> payments.settleOpen(item.paymentId(), declined, null, null,
                        new Failure("CARD_DECLINED", "declined"));
                default -> payments.settleOpen(item.paymentId(), declined, null, null,
                        new Failure("NOT_CHARGED", "never charged"));
            }
            // the attempt's UPDATE committed, the subscription's never ran
            Map<String, Object> p = new HashMap<>();
            p.put("paymentId", item.paymentId());
            p.put("state", states[i]);
            BillingFixtures.sql(app).update("""
                    UPDATE billing_attempts SET state = :?state,
                        paid_period = CASE WHEN :?state = 'PAID' THEN period_date END,
                        paid_period_index = CASE WHEN :?state = 'PAID' THEN period_index END
                    WHERE payment_id = :?paymentId""", p);
        }
        long before = charges(app, "steppay");

        JsonNode r = run(app, AS_OF);
        assertThat(r.path("status").asText()).isEqualTo("COMPLETED");
        JsonNode paid = subscription(app, "left00000");
        assertThat(paid.path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(paid.path("lastPaymentId").asText()).isEqualTo("left00000-20261201");
        JsonNode declined = subscription(app, "left00001");
        assertThat(declined.path("nextBillingAt").asText()).isEqualTo(DUE);
        assertThat(declined.path("retry").path("attempt").asInt()).isEqualTo(1);
        assertThat(declined.path("retry").path("nextRetryAt").asText()).isEqualTo("2026-12-02T00:00:00+09:00");
        // never charged: its next attempt id is due at once, and this run sent it
        assertThat(app.get("/api/payments/left00002-20261201-r1").json().path("status").asText()).isEqualTo("PAID");
        assertThat(subscription(app, "left00002").path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);

        run(app, AS_OF);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/left00000-20261201-r1").status()).isEqualTo(404);
        assertThat(app.get("/api/payments/left00001-20261201-r1").status()).isEqualTo(404);
    }

    static Map<String, Object> attempt(RunningPaybridge app, String paymentId) {
        return app.lookup("billingAttemptStore", BillingAttemptStore.class).find(paymentId);
    }

    static Sql sql(RunningPaybridge app) {
        return BillingFixtures.sql(app);
    }
}
