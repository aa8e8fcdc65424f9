package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.Lifecycle.chargesOnKey;
import static paybridge.billing.Lifecycle.create;
import static paybridge.billing.Lifecycle.dueTenDaysAgo;
import static paybridge.billing.Lifecycle.expireCard;
import static paybridge.billing.Lifecycle.iamportRecord;
import static paybridge.billing.Lifecycle.iso;
import static paybridge.billing.Lifecycle.patch;
import static paybridge.billing.Lifecycle.periodId;
import static paybridge.billing.Lifecycle.resume;
import static paybridge.billing.Lifecycle.runAt;
import static paybridge.billing.Lifecycle.storeIamportCard;
import static paybridge.billing.Lifecycle.subscriptionJson;

import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * The subscription lifecycle over real HTTP with the sandbox (CONTRACT §2-3): a HARD decline makes the
 * subscription PAST_DUE at once and is never retried; PATCH a new key, resume, charged once on the new
 * key; a SOFT decline runs P1D/P3D/P7D and a resume restarts that schedule; failure.category in
 * PaymentResult; hard-decline-codes from the settings. Each test has its own instance and database.
 */
class SubscriptionLifecycleTest {
    private RunningPaybridge app;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start();
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void anExpiredCardIsPastDueAtOnceThenANewKeyAndAResumeChargeItOnceAndTheOldKeyNeverAgain() {
        expiredCardThenNewKey(app, "exp");
    }

