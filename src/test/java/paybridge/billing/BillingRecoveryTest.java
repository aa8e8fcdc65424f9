package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
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
import paybridge.testing.RunningPaybridge;

/**
 * A run that died halfway (its node stopped: a RUNNING run with a stale heartbeat, claims in every
 * stage), then the next run: no period twice, none missed (CONTRACT §3). Also NOT_CHARGED and UNKNOWN.
 */
class BillingRecoveryTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final LocalDate PERIOD = LocalDate.of(2026, 12, 1);
    private RunningPaybridge app;
    private SubscriptionStore subscriptions;
    private BillingAttemptStore attempts;
    private PaymentStore payments;
    private BillingCalendar calendar;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start(Map.of("paybridge.billing.concurrency", "8"));
        subscriptions = app.lookup("subscriptionStore", SubscriptionStore.class);
        attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        payments = app.lookup("paymentStore", PaymentStore.class);
        calendar = app.lookup("billingCalendar", BillingCalendar.class);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    /** Claims the subscription's current attempt for the dead run, as its node did before it stopped. */
    private DueItem claimForDeadRun(String subscriptionId) {
        DueItem item = DueItem.of(subscriptions.find(subscriptionId).orElseThrow(), calendar);
        assertThat(attempts.claim(item, "run-dead", "dead-node")).isTrue();
        return item;
    }

    @Test
    void aRunStoppedHalfwayIsFinishedByTheNextWithoutChargingAnyPeriodTwice() {
        BillingFixtures.insert(app, "crash", 10, "steppay", STEPPAY_KEY, 9900, DUE);
        BillingFixtures.insertRun(app, "run-dead", Instant.parse("2026-11-30T18:00:00Z"), "dead-node", 60);
        // crash00000-02: claimed, never handed to dispatch (the node died before the vendor call)
        for (int i = 0; i < 3; i++) {
            claimForDeadRun("crash0000" + i);
        }
        // crash00003-05: claimed and charged (PAID at the vendor and in payments), outcome never applied
        for (int i = 3; i < 6; i++) {
            DueItem item = claimForDeadRun("crash0000" + i);
            JsonNode paid = app.postJson("/api/payments", """
                    {"paymentId": "%s", "vendor": "steppay", "method": "BILLING_KEY", "amount": 9900,
                     "orderName": "Premium plan", "customer": {"id": "u"}, "billingKey": "%s", "subscriptionId": "%s"}"""
                    .formatted(item.paymentId(), STEPPAY_KEY, item.subscriptionId())).json();
            assertThat(paid.path("status").asText()).isEqualTo("PAID");
        }
        // crash00006-07: recorded as sent, outcome unknown (may have reached the vendor): never re-sent
        for (int i = 6; i < 8; i++) {
            DueItem item = claimForDeadRun("crash0000" + i);
            payments.insert(item.command(), "test");
        }
        // crash00008-09: untouched
        long before = charges(app, "steppay");

        JsonNode r = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(app.get("/api/billing-runs/run-dead").json().path("status").asText()).isEqualTo("FAILED");
        // due: 10 periods; sent now: 3 stale claims + 2 untouched; 3 were paid before (applied, not sent);
        // 2 wait on their open outcome (skipped)
        assertThat(r.path("counts").path("due").asInt()).isEqualTo(7);
        assertThat(r.path("counts").path("paid").asInt()).isEqualTo(5);
        assertThat(r.path("counts").path("skipped").asInt()).isEqualTo(2);
        assertThat(charges(app, "steppay")).isEqualTo(before + 5);
        for (int i = 0; i < 10; i++) {
            JsonNode s = subscription(app, "crash0000" + i);
            String expected = i == 6 || i == 7 ? DUE : "2027-01-01T00:00:00+09:00";
            assertThat(s.path("nextBillingAt").asText()).as("crash0000%d", i).isEqualTo(expected);
        }

        // a second run at the same time: nothing is sent again
        JsonNode again = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(again.path("counts").path("paid").asInt()).isZero();
        assertThat(again.path("counts").path("skipped").asInt()).isEqualTo(2);
        assertThat(charges(app, "steppay")).isEqualTo(before + 5);

        // the open ones are settled (here: an operator found them PAID): the next run applies it, sends nothing
        for (int i = 6; i < 8; i++) {
            JsonNode resolved = app.postJson("/api/payments/crash0000" + i + "-20261201/resolve",
                    "{\"status\": \"PAID\", \"reason\": \"checked at the vendor\"}")
                    .json();
            assertThat(resolved.path("status").asText()).isEqualTo("PAID");
        }
        JsonNode third = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(third.path("counts").path("due").asInt()).isZero();
        assertThat(charges(app, "steppay")).isEqualTo(before + 5);
        assertThat(subscription(app, "crash00006").path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");
    }

    @Test
    void iamportNotChargedSendsThePeriodsNextAttemptIdAtOnce() {
        JsonNode keyIn = app.postJson("/api/payments", """
                {"paymentId": "first-nc", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                 "orderName": "Premium plan", "customer": {"id": "user-nc"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": true}""").json();
        String key = keyIn.path("billingKey").asText();
        assertThat(app.postJson("/api/subscriptions", BillingFixtures.subscriptionJson("nc-1", "user-nc", "iamport", key, 9900, "P1M", DUE))
                .status()).isEqualTo(201);
        DueItem item = claimForDeadRun("nc-1");
        payments.insert(item.command(), "test");
        // reconcile looked it up: iamport has no such merchant_uid
        payments.settleOpen(item.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_DECLINED),
                null, null, new Failure("NOT_CHARGED", "The vendor has no payment for this paymentId: it was never charged"));
        long before = charges(app, "iamport");

        JsonNode r = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(r.path("counts").path("paid").asInt()).isEqualTo(1);
        assertThat(charges(app, "iamport")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/nc-1-20261201-r1").json().path("status").asText()).isEqualTo("PAID");
        JsonNode s = subscription(app, "nc-1");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");
        assertThat(s.path("lastPaymentId").asText()).isEqualTo("nc-1-20261201-r1");
        assertThat(s.path("retry").isNull()).isTrue();
    }

    @Test
    void steppayUnknownIsNeverResentAutomatically() {
        BillingFixtures.insert(app, "unk", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        DueItem item = claimForDeadRun("unk00000");
        payments.insert(item.command(), "test");
        payments.settleOpen(item.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.ANSWER_LOST),
                null, null, new Failure("TIMEOUT", "no answer"));
        long before = charges(app, "steppay");
        for (String asOf : new String[] {"2026-12-01T03:00:00+09:00", "2026-12-09T03:00:00+09:00"}) {
            JsonNode r = run(app, asOf);
            assertThat(r.path("counts").path("due").asInt()).isEqualTo(1);
            assertThat(r.path("counts").path("skipped").asInt()).isEqualTo(1);
        }
        assertThat(charges(app, "steppay")).isEqualTo(before);
        assertThat(subscription(app, "unk00000").path("state").asText()).isEqualTo("ACTIVE");
        assertThat(attempts.find(item.paymentId()).get("state")).isEqualTo("UNKNOWN");
        assertThat(OffsetDateTime.parse(subscription(app, "unk00000").path("nextBillingAt").asText()).toLocalDate())
                .isEqualTo(PERIOD);
    }
}
