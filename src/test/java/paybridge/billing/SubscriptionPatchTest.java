package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.Lifecycle.create;
import static paybridge.billing.Lifecycle.fields;
import static paybridge.billing.Lifecycle.patch;
import static paybridge.billing.Lifecycle.resume;
import static paybridge.billing.Lifecycle.storeIamportCard;
import static paybridge.billing.Lifecycle.subscriptionJson;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentCommand;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * PATCH /api/subscriptions/{id} and the input rules of PATCH and resume (CONTRACT §2): what can be
 * patched, what cannot (400 naming it), 409/404/422, nothing changed by a refused request; and a patch
 * applies from the next attempt not yet claimed, never to a claimed one.
 */
class SubscriptionPatchTest {
    private static final OffsetDateTime DUE = OffsetDateTime.parse("2026-12-01T00:00:00+09:00");
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aPatchChangesTheTermsItNamesAndNothingElse() {
        JsonNode created = create(app, subscriptionJson("pt-1", "user-pt-1", "steppay", STEPPAY_KEY, 9900, DUE)).json();
        Response r = patch(app, "pt-1", """
                {"amount": 12000, "orderName": "Premium plan (yearly price)", "customer": {"email": null, "name": "김철수"}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode s = r.json();
        assertThat(s.path("amount").asLong()).isEqualTo(12000);
        assertThat(s.path("orderName").asText()).isEqualTo("Premium plan (yearly price)");
        assertThat(s.path("customer").path("name").asText()).isEqualTo("김철수");
        assertThat(s.path("customer").path("email").isNull()).isTrue();
        assertThat(s.path("customer").path("phone").asText()).isEqualTo("010-1234-5678");
        assertThat(s.path("customer").path("id").asText()).isEqualTo("user-pt-1");
        for (String unchanged : new String[] {"subscriptionId", "vendor", "billingKey", "interval", "nextBillingAt",
                "state", "createdAt", "currency", "lastPaymentId", "retry"}) {
            assertThat(s.path(unchanged)).as(unchanged).isEqualTo(created.path(unchanged));
        }
        // the same patch again changes nothing; an empty patch neither
        assertThat(patch(app, "pt-1", """
                {"amount": 12000, "orderName": "Premium plan (yearly price)", "customer": {"email": null, "name": "김철수"}}""")
                .json()).isEqualTo(s);
        assertThat(patch(app, "pt-1", "{}").json()).isEqualTo(s);
        // application/json is a merge patch too
        Response asJson = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/pt-1"))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"amount\": 13000}")));
        assertThat(asJson.status()).isEqualTo(200);
        assertThat(asJson.json().path("amount").asLong()).isEqualTo(13000);
        // creating it again with its original body is still "the same subscription"
        assertThat(app.postJson("/api/subscriptions", subscriptionJson("pt-1", "user-pt-1", "steppay", STEPPAY_KEY, 9900,
                DUE)).status()).isEqualTo(200);
    }

    @Test
    void badInputIsA400Or422NamingTheFieldAndChangesNothing() {
        create(app, subscriptionJson("pt-bad", "user-pt-bad", "steppay", STEPPAY_KEY, 9900, DUE));
        JsonNode before = subscription(app, "pt-bad");

        assertBad(patch(app, "pt-bad", "{\"colour\": \"blue\"}"), 400, "colour");
        assertBad(patch(app, "pt-bad", "{\"subscriptionId\": \"other\"}"), 400, "subscriptionId");
        assertBad(patch(app, "pt-bad", "{\"customer\": {\"id\": \"someone-else\"}}"), 400, "customer.id");
        assertBad(patch(app, "pt-bad", "{\"customer\": {\"nickname\": \"x\"}}"), 400, "customer.nickname");
        Response fixed = patch(app, "pt-bad", """
                {"interval": "P1Y", "nextBillingAt": "2027-01-01T00:00:00+09:00", "state": "ACTIVE"}""");
        assertThat(fixed.status()).isEqualTo(400);
        assertThat(fields(fixed)).containsExactlyInAnyOrder("interval", "nextBillingAt", "state");
        assertThat(fixed.json().path("errors").get(0).path("message").asText()).contains("cannot be patched");
        assertBad(patch(app, "pt-bad", "{\"amount\": \"9900\"}"), 400, "amount");
        assertBad(patch(app, "pt-bad", "{\"amount\": -100}"), 400, "amount");
        assertBad(patch(app, "pt-bad", "{\"amount\": 0}"), 400, "amount");
        assertBad(patch(app, "pt-bad", "{\"amount\": 99.5}"), 400, "amount");
        assertBad(patch(app, "pt-bad", "{\"amount\": null}"), 400, "amount");
        assertBad(patch(app, "pt-bad", "{\"orderName\": \"" + "x".repeat(41) + "\"}"), 400, "orderName");
        assertBad(patch(app, "pt-bad", "{\"billingKey\": \"has spaces\"}"), 400, "billingKey");
        assertBad(patch(app, "pt-bad", "{\"vendor\": \"iamport\"}"), 400, "billingKey");
        assertBad(patch(app, "pt-bad", "{\"vendor\": \"tosspay\", \"billingKey\": \"k-1\"}"), 422, "vendor");
        // valid fields beside a bad one: nothing applied
        assertBad(patch(app, "pt-bad", "{\"amount\": 1, \"orderName\": \"cheap\", \"createdAt\": \"x\"}"), 400, "createdAt");
        Response notJson = patch(app, "pt-bad", "{amount: 1");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(patch(app, "pt-bad", "[1, 2]").status()).isEqualTo(400);
        Response text = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/pt-bad"))
                .header("Content-Type", "text/plain").method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(text.status()).isEqualTo(415);
        assertThat(subscription(app, "pt-bad")).isEqualTo(before);

        assertThat(patch(app, "nope", "{\"amount\": 1}").status()).isEqualTo(404);
        // resume: only from PAST_DUE; a bad body is refused first, naming the field
        Response active = resume(app, "pt-bad", null);
        assertThat(active.status()).isEqualTo(409);
        assertThat(active.contentType()).startsWith("application/problem+json");
        assertThat(active.json().path("detail").asText()).contains("ACTIVE");
        assertBad(resume(app, "pt-bad", "{\"interval\": \"P1Y\"}"), 400, "interval");
        assertThat(resume(app, "nope", null).status()).isEqualTo(404);
        assertThat(subscription(app, "pt-bad")).isEqualTo(before);

        // a CANCELLED subscription is a 409, for PATCH and resume alike
        app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/pt-bad")).DELETE());
        JsonNode cancelled = subscription(app, "pt-bad");
        Response p = patch(app, "pt-bad", "{\"amount\": 1000}");
        assertThat(p.status()).isEqualTo(409);
        assertThat(p.contentType()).startsWith("application/problem+json");
        assertThat(resume(app, "pt-bad", null).status()).isEqualTo(409);
        assertThat(subscription(app, "pt-bad")).isEqualTo(cancelled);
    }

    @Test
    void anotherCustomersBillingKeyIsA422WhereTheVendorsKeyRecordTellsWhose() {
        storeIamportCard(app, "pt-own-card", "user-pt-own", "cu_pt_own");
        storeIamportCard(app, "pt-other-card", "user-pt-other", "cu_pt_other");
        create(app, subscriptionJson("pt-own", "user-pt-own", "iamport", "cu_pt_own", 9900, DUE));
        JsonNode before = subscription(app, "pt-own");
        Response r = patch(app, "pt-own", "{\"billingKey\": \"cu_pt_other\"}");
        assertBad(r, 422, "billingKey");
        assertThat(subscription(app, "pt-own")).isEqualTo(before);
        // the same key under another vendor is not that customer's key
        create(app, subscriptionJson("pt-sp", "user-pt-sp", "steppay", STEPPAY_KEY, 9900, DUE));
        assertThat(patch(app, "pt-sp", "{\"vendor\": \"iamport\", \"billingKey\": \"cu_pt_own\"}").status()).isEqualTo(422);
        Response moved = patch(app, "pt-own", "{\"vendor\": \"steppay\", \"billingKey\": \"" + STEPPAY_KEY + "\"}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().path("vendor").asText()).isEqualTo("steppay");
        // nor is a subscription created on it: refused before it is stored, nothing charged
        Response created = app.postJson("/api/subscriptions",
                subscriptionJson("pt-created-on-other", "user-pt-own", "iamport", "cu_pt_other", 9900, DUE));
        assertBad(created, 422, "billingKey");
        assertThat(app.get("/api/subscriptions/pt-created-on-other").status()).isEqualTo(404);
    }

    @Test
    void aPatchBeforeTheClaimAppliesToTheAttemptAndAPatchAfterItNever() {
        create(app, subscriptionJson("pt-claim", "user-pt-claim", "steppay", STEPPAY_KEY, 9900, DUE));
        SubscriptionStore store = app.lookup("subscriptionStore", SubscriptionStore.class);
        BillingRunService runs = app.lookup("billingRunService", BillingRunService.class);
        BillingAttemptStore attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        BillingCalendar calendar = app.lookup("billingCalendar", BillingCalendar.class);
        // a run read the due subscription (old terms) ...
        DueItem readEarlier = DueItem.of(store.find("pt-claim").orElseThrow(), calendar);
        // ... then the terms changed before its claim
        assertThat(patch(app, "pt-claim", "{\"amount\": 11000, \"orderName\": \"New plan\"}").status()).isEqualTo(200);
        BillingFixtures.insertRun(app, "run-claim-1", DUE.toInstant(), "node-a", 0);
        PaymentCommand sent = (PaymentCommand) runs.claim(exchange("run-claim-1", readEarlier));
        assertThat(sent.amount()).isEqualTo(11000);
        assertThat(sent.orderName()).isEqualTo("New plan");
        assertThat(sent.billingKey()).isEqualTo(STEPPAY_KEY);

        // claimed: a later patch changes the subscription, never the claimed attempt
        assertThat(patch(app, "pt-claim", "{\"amount\": 7777, \"orderName\": \"Later plan\"}").status()).isEqualTo(200);
        assertThat(attempts.find(readEarlier.paymentId()).get("amount")).isEqualTo(11000L);
        // the run dies before sending it; the next run takes the attempt over with the terms it was claimed with
        BillingFixtures.sql(app).update("""
                UPDATE billing_runs SET status = 'FAILED', running_lock = NULL WHERE run_id = :?runId""",
                Map.of("runId", "run-claim-1"));
        // a dry run lists the attempt with the terms a takeover would charge, not the subscription's new ones
        JsonNode dry = BillingFixtures.awaitRun(app, BillingFixtures.startRun(app, DUE.toString(), true),
                java.time.Duration.ofSeconds(30));
        JsonNode listed = null;
        for (JsonNode item : dry.path("items")) {
            if (item.path("subscriptionId").asText().equals("pt-claim")) {
                listed = item;
            }
        }
        assertThat(listed).as(dry.toString()).isNotNull();
        assertThat(listed.path("paymentId").asText()).isEqualTo(readEarlier.paymentId());
        assertThat(listed.path("amount").asLong()).isEqualTo(11000);
        BillingFixtures.insertRun(app, "run-claim-2", DUE.toInstant(), "node-b", 0);
        DueItem readNow = DueItem.of(store.find("pt-claim").orElseThrow(), calendar);
        assertThat(readNow.paymentId()).isEqualTo(readEarlier.paymentId());
        PaymentCommand resent = (PaymentCommand) runs.claim(exchange("run-claim-2", readNow));
        assertThat(resent.amount()).isEqualTo(11000);
        assertThat(resent.orderName()).isEqualTo("New plan");
        BillingFixtures.sql(app).update("""
                UPDATE billing_runs SET status = 'FAILED', running_lock = NULL WHERE run_id = :?runId""",
                Map.of("runId", "run-claim-2"));
    }

    private static Exchange exchange(String runId, DueItem item) {
        Exchange e = new DefaultExchange(app.context());
        e.setProperty(paybridge.canonical.ExchangeProperties.BILLING_RUN, app.lookup("billingRunStore", BillingRunStore.class).find(runId).orElseThrow());
        e.getMessage().setBody(item);
        return e;
    }

    private static void assertBad(Response r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(fields(r)).as(r.body()).contains(field);
    }
}
