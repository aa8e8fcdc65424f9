package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * A period's next attempt is never claimed while an earlier attempt of the period is charged at the vendor:
 * a "never charged" conclusion (the subscription moved on to its retry) that the vendor's record then
 * overturned to PAID, before any run applied that to the subscription. Claimed, the retry would charge the
 * period a second time; refused, the subscription waits on the period until the next run's prepare moves it on.
 */
class BillingClaimGuardTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of("paybridge.billing.join-interval", "PT1H"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** The subscription {@code <prefix>00000} due at {@code due}, and its first attempt claimed by run-a. */
    private static DueItem firstClaimed(String prefix, String due) {
        BillingFixtures.insert(app, prefix, 1, "steppay", STEPPAY_KEY, 9900, due);
        DueItem first = dueItem(prefix + "00000");
        assertThat(attempts().claim(first, "run-a", "node-a")).isTrue();
        return first;
    }

    private static DueItem dueItem(String subscriptionId) {
        return DueItem.of(app.lookup("subscriptionStore", SubscriptionStore.class).find(subscriptionId).orElseThrow(),
                app.lookup("billingCalendar", BillingCalendar.class));
    }

    private static BillingAttemptStore attempts() {
        return app.lookup("billingAttemptStore", BillingAttemptStore.class);
    }

    /** The first attempt's payment row (as the payments side records it) and the subscription moved to its retry. */
    private static void firstConcludedNeverCharged(DueItem first, String paymentStatus, String failureCode) {
        var sql = BillingFixtures.sql(app);
        Map<String, Object> p = new java.util.HashMap<>(Map.of("id", first.paymentId(), "status", paymentStatus,
                "subscriptionId", first.subscription().subscriptionId()));
        p.put("failureCode", failureCode);
        assertThat(sql.update("""
                INSERT INTO payments (payment_id, request_hash, vendor, method, amount, status, failure_code,
                    created_at, updated_at, in_flight_until, subscription_id)
                VALUES (:?id, 'h', 'steppay', 'BILLING_KEY', 9900, :?status, :?failureCode, CURRENT_TIMESTAMP,
                    CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :?subscriptionId)""", p)).isEqualTo(1);
        sql.update("UPDATE billing_attempts SET state = 'NOT_CHARGED' WHERE payment_id = :?id", Map.of("id", first.paymentId()));
        sql.update("UPDATE subscriptions SET retry_attempt = 1, next_retry_at = CURRENT_TIMESTAMP"
                + " WHERE subscription_id = :?id", Map.of("id", first.subscription().subscriptionId()));
    }

    private static void firstPaymentIs(DueItem first, String status, String failureCode) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("id", first.paymentId(), "status", status));
        p.put("failureCode", failureCode);
        BillingFixtures.sql(app).update("UPDATE payments SET status = :?status, failure_code = :?failureCode"
                + " WHERE payment_id = :?id", p);
    }

    /**
     * An attempt claimed before attempts kept their own copy of the terms (no billing key on its row) was
     * charged with the subscription's key: its HARD decline is on the subscription's card and makes it
     * PAST_DUE, as for any attempt whose key is still the subscription's.
     */
    @Test
    void aHardDeclineOfAnAttemptClaimedWithoutItsOwnTermsIsOnTheSubscriptionsKey() {
        BillingFixtures.insert(app, "leg", 1, "iamport", "cu_leg", 9900, "2026-12-01T00:00:00+09:00");
        SubscriptionStore subscriptions = app.lookup("subscriptionStore", SubscriptionStore.class);
        BillingAttemptStore attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        DueItem item = DueItem.of(subscriptions.find("leg00000").orElseThrow(),
                app.lookup("billingCalendar", BillingCalendar.class));
        assertThat(attempts.claim(item, "run-old", "node-a")).isTrue();
        var sql = BillingFixtures.sql(app);
        // as an older version claimed it: no terms of its own
        sql.update("UPDATE billing_attempts SET vendor = NULL, billing_key = NULL, amount = NULL WHERE payment_id = :?id",
                Map.of("id", item.paymentId()));
        // its charge declined HARD (iamport F113: the card expired), not applied to billing yet
        assertThat(sql.update("""
                INSERT INTO payments (payment_id, request_hash, vendor, method, amount, status, failure_code,
                    created_at, updated_at, in_flight_until, subscription_id)
                VALUES (:?id, 'h', 'iamport', 'BILLING_KEY', 9900, 'FAILED', 'F113', CURRENT_TIMESTAMP,
                    CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'leg00000')""", Map.of("id", item.paymentId()))).isEqualTo(1);

        assertThat(app.lookup("billingRunService", BillingRunService.class).settleEarlierAttempts("run-now")).isEqualTo(1);
        Subscription s = subscriptions.find("leg00000").orElseThrow();
        assertThat(s.state()).isEqualTo("PAST_DUE");
    }

    @Test
    void theRetryOfAPeriodWhoseEarlierAttemptProvedChargedIsNotClaimed() {
        DueItem first = firstClaimed("ovr", "2026-12-01T00:00:00+09:00");
        // the first attempt concluded never charged, the subscription moved to its retry; then the
        // vendor's record showed the first attempt charged (its payment PAID), nothing applied to billing yet
        firstConcludedNeverCharged(first, "PAID", null);

        DueItem retry = dueItem("ovr00000");
        assertThat(retry.attemptNo()).isEqualTo(1);
        assertThat(attempts().claim(retry, "run-b", "node-b")).as("the period is paid: its retry never claimed").isFalse();
        assertThat(attempts().find(retry.paymentId())).isNull();

        // an ordinary retry (the earlier attempt not charged) is claimed as before
        firstPaymentIs(first, "FAILED", "NOT_CHARGED");
        assertThat(attempts().claim(retry, "run-b", "node-b")).isTrue();
    }

    /**
     * An attempt left by a dead run is taken over under the same rule as a claim: not while an earlier attempt
     * of the period proved charged (the retry was claimed before the vendor's record overturned its "never
     * charged"; taken over, it would charge the period a second time).
     */
    @Test
    void anAbandonedRetryOfAPeriodWhoseEarlierAttemptProvedChargedIsNotTakenOver() {
        DueItem first = firstClaimed("tko", "2026-12-01T00:00:00+09:00");
        firstConcludedNeverCharged(first, "FAILED", "NOT_CHARGED");
        // the retry claimed by a run whose node then died before sending it (no payments row)
        DueItem retry = dueItem("tko00000");
        assertThat(attempts().claim(retry, "run-b", "node-b")).isTrue();

        // meanwhile the vendor's record overturned the first attempt's "never charged"
        firstPaymentIs(first, "PAID", null);
        assertThat(attempts().takeOver(retry.paymentId(), "run-c", "node-c"))
                .as("the period is paid: its abandoned retry is not taken over").isFalse();
        assertThat(attempts().find(retry.paymentId()).get("run_id")).isEqualTo("run-b");

        // not charged after all: taken over as before
        firstPaymentIs(first, "FAILED", "NOT_CHARGED");
        assertThat(attempts().takeOver(retry.paymentId(), "run-c", "node-c")).isTrue();
    }

    /**
     * One attempt per subscription per run: a subscription several periods behind, its period paid by one
     * node, is not charged for the next period in the same run by another node that reads it later in the
     * due list (nor retried at once after a decline); the next run claims it.
     */
    @Test
    void aRunClaimsOneAttemptPerSubscription() {
        DueItem october = firstClaimed("one", "2026-10-01T00:00:00+09:00");
        // October paid: the subscription moves on to November, still due
        BillingFixtures.sql(app).update("UPDATE subscriptions SET period_index = period_index + 1,"
                + " next_billing_at = TIMESTAMP WITH TIME ZONE '2026-11-01 00:00:00+09:00'"
                + " WHERE subscription_id = 'one00000'", Map.of());
        DueItem november = dueItem("one00000");
        assertThat(november.paymentId()).isNotEqualTo(october.paymentId());

        assertThat(attempts().claim(november, "run-a", "node-b")).as("the same run, another node").isFalse();
        assertThat(attempts().find(november.paymentId())).isNull();
        assertThat(attempts().claim(november, "run-next", "node-b")).as("the next run").isTrue();
    }
}
