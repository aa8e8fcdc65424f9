package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.canonical.EventType;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.RefundState;
import paybridge.ledger.EventFacts;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundStore;
import paybridge.payments.ChargeService;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Every path that decides something emits exactly one event for its fact (CONTRACT §8), listed here one
 * by one with its trigger: the API's answers, reconcile (a lost answer, "never charged", an operator's
 * FAILED overturned by the vendor's record), webhooks (a deposit, a console cancel, a payment paybridge
 * did not start), an operator, refunds (API, and a refund concluded FAILED), and a billing run that went
 * stale. The same fact learnt again (the sandbox's webhooks repeat the answers; reconcile re-checks) adds
 * no event. And the state table's events are the ones the outbox writes.
 */
class EventPathsTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.vendor.timeout", "PT0.5S");
        p.put("paybridge.sandbox.hang", "PT2S");
        p.put("paybridge.reconcile.interval", "PT0.3S");
        p.put("paybridge.vendor.in-flight-margin", "PT0.5S");
        p.put("paybridge.webhook.poll-interval", "PT0.3S");
        app = RunningPaybridge.start(p);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A decision path: its name, what triggers it, and the one event (type, paymentId) it must leave. */
    record Path(String name, Runnable trigger, String type, String paymentId) {
    }

    @Test
    void eachDecisionPathEmitsOneEventForItsFact() throws Exception {
        List<Path> paths = new ArrayList<>();
        paths.add(new Path("API charge paid", () -> charge("p-paid", 3000, "PAID"), "payment.paid", "p-paid"));
        paths.add(new Path("API charge declined", () -> charge("p-declined", 4001, "FAILED"), "payment.failed", "p-declined"));
        paths.add(new Path("API charge virtual account", () -> charge("p-vbank", 4004, "AWAITING_DEPOSIT"),
                "payment.awaiting_deposit", "p-vbank"));
        paths.add(new Path("webhook deposit", () -> sandbox("/iamport/_control/deposit/" + ref("p-vbank")),
                "payment.paid", "p-vbank"));
        paths.add(new Path("API charge answer lost", () -> withoutWebhooksOrReconcile(() ->
                charge("p-lost", 4002, "UNKNOWN")), "payment.unknown", "p-lost"));
        paths.add(new Path("reconcile of a lost answer", () -> withoutWebhooks(() -> await().atMost(Duration.ofSeconds(20))
                .until(() -> status("p-lost").equals("PAID"))), "payment.paid", "p-lost"));
        paths.add(new Path("operator resolves FAILED", () -> withoutWebhooksOrReconcile(() -> {
            charge("p-op", 4002, "UNKNOWN");
            await().atMost(Duration.ofSeconds(20)).until(() -> app.postJson("/api/payments/p-op/resolve",
                    "{\"status\": \"FAILED\", \"reason\": \"checked the console\"}").status() == 200);
        }), "payment.failed", "p-op"));
        paths.add(new Path("the vendor's record (its webhook, reconcile) overturns the operator's FAILED", () -> await().atMost(Duration.ofSeconds(30))
                .until(() -> status("p-op").equals("PAID")), "payment.paid", "p-op"));
        paths.add(new Path("reconcile concludes never charged", () -> {
            PaymentCommand c = app.lookup("chargeService", ChargeService.class)
                    .read(EventTypesTest.keyIn("p-never", 3000).getBytes(StandardCharsets.UTF_8));
            app.lookup("paymentStore", PaymentStore.class).insert(c, "crashed-before-send", Duration.ZERO);
            await().atMost(Duration.ofSeconds(20)).until(() -> status("p-never").equals("FAILED"));
        }, "payment.failed", "p-never"));
        paths.add(new Path("API refund in part", () -> refund("p-r1", "p-paid", 1000), "payment.partially_refunded",
                "p-paid"));
        paths.add(new Path("API refund decided", () -> { }, "refund.refunded", "p-paid"));
        paths.add(new Path("webhook console cancel", () -> {
            charge("p-console", 5000, "PAID");
            sandbox("/iamport/_control/console-cancel/" + ref("p-console"));
        }, "payment.cancelled", "p-console"));
        paths.add(new Path("webhook of a payment paybridge did not start", () -> {
            Response r = app.send(HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/steppay/_control/first-payment"))
                    .header("Content-Type", "application/json").header("Secret-Token", "sandbox-steppay-token")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"partnerOrderId\": \"p-external\", \"partnerUserId\": "
                            + "\"user-1\", \"amount\": 1000, \"itemName\": \"First month\", \"paymentMethod\": \"CARD_BILL\"}")));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }, "payment.paid", "p-external"));
        paths.add(new Path("refund concluded FAILED", () -> {
            RefundStore refunds = new RefundStore(new paybridge.ledger.Sql(app.context()));
            assertThat(refunds.insert("p-rf", "p-console-2", "h", 100, "test")).isTrue();
            assertThat(refunds.finish("p-rf", RefundState.FAILED, null,
                    new paybridge.canonical.Failure("NOT_REFUNDED", "the vendor shows no such cancel"))).isTrue();
        }, "refund.failed", "p-console-2"));

        for (Path path : paths) {
            if (path.name().equals("refund concluded FAILED")) {
                charge("p-console-2", 2000, "PAID");
            }
            path.trigger().run();
            await(path.name()).atMost(Duration.ofSeconds(20))
                    .until(() -> events(path.type(), path.paymentId()).size() >= 1);
        }
        // a run whose node stopped beating: FAILED by the next node that looks, with its event
        insertStaleRun("run-stale");
        // it had declined one attempt before its node died: its event carries that count
        Response subscribed = app.postJson("/api/subscriptions", """
                {"subscriptionId": "evstale", "vendor": "steppay", "billingKey": "16057932413479698c8vqQG0kMix9",
                 "customer": {"id": "user-42"}, "orderName": "Premium plan", "amount": 9900,
                 "currency": "KRW", "interval": "P1M", "nextBillingAt": "2099-12-01T00:00:00+09:00"}""");
        assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
        new paybridge.ledger.Sql(app.context()).update("""
                INSERT INTO billing_attempts (payment_id, subscription_id, period_date, attempt_no, run_id, state,
                    claimed_at, updated_at)
                VALUES ('evstale-a0', 'evstale', DATE '2099-12-01', 0, 'run-stale', 'DECLINED', CURRENT_TIMESTAMP,
                    CURRENT_TIMESTAMP)""", Map.of());
        app.lookup("billingRunService", paybridge.billing.BillingRunService.class).failStaleRuns();

        // settle, then each path's fact is one event: learnt again (webhooks, reconcile's re-checks) it adds none
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        for (Path path : paths) {
            assertThat(events(path.type(), path.paymentId())).as(path.name()).hasSize(1);
        }
        // receivers order a payment's events by data.updatedAt (deliveries are not ordered): each later fact,
        // money returned by a webhook included, carries a later time than the one before
        for (String paymentId : paths.stream().map(Path::paymentId).distinct().toList()) {
            List<String> times = new ArrayList<>();
            for (JsonNode e : app.get("/api/events?paymentId=" + paymentId).json().path("events")) {
                if (e.path("type").asText().startsWith("payment.")) {
                    times.add(e.path("data").path("updatedAt").asText());
                }
            }
            for (int i = 1; i < times.size(); i++) {
                assertThat(java.time.Instant.parse(times.get(i))).as(paymentId + " " + times)
                        .isAfter(java.time.Instant.parse(times.get(i - 1)));
            }
        }
        JsonNode runs = app.get("/api/events?type=billing_run.failed").json().path("events");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).path("data").path("runId").asText()).isEqualTo("run-stale");
        assertThat(runs.get(0).path("data").path("status").asText()).isEqualTo("FAILED");
        assertThat(runs.get(0).path("data").path("counts").path("declined").asLong()).isEqualTo(1);
        // the refund's data: the RefundResult
        JsonNode failed = events("refund.failed", "p-console-2").get(0).path("data");
        assertThat(failed.path("refundId").asText()).isEqualTo("p-rf");
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("failure").path("code").asText()).isEqualTo("NOT_REFUNDED");
    }

    /** The state table and the outbox agree: each row's event is the one its ledger entry (or its statement) writes. */
    @Test
    void everyEventOfTheStateTableIsTheOneTheOutboxWrites() {
        for (PaymentStates.Transition t : PaymentStates.rows()) {
            if (t.event() == null) {
                assertThat(t.ledgerEntry()).as(t.toString()).isNull();
                continue;
            }
            if (t.ledgerEntry() != null) {
                assertThat(EventFacts.paymentType(t.ledgerEntry(), t.shownAs())).as(t.toString()).isEqualTo(t.event());
            } else {
                // an event without a ledger entry: written by PaymentStore.settleOpen itself
                assertThat(t.write()).as(t.toString()).isEqualTo(PaymentStates.Write.SETTLE_OPEN);
                assertThat(t.event()).isEqualTo("payment.unknown");
            }
        }
        for (EventType type : EventType.values()) {
            assertThat(EventFacts.paymentType(type, paybridge.canonical.PaymentStatus.PAID)).startsWith("payment.");
        }
    }

    private static List<JsonNode> events(String type, String paymentId) {
        List<JsonNode> out = new ArrayList<>();
        app.get("/api/events?type=" + type + "&paymentId=" + paymentId).json().path("events").forEach(out::add);
        return out;
    }

    private static void charge(String paymentId, long amount, String status) {
        Response r = app.postJson("/api/payments", EventTypesTest.keyIn(paymentId, amount));
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo(status);
    }

    private static void refund(String refundId, String paymentId, long amount) {
        Response r = app.postJson("/api/refunds", EventTypesTest.refund(refundId, paymentId, amount));
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("REFUNDED");
    }

    private static String status(String paymentId) {
        return app.get("/api/payments/" + paymentId).json().path("status").asText();
    }

    private static String ref(String paymentId) {
        return app.get("/api/payments/" + paymentId).json().path("vendorPaymentRef").asText();
    }

    private static void sandbox(String path) {
        Response r = app.postJson(app.sandboxUrl() + path, "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static void withoutWebhooks(Runnable work) {
        toggle(false, "webhooks-new", "webhooks-poll");
        try {
            work.run();
        } finally {
            toggle(true, "webhooks-new", "webhooks-poll");
        }
    }

    private static void withoutWebhooksOrReconcile(Runnable work) {
        toggle(false, "webhooks-new", "webhooks-poll", "reconcile");
        try {
            work.run();
        } finally {
            toggle(true, "webhooks-new", "webhooks-poll", "reconcile");
        }
    }

    private static void toggle(boolean on, String... routes) {
        try {
            for (String route : routes) {
                if (on) {
                    app.context().getRouteController().startRoute(route);
                } else {
                    app.context().getRouteController().stopRoute(route);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void insertStaleRun(String runId) {
        assertThat(app.lookup("billingRunStore", paybridge.billing.BillingRunStore.class)
                .insert(runId, java.time.Instant.now(), false, "dead-node")).isTrue();
        new paybridge.ledger.Sql(app.context()).update("""
                UPDATE billing_runs SET heartbeat_at = CURRENT_TIMESTAMP - INTERVAL '10' MINUTE,
                    started_at = CURRENT_TIMESTAMP - INTERVAL '10' MINUTE
                WHERE run_id = :?runId""", Map.of("runId", runId));
    }
}