    @Test
    void onPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge onPg = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(),
                     "paybridge.db.user", pg.user(), "paybridge.db.password", "",
                     "paybridge.billing.quartz.instance-name", "paybridge-lifecycle"))) {
            expiredCardThenNewKey(onPg, "pgx");
            softDeclinesThenResume(onPg, "pgs");
        }
    }

    static void expiredCardThenNewKey(RunningPaybridge app, String id) {
        OffsetDateTime due = dueTenDaysAgo();
        String customer = "user-" + id;
        String oldKey = "cu_" + id + "_old";
        String newKey = "cu_" + id + "_new";
        storeIamportCard(app, id + "-card-1", customer, oldKey);
        create(app, subscriptionJson(id, customer, "iamport", oldKey, 9900, due));
        expireCard(app, oldKey);

        // the period's charge: declined on the expired card ([F113], HARD) -> PAST_DUE at once, no retry
        String first = periodId(id, due);
        JsonNode run = runAt(app, due.plusHours(3));
        assertThat(run.path("counts").path("declined").asInt()).isEqualTo(1);
        assertThat(run.path("hardDeclined")).hasSize(1);
        assertThat(run.path("hardDeclined").get(0).path("subscriptionId").asText()).isEqualTo(id);
        assertThat(run.path("hardDeclined").get(0).path("paymentId").asText()).isEqualTo(first);
        JsonNode s = subscription(app, id);
        assertThat(s.path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(s.path("retry").isNull()).isTrue();
        assertThat(s.path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        assertThat(s.path("pastDue").path("lastPaymentId").asText()).isEqualTo(first);
        assertThat(s.path("pastDue").path("since").asText()).isNotBlank();
        JsonNode declined = app.get("/api/payments/" + first).json();
        assertThat(declined.path("status").asText()).isEqualTo("FAILED");
        assertThat(declined.path("failure").path("category").asText()).isEqualTo("HARD");
        assertThat(declined.path("failure").path("message").asText()).contains("[F113]");
        assertThat(chargesOnKey(app, oldKey)).isEqualTo(2); // the card check and the declined period

        // past every dunning offset: never retried on that key
        assertThat(runAt(app, due.plusDays(8).plusHours(3)).path("counts").path("due").asInt()).isZero();
        assertThat(chargesOnKey(app, oldKey)).isEqualTo(2);

        // resuming on the same key would charge a card that can never succeed
        Response sameKey = resume(app, id, null);
        assertThat(sameKey.status()).as(sameKey.body()).isEqualTo(422);
        assertThat(sameKey.contentType()).startsWith("application/problem+json");
        assertThat(Lifecycle.fields(sameKey)).containsExactly("billingKey");
        assertThat(subscription(app, id)).isEqualTo(s);

        // the customer enters a new card; PATCH puts it on the subscription; resume
        storeIamportCard(app, id + "-card-2", customer, newKey);
        Response patched = patch(app, id, "{\"billingKey\": \"" + newKey + "\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("billingKey").asText()).isEqualTo(newKey);
        assertThat(patched.json().path("state").asText()).isEqualTo("PAST_DUE");
        Response resumed = resume(app, id, null);
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        assertThat(resumed.json().path("state").asText()).isEqualTo("ACTIVE");
        assertThat(resumed.json().path("pastDue").isNull()).isTrue();
        assertThat(resumed.json().path("retry").path("attempt").asInt()).isEqualTo(1);
        String retryAt = resumed.json().path("retry").path("nextRetryAt").asText();
        assertThat(OffsetDateTime.parse(retryAt)).isAfter(due.plusDays(9));
        // a second resume: it is ACTIVE now
        assertThat(resume(app, id, null).status()).isEqualTo(409);

        // the unpaid period's next attempt id, due at once: charged once, on the new key
        JsonNode afterResume = runAt(app, retryAt);
        assertThat(afterResume.path("counts").path("paid").asInt()).isEqualTo(1);
        assertThat(afterResume.path("retriesDue").asInt()).isEqualTo(1);
        JsonNode paid = app.get("/api/payments/" + first + "-r1").json();
        assertThat(paid.path("status").asText()).isEqualTo("PAID");
        assertThat(paid.path("billingKey").asText()).isEqualTo(newKey);
        assertThat(iamportRecord(app, first + "-r1").path("customer_uid").asText()).isEqualTo(newKey);
        s = subscription(app, id);
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("lastPaymentId").asText()).isEqualTo(first + "-r1");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo(iso(due.plusMonths(1)));
        assertThat(s.path("retry").isNull()).isTrue();

        // nothing more for that period, and the old key is never charged again
        assertThat(runAt(app, retryAt).path("counts").path("due").asInt()).isZero();
        assertThat(chargesOnKey(app, newKey)).isEqualTo(2); // its card check and the period
        assertThat(chargesOnKey(app, oldKey)).isEqualTo(2);
    }

    @Test
    void aKeyDeclinedHardOnAnyEarlierAttemptIsNeverChargedAgainByAResumeOrAPatch() {
        OffsetDateTime due = dueTenDaysAgo();
        String customer = "user-back";
        String k1 = "cu_back_1";
        String k2 = "cu_back_2";
        String k3 = "cu_back_3";
        storeIamportCard(app, "back-card-1", customer, k1);
        storeIamportCard(app, "back-card-2", customer, k2);
        storeIamportCard(app, "back-card-3", customer, k3);
        create(app, subscriptionJson("back", customer, "iamport", k1, 9900, due));
        String first = periodId("back", due);

        // HARD on K1, resumed on K2, HARD on K2
        expireCard(app, k1);
        runAt(app, due.plusHours(3));
        assertThat(subscription(app, "back").path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        Response onK2 = resume(app, "back", "{\"billingKey\": \"" + k2 + "\"}");
        assertThat(onK2.status()).as(onK2.body()).isEqualTo(200);
        expireCard(app, k2);
        runAt(app, onK2.json().path("retry").path("nextRetryAt").asText());
        JsonNode s = subscription(app, "back");
        assertThat(s.path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        assertThat(s.path("pastDue").path("lastPaymentId").asText()).isEqualTo(first + "-r1");
        assertThat(s.path("billingKey").asText()).isEqualTo(k2);

        // back to K1: its card was declined HARD before, so neither a resume nor a PATCH may bring it back
        Response backToK1 = resume(app, "back", "{\"billingKey\": \"" + k1 + "\"}");
        assertThat(backToK1.status()).as(backToK1.body()).isEqualTo(422);
        assertThat(Lifecycle.fields(backToK1)).containsExactly("billingKey");
        Response patchToK1 = patch(app, "back", "{\"billingKey\": \"" + k1 + "\"}");
        assertThat(patchToK1.status()).as(patchToK1.body()).isEqualTo(422);
        assertThat(subscription(app, "back")).isEqualTo(s);

        // a new card: resumed and charged on K3
        Response onK3 = resume(app, "back", "{\"billingKey\": \"" + k3 + "\"}");
        assertThat(onK3.status()).as(onK3.body()).isEqualTo(200);
        runAt(app, onK3.json().path("retry").path("nextRetryAt").asText());
        assertThat(iamportRecord(app, first + "-r2").path("status").asText()).isEqualTo("paid");
        JsonNode active = subscription(app, "back");
        assertThat(active.path("state").asText()).isEqualTo("ACTIVE");

        // ACTIVE: a PATCH back to either HARD-declined key is refused, nothing changed
        for (String declinedKey : new String[] {k1, k2}) {
            Response back = patch(app, "back", "{\"billingKey\": \"" + declinedKey + "\", \"amount\": 5000}");
            assertThat(back.status()).as(back.body()).isEqualTo(422);
            assertThat(back.contentType()).startsWith("application/problem+json");
            assertThat(Lifecycle.fields(back)).containsExactly("billingKey");
        }
        assertThat(subscription(app, "back")).isEqualTo(active);
        // a PATCH that keeps the key is still fine
        assertThat(patch(app, "back", "{\"amount\": 5000}").status()).isEqualTo(200);
        assertThat(chargesOnKey(app, k1)).isEqualTo(2); // its card check and the first period
        assertThat(chargesOnKey(app, k2)).isEqualTo(2);
    }

    @Test
    void aSoftDeclineIsRetriedP1dP3dP7dThenPastDueAndAResumeRestartsTheScheduleFromTheResume() {
        softDeclinesThenResume(app, "soft");
    }

    static void softDeclinesThenResume(RunningPaybridge app, String id) {
        OffsetDateTime due = dueTenDaysAgo();
        String key = "cu_" + id;
        storeIamportCard(app, id + "-card", "user-" + id, key);
        // sandbox amount 4001: iamport `again` answers status failed, fail_reason "[4004] 잔액부족" (not HARD)
        create(app, subscriptionJson(id, "user-" + id, "iamport", key, 4001, due));
        String first = periodId(id, due);

        runAt(app, due.plusHours(3));
        assertThat(app.get("/api/payments/" + first).json().path("failure").path("category").asText()).isEqualTo("SOFT");
        JsonNode s = subscription(app, id);
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("retry").path("attempt").asInt()).isEqualTo(1);
        assertThat(s.path("retry").path("nextRetryAt").asText()).isEqualTo(iso(due.plusDays(1)));

        // a dry run lists the retry as a retry
        JsonNode dry = BillingFixtures.awaitRun(app, BillingFixtures.startRun(app, iso(due.plusDays(1).plusHours(3)), true),
                java.time.Duration.ofSeconds(30));
        assertThat(dry.path("items")).hasSize(1);
        assertThat(dry.path("items").get(0).path("paymentId").asText()).isEqualTo(first + "-r1");
        assertThat(dry.path("items").get(0).path("retry").asBoolean()).isTrue();
        assertThat(dry.path("items").get(0).path("attempt").asInt()).isEqualTo(1);
        assertThat(dry.path("retriesDue").asInt()).isEqualTo(1);

        JsonNode r1 = runAt(app, due.plusDays(1).plusHours(3));
        assertThat(r1.path("retriesDue").asInt()).isEqualTo(1);
        assertThat(r1.path("hardDeclined")).isEmpty();
        assertThat(subscription(app, id).path("retry").path("nextRetryAt").asText()).isEqualTo(iso(due.plusDays(3)));
        runAt(app, due.plusDays(3).plusHours(3));
        assertThat(subscription(app, id).path("retry").path("nextRetryAt").asText()).isEqualTo(iso(due.plusDays(7)));
        runAt(app, due.plusDays(7).plusHours(3));
        s = subscription(app, id);
        assertThat(s.path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(s.path("pastDue").path("reason").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(s.path("pastDue").path("lastPaymentId").asText()).isEqualTo(first + "-r3");

        // resume (same key: it was never declined HARD): -r4 due at once
        Response resumed = resume(app, id, null);
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        assertThat(resumed.json().path("retry").path("attempt").asInt()).isEqualTo(4);
        OffsetDateTime resumedAt = OffsetDateTime.parse(resumed.json().path("retry").path("nextRetryAt").asText());
        // declined again: the schedule starts over, counted from the resume
        runAt(app, resumedAt);
        s = subscription(app, id);
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("retry").path("attempt").asInt()).isEqualTo(5);
        assertThat(OffsetDateTime.parse(s.path("retry").path("nextRetryAt").asText()).toInstant())
                .isEqualTo(resumedAt.plusDays(1).toInstant());

        // the customer's limit is raised / the price changes: the next attempt, not yet claimed, takes it
        Response patched = patch(app, id, "{\"amount\": 9900, \"orderName\": \"Premium plan (new price)\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        runAt(app, resumedAt.plusDays(1));
        JsonNode paid = app.get("/api/payments/" + first + "-r5").json();
        assertThat(paid.path("status").asText()).isEqualTo("PAID");
        assertThat(paid.path("amount").asLong()).isEqualTo(9900);
        assertThat(iamportRecord(app, first + "-r5").path("name").asText()).isEqualTo("Premium plan (new price)");
        assertThat(app.get("/api/payments/" + first + "-r4").json().path("amount").asLong()).isEqualTo(4001);
        assertThat(subscription(app, id).path("nextBillingAt").asText()).isEqualTo(iso(due.plusMonths(1)));
    }

    @Test
    void resumeWithANewKeyInTheBodyIsTheCommonCase() {
        OffsetDateTime due = dueTenDaysAgo();
        storeIamportCard(app, "body-card-1", "user-body", "cu_body_old");
        create(app, subscriptionJson("body", "user-body", "iamport", "cu_body_old", 9900, due));
        expireCard(app, "cu_body_old");
        runAt(app, due.plusHours(3));
        assertThat(subscription(app, "body").path("state").asText()).isEqualTo("PAST_DUE");

        storeIamportCard(app, "body-card-2", "user-body", "cu_body_new");
        Response resumed = resume(app, "body", "{\"billingKey\": \"cu_body_new\", \"customer\": {\"phone\": \"010-9999-0000\"}}");
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        assertThat(resumed.json().path("billingKey").asText()).isEqualTo("cu_body_new");
        assertThat(resumed.json().path("customer").path("phone").asText()).isEqualTo("010-9999-0000");
        assertThat(resumed.json().path("customer").path("id").asText()).isEqualTo("user-body");
        runAt(app, resumed.json().path("retry").path("nextRetryAt").asText());
        assertThat(iamportRecord(app, periodId("body", due) + "-r1").path("customer_uid").asText()).isEqualTo("cu_body_new");
        assertThat(iamportRecord(app, periodId("body", due) + "-r1").path("status").asText()).isEqualTo("paid");
        assertThat(iamportRecord(app, periodId("body", due) + "-r1").path("buyer_tel").asText()).isEqualTo("010-9999-0000");
    }

    @Test
    void failureCategoryIsInThePaymentResult() {
        // key-in refused by the PG: "[F113]거래거절 카드번호틀림" -> HARD
        Response keyIn = app.postJson("/api/payments", """
                {"paymentId": "cat-1", "vendor": "iamport", "method": "KEY_IN", "amount": 4001, "orderName": "x",
                 "customer": {"id": "user-cat"}, "card": {"number": "4111222233334444", "expiry": "2030-01"}}""");
        assertThat(keyIn.status()).isEqualTo(200);
        assertThat(keyIn.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(keyIn.json().path("failure").path("category").asText()).isEqualTo("HARD");
        assertThat(app.get("/api/payments/cat-1").json().path("failure").path("category").asText()).isEqualTo("HARD");
        // an issuer's "insufficient funds" on a Steppay billing key -> SOFT
        Response steppay = app.postJson("/api/payments", """
                {"paymentId": "cat-2", "vendor": "steppay", "method": "BILLING_KEY", "amount": 4001, "orderName": "x",
                 "customer": {"id": "user-cat"}, "billingKey": "%s"}""".formatted(STEPPAY_KEY));
        assertThat(steppay.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(steppay.json().path("failure").path("category").asText()).isEqualTo("SOFT");
        // paid: no failure at all
        Response paid = app.postJson("/api/payments", """
                {"paymentId": "cat-3", "vendor": "steppay", "method": "BILLING_KEY", "amount": 5000, "orderName": "x",
                 "customer": {"id": "user-cat"}, "billingKey": "%s"}""".formatted(STEPPAY_KEY));
        assertThat(paid.json().path("failure").isNull()).isTrue();
    }

    @Test
    void aCodeAddedByHardDeclineCodesIsNeverRetriedWhileByDefaultItIsSoft() {
        OffsetDateTime due = dueTenDaysAgo();
        // by default Steppay's errorCodes are all SOFT: dunning
        create(app, subscriptionJson("stl-1", "user-stl-1", "steppay", STEPPAY_KEY, 9900, due));
        declineSteppayKey(app, "CARD_REPORTED_STOLEN");
        runAt(app, due.plusHours(3));
        assertThat(subscription(app, "stl-1").path("state").asText()).isEqualTo("ACTIVE");
        assertThat(subscription(app, "stl-1").path("retry").path("attempt").asInt()).isEqualTo(1);
        app.close();

        app = RunningPaybridge.start(Map.of("paybridge.steppay.hard-decline-codes", "CARD_REPORTED_STOLEN, OTHER_CODE"));
        create(app, subscriptionJson("stl-2", "user-stl-2", "steppay", STEPPAY_KEY, 9900, due));
        declineSteppayKey(app, "CARD_REPORTED_STOLEN");
        long before = BillingFixtures.charges(app, "steppay");
        runAt(app, due.plusHours(3));
        JsonNode s = subscription(app, "stl-2");
        assertThat(s.path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(s.path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        assertThat(app.get("/api/payments/" + periodId("stl-2", due)).json().path("failure").path("category").asText())
                .isEqualTo("HARD");
        runAt(app, due.plusDays(8));
        assertThat(BillingFixtures.charges(app, "steppay")).isEqualTo(before + 1);
    }

    private static void declineSteppayKey(RunningPaybridge app, String errorCode) {
        Response r = app.postJson(app.sandboxUrl() + "/steppay/_control/decline-key/" + STEPPAY_KEY,
                "{\"errorCode\": \"" + errorCode + "\", \"errorMessage\": \"분실/도난 카드\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
