package paybridge.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * /observe/metrics and /observe/health over real HTTP after real traffic against the sandbox: the
 * meters and readiness checks an operator watches. Every open payment counts as stuck here (alert-after PT0S), and the
 * backlog is read afresh on every probe (refresh PT0S).
 */
class ObservabilityTest {
    private static final String STEPPAY_KEY = "16057932413479698c8vqQG0kMix9";
    /** What a label value must never look like: ids of this test, card digits, UUIDs, vendor refs, secrets. */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "ob-|rf-|user-42|4111|\\d{8,}|[0-9a-f]{8}-[0-9a-f]{4}-|imp_|cu_|sandbox-|" + STEPPAY_KEY);

    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.reconcile.alert-after", "PT0S",
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.observe.backlog-refresh", "PT0S"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static Scrape scrape() {
        Response r = app.get("http://127.0.0.1:" + app.managementPort + "/observe/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        return Scrape.parse(r.body());
    }

    private static JsonNode fullHealth() {
        Response r = app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full&data=true");
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    static String keyIn(String paymentId, long amount) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "Hong"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": false}""".formatted(paymentId, amount);
    }

    @Test
    void metricsCountChargesRefundsWebhooksAndVendorCallsWithSafeLabels() {
        Scrape before = scrape();

        assertThat(app.postJson("/api/payments", keyIn("ob-paid-1", 3000)).json().path("status").asText()).isEqualTo("PAID");
        assertThat(app.postJson("/api/payments", keyIn("ob-declined-1", 4001)).json().path("status").asText())
                .isEqualTo("FAILED");
        assertThat(app.postJson("/api/refunds", "{\"refundId\": \"rf-ob-1\", \"paymentId\": \"ob-paid-1\", \"amount\": 1000}")
                .json().path("status").asText()).isEqualTo("REFUNDED");

        // the sandbox sends iamport's webhook for the paid charge; paybridge verifies and processes it
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scrape().value(
                "paybridge_webhook_deliveries_total", "vendor", "iamport", "outcome", "processed"))
                .isGreaterThan(before.value("paybridge_webhook_deliveries_total", "vendor", "iamport", "outcome", "processed")));
        Scrape after = scrape();

        assertThat(delta(before, after, "paybridge_charges_total", "vendor", "iamport", "status", "paid")).isEqualTo(1);
        assertThat(delta(before, after, "paybridge_charges_total", "vendor", "iamport", "status", "failed")).isEqualTo(1);
        assertThat(delta(before, after, "paybridge_refunds_total", "vendor", "iamport", "status", "refunded")).isEqualTo(1);
        assertThat(delta(before, after, "paybridge_webhook_deliveries_total", "vendor", "iamport", "outcome", "accepted"))
                .isGreaterThanOrEqualTo(1);
        assertThat(after.has("paybridge_webhook_deliveries_total", "vendor", "steppay", "outcome", "refused_signature"))
                .as("every vendor and outcome is published, zero included").isTrue();

        // the vendor call timer: two charges and one refund answered 200, with histogram buckets
        assertThat(delta(before, after, "paybridge_vendor_call_seconds_count",
                "vendor", "iamport", "operation", "charge", "outcome", "2xx")).isEqualTo(2);
        assertThat(delta(before, after, "paybridge_vendor_call_seconds_count",
                "vendor", "iamport", "operation", "refund", "outcome", "2xx")).isEqualTo(1);
        assertThat(after.value("paybridge_vendor_call_seconds_count", "vendor", "iamport", "operation", "lookup"))
                .as("webhook verification looks the payment up").isGreaterThanOrEqualTo(1);
        assertThat(after.has("paybridge_vendor_call_seconds_bucket", "vendor", "iamport", "operation", "charge", "le", "1.0"))
                .isTrue();
        assertThat(after.value("paybridge_vendor_call_seconds_sum", "vendor", "iamport", "operation", "charge")).isPositive();

        // gauges, Camel's own route meters and JVM meters are there too
        assertThat(after.has("paybridge_webhook_inbox_backlog")).isTrue();
        assertThat(after.has("paybridge_webhook_inbox_flagged")).isTrue();
        assertThat(after.has("paybridge_payments_open_stuck")).isTrue();
        assertThat(after.samples()).anyMatch(s -> s.name().startsWith("camel_exchanges"));
        // per route only: a second, context-wide set would cost every exchange its own timer and counters
        assertThat(after.samples()).filteredOn(s -> s.name().startsWith("camel_exchanges"))
                .allSatisfy(s -> assertThat(s.labels().get("routeId")).as(s.name() + s.labels()).isNotBlank());
        assertThat(after.samples()).anyMatch(s -> s.name().startsWith("jvm_memory"));

        // no label anywhere in the scrape carries an id, a card number, a reference or a secret
        assertThat(after.samples()).allSatisfy(s -> assertThat(s.labels().values())
                .as(s.name() + s.labels()).noneMatch(v -> FORBIDDEN.matcher(v).find()));
    }

    @Test
    void healthShowsEveryReadinessCheckAndStaysUpWithAStuckPayment() {
        // Steppay answers 500 before charging: UNKNOWN, and without a vendor reference reconcile cannot look it up
        Response unknown = app.postJson("/api/payments", """
                {"paymentId": "ob-stuck-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 4003,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "Hong"}, "billingKey": "%s"}"""
                .formatted(STEPPAY_KEY));
        assertThat(unknown.json().path("status").asText()).isEqualTo("UNKNOWN");

        JsonNode health = fullHealth();
        assertThat(health.path("status").asText()).isEqualTo("UP");
        JsonNode checks = health.path("checks");
        assertThat(check(checks, "database").path("status").asText()).isEqualTo("UP");
        assertThat(check(checks, "quartz").path("status").asText()).isEqualTo("UP");
        JsonNode backlog = check(checks, "reconcile-backlog");
        assertThat(backlog.path("status").asText()).as("a stuck payment does not take the node out").isEqualTo("UP");
        assertThat(backlog.path("data").path("payments.open.stuck").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(backlog.path("data").path("alert.after").asText()).isEqualTo("PT0S");
        assertThat(backlog.path("message").asText()).contains("PENDING or UNKNOWN");
        JsonNode inbox = check(checks, "webhook-inbox");
        assertThat(inbox.path("status").asText()).isEqualTo("UP");
        assertThat(inbox.path("data").has("inbox.flagged")).isTrue();

        assertThat(scrape().value("paybridge_payments_open_stuck")).isGreaterThanOrEqualTo(1);

        // readiness has paybridge's checks, liveness none of them
        String mgmt = "http://127.0.0.1:" + app.managementPort;
        Response ready = app.get(mgmt + "/observe/health/ready?exposureLevel=full");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("database", "quartz", "reconcile-backlog", "webhook-inbox");
        Response live = app.get(mgmt + "/observe/health/live?exposureLevel=full");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body()).contains("UP").doesNotContain("database").doesNotContain("reconcile-backlog");

        // the default answer stays small: no details
        Response small = app.health();
        assertThat(small.status()).isEqualTo(200);
        assertThat(small.body()).contains("UP").doesNotContain("payments.open.stuck").hasSizeLessThan(200);
    }

    @Test
    void billingRunOutcomesAreCounted() {
        Scrape before = scrape();
        for (String[] sub : new String[][] {{"obpaid", "9900"}, {"obdeclined", "4001"}}) {
            Response created = app.postJson("/api/subscriptions", """
                    {"subscriptionId": "%s", "vendor": "steppay", "billingKey": "%s",
                     "customer": {"id": "user-42", "name": "Hong"}, "orderName": "Premium plan", "amount": %s,
                     "currency": "KRW", "interval": "P1M", "nextBillingAt": "2026-12-01T00:00:00+09:00"}"""
                    .formatted(sub[0], STEPPAY_KEY, sub[1]));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        Response started = app.postJson("/api/billing-runs", "{\"asOf\": \"2026-12-01T03:00:00+09:00\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().path("runId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !"RUNNING".equals(app.get("/api/billing-runs/" + runId).json().path("status").asText()));

        // the run's row says COMPLETED a moment before its counter moves: wait for the counters
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Scrape after = scrape();
            assertThat(delta(before, after, "paybridge_billing_attempts_total", "outcome", "paid")).isEqualTo(1);
            assertThat(delta(before, after, "paybridge_billing_attempts_total", "outcome", "declined")).isEqualTo(1);
            assertThat(delta(before, after, "paybridge_billing_runs_total", "status", "completed")).isEqualTo(1);
            assertThat(delta(before, after, "paybridge_charges_total", "vendor", "steppay", "status", "paid")).isEqualTo(1);
        });
    }

    /**
     * A run whose node died (no heartbeat) is counted failed where it is found FAILED, so the failed-run alert
     * sees it; a dry run charges nothing and is never counted a completed run.
     */
    @Test
    void aRunFailedForItsLostNodeIsCountedAndADryRunIsNot() throws Exception {
        Scrape before = scrape();
        Response dry = app.postJson("/api/billing-runs", "{\"asOf\": \"2026-12-01T03:00:00+09:00\", \"dryRun\": true}");
        assertThat(dry.status()).as(dry.body()).isIn(200, 202);
        String dryId = dry.json().path("runId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "COMPLETED".equals(app.get("/api/billing-runs/" + dryId).json().path("status").asText()));
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app.context());
        sql.update("""
                INSERT INTO billing_runs (run_id, as_of, dry_run, status, running_lock, node, started_at, heartbeat_at, items)
                VALUES ('ob-lost-node', CURRENT_TIMESTAMP, FALSE, 'RUNNING', NULL, 'node-gone',
                        CURRENT_TIMESTAMP - INTERVAL '1' DAY, CURRENT_TIMESTAMP - INTERVAL '1' DAY, '[]')""", java.util.Map.of());
        paybridge.billing.BillingRunService service = app.lookup("billingRunService", paybridge.billing.BillingRunService.class);
        service.failStaleRuns();
        assertThat(app.get("/api/billing-runs/ob-lost-node").json().path("status").asText()).isEqualTo("FAILED");
        // its node was only paused: it comes back and ends the run, which another node has already failed and
        // counted; not counted twice
        org.apache.camel.Exchange back = new org.apache.camel.support.DefaultExchange(app.context());
        back.setProperty(paybridge.canonical.ExchangeProperties.BILLING_RUN, service.find("ob-lost-node"));
        back.setProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, new IllegalStateException("paused too long"));
        service.abort(back);
        Thread.sleep(500); // the dry run's row says COMPLETED a moment before its end is counted (when it is)
        Scrape after = scrape();
        assertThat(delta(before, after, "paybridge_billing_runs_total", "status", "failed")).isEqualTo(1);
        assertThat(delta(before, after, "paybridge_billing_runs_total", "status", "completed")).isZero();
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private static JsonNode check(JsonNode checks, String name) {
        for (JsonNode c : checks) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + checks);
    }
}
