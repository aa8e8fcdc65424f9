package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.startRun;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.BillingFixtures.subscriptionJson;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Billing runs on one node (H2) against the sandbox (CONTRACT §3). Each test has its own instance and database. */
class BillingRunTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private RunningPaybridge app;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start(Map.of("paybridge.billing.concurrency", "32"));
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void aThousandDueSubscriptionsAreEachChargedOnceAndASecondRunChargesNothing() {
        BillingFixtures.insert(app, "k", 1000, "steppay", STEPPAY_KEY, 9900, DUE);
        long before = charges(app, "steppay");

        JsonNode first = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(first.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(first.path("dryRun").asBoolean()).isFalse();
        assertThat(first.path("node").asText()).isNotBlank();
        assertThat(first.path("finishedAt").asText()).isNotBlank();
        assertThat(first.path("counts")).isEqualTo(counts(1000, 1000, 0, 0, 0, 0));
        assertThat(charges(app, "steppay")).isEqualTo(before + 1000);

        JsonNode s = subscription(app, "k00042");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");
        assertThat(s.path("lastPaymentId").asText()).isEqualTo("k00042-20261201");
        JsonNode payment = app.get("/api/payments/k00042-20261201").json();
        assertThat(payment.path("status").asText()).isEqualTo("PAID");
        assertThat(payment.path("method").asText()).isEqualTo("BILLING_KEY");
        assertThat(payment.path("subscriptionId").asText()).isEqualTo("k00042");
        JsonNode ledger = app.get("/api/ledger?paymentId=k00042-20261201").json().path("entries");
        assertThat(ledger).hasSize(1);
        assertThat(ledger.get(0).path("source").asText()).isEqualTo("BILLING_RUN");
        assertThat(ledger.get(0).path("subscriptionId").asText()).isEqualTo("k00042");

        JsonNode second = run(app, "2026-12-01T03:00:00+09:00");
        assertThat(second.path("counts")).isEqualTo(counts(0, 0, 0, 0, 0, 0));
        assertThat(charges(app, "steppay")).isEqualTo(before + 1000);
    }

    @Test
    void aDeclineIsRetriedAfterEachDelayThenPastDue() {
        app.postJson("/api/subscriptions", subscriptionJson("dun-1", "steppay", STEPPAY_KEY, 4001, "P1M", DUE));
        long before = charges(app, "steppay");

        assertThat(run(app, "2026-12-01T03:00:00+09:00").path("counts")).isEqualTo(counts(1, 0, 1, 0, 0, 0));
        JsonNode s = subscription(app, "dun-1");
        assertThat(s.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(s.path("nextBillingAt").asText()).isEqualTo(DUE); // stays on the unpaid period
        assertThat(s.path("lastPaymentId").asText()).isEqualTo("dun-1-20261201");
        assertThat(s.path("retry").path("attempt").asInt()).isEqualTo(1);
        assertThat(s.path("retry").path("nextRetryAt").asText()).isEqualTo("2026-12-02T00:00:00+09:00");

        // not due yet: nothing
        assertThat(run(app, "2026-12-01T23:59:59+09:00").path("counts").path("due").asInt()).isZero();
        assertThat(run(app, "2026-12-02T00:00:00+09:00").path("counts")).isEqualTo(counts(1, 0, 1, 0, 0, 0));
        s = subscription(app, "dun-1");
        assertThat(s.path("lastPaymentId").asText()).isEqualTo("dun-1-20261201-r1");
        assertThat(s.path("retry").path("attempt").asInt()).isEqualTo(2);
        assertThat(s.path("retry").path("nextRetryAt").asText()).isEqualTo("2026-12-04T00:00:00+09:00");

        assertThat(run(app, "2026-12-03T12:00:00+09:00").path("counts").path("due").asInt()).isZero();
        run(app, "2026-12-04T03:00:00+09:00");
        s = subscription(app, "dun-1");
        assertThat(s.path("retry").path("attempt").asInt()).isEqualTo(3);
        assertThat(s.path("retry").path("nextRetryAt").asText()).isEqualTo("2026-12-08T00:00:00+09:00");

        run(app, "2026-12-08T03:00:00+09:00");
        s = subscription(app, "dun-1");
        assertThat(s.path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(s.path("retry").isNull()).isTrue();
        assertThat(s.path("lastPaymentId").asText()).isEqualTo("dun-1-20261201-r3");
        assertThat(charges(app, "steppay")).isEqualTo(before + 4);
        assertThat(app.get("/api/payments/dun-1-20261201-r3").json().path("status").asText()).isEqualTo("FAILED");

        // PAST_DUE is not billed any more
        assertThat(run(app, "2027-02-01T03:00:00+09:00").path("counts").path("due").asInt()).isZero();
        assertThat(charges(app, "steppay")).isEqualTo(before + 4);
    }

    @Test
    void aRunAtMidnightSeoulTakesTheSubscriptionsDueThatDay() {
        app.postJson("/api/subscriptions", subscriptionJson("mid-1", "steppay", STEPPAY_KEY, 9900, "P1M", DUE));
        app.postJson("/api/subscriptions", subscriptionJson("mid-2", "steppay", STEPPAY_KEY, 9900, "P1M",
                "2026-12-01T00:00:01+09:00"));
        JsonNode r = run(app, "2026-12-01T00:00:00+09:00");
        assertThat(r.path("counts")).isEqualTo(counts(1, 1, 0, 0, 0, 0));
        assertThat(app.get("/api/payments/mid-1-20261201").json().path("status").asText()).isEqualTo("PAID");
        assertThat(subscription(app, "mid-2").path("lastPaymentId").isNull()).isTrue();
        // the same instant in UTC
        assertThat(run(app, "2026-11-30T15:00:01Z").path("counts")).isEqualTo(counts(1, 1, 0, 0, 0, 0));
        assertThat(subscription(app, "mid-2").path("lastPaymentId").asText()).isEqualTo("mid-2-20261201");
    }

    @Test
    void aDryRunListsWhatWouldBeChargedAndChargesNothing() {
        app.postJson("/api/subscriptions", subscriptionJson("dry-1", "steppay", STEPPAY_KEY, 9900, "P1M", DUE));
        app.postJson("/api/subscriptions", subscriptionJson("dry-2", "steppay", STEPPAY_KEY, 5000, "P7D", DUE));
        app.postJson("/api/subscriptions", subscriptionJson("dry-3", "steppay", STEPPAY_KEY, 5000, "P7D",
                "2026-12-02T00:00:00+09:00"));
        long before = charges(app, "steppay");
        JsonNode r = BillingFixtures.awaitRun(app, startRun(app, "2026-12-01T12:00:00+09:00", true), Duration.ofSeconds(30));
        assertThat(r.path("dryRun").asBoolean()).isTrue();
        assertThat(r.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.path("counts").path("due").asInt()).isEqualTo(2);
        assertThat(r.path("counts").path("paid").asInt()).isZero();
        assertThat(r.path("items")).hasSize(2);
        assertThat(r.path("items").get(0).path("subscriptionId").asText()).isEqualTo("dry-1");
        assertThat(r.path("items").get(0).path("paymentId").asText()).isEqualTo("dry-1-20261201");
        assertThat(r.path("items").get(0).path("amount").asLong()).isEqualTo(9900);
        assertThat(charges(app, "steppay")).isEqualTo(before);
        assertThat(subscription(app, "dry-1").path("nextBillingAt").asText()).isEqualTo(DUE);
        assertThat(app.get("/api/payments/dry-1-20261201").status()).isEqualTo(404);
    }

    @Test
    void aSecondRunWhileOneIsRunningIsA409NamingItAndAStaleRunIsFailed() {
        BillingFixtures.insertRun(app, "run-elsewhere", Instant.now(), "other-node", 0);
        Response conflict = app.postJson("/api/billing-runs", "{}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");
        assertThat(conflict.json().path("detail").asText()).contains("run-elsewhere");
        assertThat(app.get("/api/billing-runs/run-elsewhere").json().path("status").asText()).isEqualTo("RUNNING");

        // a run whose node stopped beating 30 s ago: the next run marks it FAILED and starts
        app.close();
        app = RunningPaybridge.start();
        BillingFixtures.insertRun(app, "run-dead", Instant.now(), "dead-node", 31);
        Response started = app.postJson("/api/billing-runs", "");
        assertThat(started.status()).isEqualTo(202);
        String runId = started.json().path("runId").asText();
        assertThat(started.json().path("status").asText()).isEqualTo("RUNNING");
        assertThat(started.json().path("asOf").asText()).isNotBlank();
        BillingFixtures.awaitRun(app, runId, Duration.ofSeconds(30));
        assertThat(app.get("/api/billing-runs/run-dead").json().path("status").asText()).isEqualTo("FAILED");
        assertThat(app.get("/api/billing-runs/run-dead").json().path("finishedAt").asText()).isNotBlank();
    }

    @Test
    void theRunDocumentHasALocation() throws Exception {
        java.net.http.HttpResponse<String> started = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.baseUrl() + "/api/billing-runs"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"asOf\": \"2026-12-01T03:00:00+09:00\"}"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(started.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        String runId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(started.body()).path("runId").asText();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/billing-runs/" + runId);
        BillingFixtures.awaitRun(app, runId, Duration.ofSeconds(30));
        JsonNode doc = app.get("/api/billing-runs/" + runId).json();
        assertThat(doc.path("asOf").asText()).isEqualTo("2026-11-30T18:00:00Z");
        assertThat(doc.has("items")).isTrue();
        assertThat(doc.path("counts").fieldNames()).toIterable()
                .containsExactly("due", "paid", "declined", "pending", "unknown", "skipped");
    }

    static JsonNode counts(int due, int paid, int declined, int pending, int unknown, int skipped) {
        return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(Map.of("due", due, "paid", paid,
                "declined", declined, "pending", pending, "unknown", unknown, "skipped", skipped));
    }
}
