package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.subscriptionJson;

import java.net.URI;
import java.net.http.HttpRequest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** POST / GET / DELETE /api/subscriptions (CONTRACT §2). */
class SubscriptionApiTest {
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
    void createIsIdempotentOnTheIdAndConflictsOnAnotherBody() {
        String body = subscriptionJson("sub-api-1", "steppay", STEPPAY_KEY, 9900, "P1M", "2026-12-01T00:00:00+09:00");
        Response created = app.postJson("/api/subscriptions", body);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        JsonNode s = created.json();
        assertThat(s.path("subscriptionId").asText()).isEqualTo("sub-api-1");
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo("2026-12-01T00:00:00+09:00");
        assertThat(s.path("interval").asText()).isEqualTo("P1M");
        assertThat(s.path("amount").asLong()).isEqualTo(9900);
        assertThat(s.path("customer").path("id").asText()).isEqualTo("user-sub-api-1");
        assertThat(s.has("createdAt")).isTrue();
        assertThat(s.path("lastPaymentId").isNull()).isTrue();
        assertThat(s.path("retry").isNull()).isTrue();

        Response again = app.postJson("/api/subscriptions", body);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("createdAt")).isEqualTo(s.path("createdAt"));
        // the same instant written with another offset is the same subscription
        Response sameInstant = app.postJson("/api/subscriptions",
                subscriptionJson("sub-api-1", "steppay", STEPPAY_KEY, 9900, "P1M", "2026-11-30T15:00:00Z"));
        assertThat(sameInstant.status()).isEqualTo(200);

        Response other = app.postJson("/api/subscriptions",
                subscriptionJson("sub-api-1", "steppay", STEPPAY_KEY, 9901, "P1M", "2026-12-01T00:00:00+09:00"));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.contentType()).startsWith("application/problem+json");

        assertThat(app.get("/api/subscriptions/sub-api-1").json()).isEqualTo(s);
    }

    @Test
    void deleteCancels() {
        app.postJson("/api/subscriptions", subscriptionJson("sub-api-2", "steppay", STEPPAY_KEY, 9900, "P1Y",
                "2026-12-01T00:00:00+09:00"));
        // its last change stamped later than the database's clock now (a transaction that began later but
        // committed first): the cancel still moves updatedAt forward, by which receivers order its events
        BillingFixtures.sql(app).update("UPDATE subscriptions SET updated_at = CURRENT_TIMESTAMP + INTERVAL '1' HOUR"
                + " WHERE subscription_id = 'sub-api-2'", java.util.Map.of());
        java.time.Instant before = java.time.Instant.parse(app.get("/api/subscriptions/sub-api-2").json()
                .path("updatedAt").asText());
        Response deleted = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/sub-api-2")).DELETE());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().path("state").asText()).isEqualTo("CANCELLED");
        assertThat(java.time.Instant.parse(deleted.json().path("updatedAt").asText())).isAfter(before);
        assertThat(app.get("/api/subscriptions/sub-api-2").json().path("state").asText()).isEqualTo("CANCELLED");
        Response again = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/sub-api-2")).DELETE());
        assertThat(again.status()).isEqualTo(200);
    }

    @Test
    void unknownIsA404Problem() {
        Response r = app.get("/api/subscriptions/nope");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(app.get("/api/billing-runs/nope").status()).isEqualTo(404);
    }

    /**
     * The field names of a 400. CommandReader (shared, main's) currently renders them as JSON pointers
     * ("/amount", "/customer.id"): compare without the leading slash until that is settled there.
     */
    private static java.util.List<String> fields(Response r) {
        return r.json().path("errors").findValuesAsText("field").stream().map(f -> f.replaceFirst("^/", "")).toList();
    }

    /**
     * A subscription its vendor would refuse at every charge before sending anything (a Toss customerKey
     * outside Toss's rule) is a 422 naming the field when it is created or moved to that vendor: refused at
     * each run instead, every refusal would count as a decline and end in PAST_DUE, the card never tried.
     */
    @Test
    void aSubscriptionItsVendorWouldRefuseAtEveryChargeIsRefusedNamingTheField() {
        String toss = """
                {"subscriptionId": "sub-api-toss-1", "vendor": "toss", "billingKey": "bk-1", "customer": {"id": "user#1"},
                 "orderName": "Premium plan", "amount": 9900, "interval": "P1M", "nextBillingAt": "2026-12-01T00:00:00+09:00"}""";
        Response refused = app.postJson("/api/subscriptions", toss);
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(fields(refused)).containsExactly("customer.id");
        assertThat(app.get("/api/subscriptions/sub-api-toss-1").status()).isEqualTo(404);

        // the same customer on a vendor that takes the id; then moved to Toss by a patch: refused, unchanged
        Response steppay = app.postJson("/api/subscriptions", toss.replace("sub-api-toss-1", "sub-api-toss-2")
                .replace("\"toss\"", "\"steppay\"").replace("bk-1", STEPPAY_KEY));
        assertThat(steppay.status()).as(steppay.body()).isEqualTo(201);
        Response moved = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/sub-api-toss-2"))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"vendor\": \"toss\", \"billingKey\": \"bk-2\"}")));
        assertThat(moved.status()).as(moved.body()).isEqualTo(422);
        assertThat(fields(moved)).containsExactly("customer.id");
        JsonNode kept = app.get("/api/subscriptions/sub-api-toss-2").json();
        assertThat(kept.path("vendor").asText()).isEqualTo("steppay");
        assertThat(kept.path("billingKey").asText()).isEqualTo(STEPPAY_KEY);
    }

    @Test
    void invalidBodiesAre400WithFieldErrors() {
        Response r = app.postJson("/api/subscriptions", """
                {"subscriptionId": "this id is far too long for a subscription", "vendor": "steppay",
                 "billingKey": "k", "customer": {}, "orderName": "x", "amount": 0, "interval": "monthly",
                 "nextBillingAt": "2026-12-01"}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(fields(r))
                .contains("subscriptionId", "customer.id", "amount", "interval", "nextBillingAt");

        Response zeroInterval = app.postJson("/api/subscriptions",
                subscriptionJson("sub-api-3", "steppay", STEPPAY_KEY, 9900, "P0D", "2026-12-01T00:00:00+09:00"));
        assertThat(zeroInterval.status()).isEqualTo(400);
        assertThat(fields(zeroInterval)).containsExactly("interval");
        for (String tooLong : new String[] {"P999999999Y", "P10000Y10000M10000W10000D"}) {
            Response r2 = app.postJson("/api/subscriptions",
                    subscriptionJson("sub-api-3", "steppay", STEPPAY_KEY, 9900, tooLong, "2026-12-01T00:00:00+09:00"));
            assertThat(r2.status()).as(tooLong).isEqualTo(400);
            assertThat(fields(r2)).containsExactly("interval");
        }

        Response unknownVendor = app.postJson("/api/subscriptions",
                subscriptionJson("sub-api-4", "tosspay", "k", 9900, "P1M", "2026-12-01T00:00:00+09:00"));
        assertThat(unknownVendor.status()).isEqualTo(422);

        Response badRun = app.postJson("/api/billing-runs", "{\"asOf\": \"tomorrow\", \"dryRun\": \"yes\"}");
        assertThat(badRun.status()).isEqualTo(400);
        assertThat(fields(badRun)).contains("asOf", "dryRun");
    }
}
