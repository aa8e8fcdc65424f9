package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Each event type of CONTRACT §8 from its real trigger, delivered over real HTTP to a receiver that
 * checks the Standard Webhooks signature with its own implementation, under both secrets of a rotation:
 * a charge, a decline, a virtual account, a lost answer reconciled, refunds, a console cancel learnt
 * from its webhook, a billing run with a HARD decline (PAST_DUE), a resume and a cancel. Every fact is
 * one event, however many ways paybridge learnt it (the sandbox's webhooks repeat the API's answers).
 */
class EventTypesTest {
    static final String OLD_SECRET = secret();
    static final String NEW_SECRET = secret();
    private static EventReceiver receiver;
    private static RunningPaybridge app;

    static String secret() {
        byte[] key = new byte[24];
        ThreadLocalRandom.current().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    @BeforeAll
    static void start() {
        receiver = new EventReceiver(FreePorts.next());
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.events.destinations", "hook");
        p.put("paybridge.events.destination.hook.uri", receiver.url());
        p.put("paybridge.events.destination.hook.secret", OLD_SECRET + "," + NEW_SECRET);
        p.put("paybridge.events.poll-interval", "PT0.2S");
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
        receiver.close();
    }

    @Test
    void everyEventTypeFromItsTriggerSignedUnderBothSecrets() throws Exception {
        // a charge, a decline, a virtual account
        assertThat(app.postJson("/api/payments", keyIn("e-paid", 3000)).json().path("status").asText()).isEqualTo("PAID");
        assertThat(app.postJson("/api/payments", keyIn("e-fail", 4001)).json().path("status").asText()).isEqualTo("FAILED");
        assertThat(app.postJson("/api/payments", keyIn("e-vbank", 4004)).json().path("status").asText())
                .isEqualTo("AWAITING_DEPOSIT");
        // a lost answer (UNKNOWN), then settled from the vendor's record (the sandbox's webhook, sent
        // at once, waits meanwhile: it would settle the payment before the answer is given up)
        app.context().getRouteController().stopRoute("webhooks-new");
        app.context().getRouteController().stopRoute("webhooks-poll");
        Response lost = app.postJson("/api/payments", keyIn("e-lost", 4002));
        app.context().getRouteController().startRoute("webhooks-new");
        app.context().getRouteController().startRoute("webhooks-poll");
        assertThat(lost.json().path("status").asText()).isEqualTo("UNKNOWN");
        awaitEvent("payment.unknown", "e-lost");
        awaitEvent("payment.paid", "e-lost");

        // refunds: part, then the rest
        assertThat(app.postJson("/api/refunds", refund("e-r1", "e-paid", 1000)).json().path("status").asText())
                .isEqualTo("REFUNDED");
        assertThat(app.postJson("/api/refunds", refund("e-r2", "e-paid", 2000)).json().path("status").asText())
                .isEqualTo("REFUNDED");

        // a cancel in the vendor's console, learnt from its webhook
        String impUid = app.postJson("/api/payments", keyIn("e-console", 5000)).json().path("vendorPaymentRef").asText();
        Response cancel = app.postJson(app.sandboxUrl() + "/iamport/_control/console-cancel/" + impUid, "{}");
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);

        // a billing run whose charge is declined HARD: PAST_DUE; a new card, resume; then cancel
        OffsetDateTime due = OffsetDateTime.now(ZoneId.of("Asia/Seoul")).truncatedTo(ChronoUnit.DAYS).minusDays(10);
        storeCard("e-card-1", "user-e", "cu_e_old");
        Response created = app.postJson("/api/subscriptions", """
                {"subscriptionId": "e-sub", "vendor": "iamport", "billingKey": "cu_e_old",
                 "customer": {"id": "user-e", "name": "홍길동"}, "orderName": "Premium plan", "amount": 9900,
                 "interval": "P1M", "nextBillingAt": "%s"}""".formatted(due.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(app.postJson(app.sandboxUrl() + "/iamport/_control/expire-card/cu_e_old", "{}").status()).isEqualTo(200);
        String runId = startRun(due.plusHours(3));
        String period = "e-sub-" + due.format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8);
        storeCard("e-card-2", "user-e", "cu_e_new");
        assertThat(send("PATCH", "/api/subscriptions/e-sub", "{\"billingKey\": \"cu_e_new\"}").status()).isEqualTo(200);
        assertThat(send("POST", "/api/subscriptions/e-sub/resume", null).status()).isEqualTo(200);
        assertThat(send("DELETE", "/api/subscriptions/e-sub", null).status()).isEqualTo(200);

        EventReceiver.Received paid = awaitEvent("payment.paid", "e-paid");
        awaitEvent("payment.failed", "e-fail");
        awaitEvent("payment.awaiting_deposit", "e-vbank");
        awaitEvent("refund.refunded", "e-paid");
        awaitEvent("payment.partially_refunded", "e-paid");
        EventReceiver.Received cancelled = awaitEvent("payment.cancelled", "e-paid");
        awaitEvent("payment.cancelled", "e-console");
        awaitEvent("payment.failed", period);
        EventReceiver.Received pastDue = awaitSubscriptionEvent("subscription.past_due");
        EventReceiver.Received resumed = awaitSubscriptionEvent("subscription.resumed");
        EventReceiver.Received subscriptionCancelled = awaitSubscriptionEvent("subscription.cancelled");
        // a receiver orders a subscription's events by data.updatedAt, as a payment's
        assertThat(Instant.parse(resumed.json().path("data").path("updatedAt").asText()))
                .isAfter(Instant.parse(pastDue.json().path("data").path("updatedAt").asText()));
        assertThat(Instant.parse(subscriptionCancelled.json().path("data").path("updatedAt").asText()))
                .isAfter(Instant.parse(resumed.json().path("data").path("updatedAt").asText()));
        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.ofType("billing_run.completed").isEmpty());

        // the data of each: the PaymentResult, RefundResult, Subscription, run document
        assertThat(paid.json().path("data").path("status").asText()).isEqualTo("PAID");
        assertThat(paid.json().path("data").path("amount").asLong()).isEqualTo(3000);
        assertThat(paid.json().path("id").asText()).startsWith("evt_");
        assertThat(paid.json().path("createdAt").asText()).isNotBlank();
        assertThat(cancelled.json().path("data").path("refundedAmount").asLong()).isEqualTo(3000);
        assertThat(receiver.ofType("refund.refunded")).extracting(r -> r.json().path("data").path("refundId").asText())
                .containsExactlyInAnyOrder("e-r1", "e-r2");
        EventReceiver.Received r2 = receiver.ofType("refund.refunded").stream()
                .filter(r -> r.json().path("data").path("refundId").asText().equals("e-r2")).findFirst().orElseThrow();
        assertThat(r2.json().path("data").path("remainingAmount").asLong()).isZero();
        assertThat(pastDue.json().path("data").path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(pastDue.json().path("data").path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        JsonNode run = receiver.ofType("billing_run.completed").get(0).json().path("data");
        assertThat(run.path("runId").asText()).isEqualTo(runId);
        assertThat(run.path("counts").path("declined").asInt()).isEqualTo(1);
        assertThat(run.has("items")).isFalse();

        // every delivery signed under both secrets (a receiver on either side of a rotation accepts it),
        // under no other; its webhook-id is the event id
        List<EventReceiver.Received> all = receiver.received();
        for (EventReceiver.Received r : all) {
            assertThat(EventReceiver.verifies(r, OLD_SECRET)).as(r.type()).isTrue();
            assertThat(EventReceiver.verifies(r, NEW_SECRET)).as(r.type()).isTrue();
            assertThat(EventReceiver.verifies(r, secret())).isFalse();
            assertThat(r.headers().get("webhook-signature").split(" ")).hasSize(2);
            assertThat(r.headers().get("webhook-id")).isEqualTo(r.id());
            assertThat(Long.parseLong(r.headers().get("webhook-timestamp")))
                    .isBetween(System.currentTimeMillis() / 1000 - 600, System.currentTimeMillis() / 1000 + 5);
            assertThat(r.headers().get("content-type")).startsWith("application/json");
        }

        // one event per fact: the sandbox's webhooks told paybridge again what the API answers said
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        Map<String, Long> perFact = new HashMap<>();
        for (EventReceiver.Received r : receiver.received()) {
            JsonNode data = r.json().path("data");
            String subject = data.has("refundId") ? data.path("refundId").asText()
                    : data.has("runId") ? data.path("runId").asText()
                    : r.type().startsWith("subscription.") ? data.path("subscriptionId").asText()
                    : data.path("paymentId").asText();
            perFact.merge(r.type() + " " + subject, 1L, Long::sum);
        }
        assertThat(perFact).allSatisfy((fact, n) -> assertThat(n).as(fact).isEqualTo(1L));

        // the feed lists them too, and GET /api/events/{id} shows the delivery
        JsonNode feed = app.get("/api/events?paymentId=e-paid").json();
        assertThat(feed.path("events")).extracting(e -> e.path("type").asText())
                .containsExactly("payment.paid", "payment.partially_refunded", "refund.refunded", "payment.cancelled",
                        "refund.refunded");
        JsonNode one = app.get("/api/events/" + paid.id()).json();
        assertThat(one.path("deliveries")).hasSize(1);
        assertThat(one.path("deliveries").get(0).path("destination").asText()).isEqualTo("hook");
        assertThat(one.path("deliveries").get(0).path("status").asText()).isEqualTo("DELIVERED");
        assertThat(one.path("deliveries").get(0).path("attempts").asInt()).isEqualTo(1);
    }

    static EventReceiver.Received awaitEvent(String type, String paymentId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.ofType(type).stream()
                .anyMatch(r -> paymentId.equals(r.json().path("data").path("paymentId").asText())));
        return receiver.ofType(type).stream()
                .filter(r -> paymentId.equals(r.json().path("data").path("paymentId").asText())).findFirst().orElseThrow();
    }

    static EventReceiver.Received awaitSubscriptionEvent(String type) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !receiver.ofType(type).isEmpty());
        return receiver.ofType(type).get(0);
    }

    private static void storeCard(String paymentId, String customerId, String customerUid) {
        Response r = app.postJson("/api/payments", """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                 "orderName": "Card check", "customer": {"id": "%s", "name": "홍길동"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2030-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": true, "billingKey": "%s"}""".formatted(paymentId, customerId, customerUid));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static String startRun(OffsetDateTime asOf) {
        Response r = app.postJson("/api/billing-runs", "{\"asOf\": \"" + asOf.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                + "\", \"dryRun\": false}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        String runId = r.json().path("runId").asText();
        await().atMost(Duration.ofMinutes(1)).until(() ->
                !"RUNNING".equals(app.get("/api/billing-runs/" + runId).json().path("status").asText()));
        return runId;
    }

    private static Response send(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + path));
        if (json == null) {
            return app.send(b.method(method, HttpRequest.BodyPublishers.noBody()));
        }
        return app.send(b.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    static String keyIn(String paymentId, long amount) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "홍길동"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"}}"""
                .formatted(paymentId, amount);
    }

    static String refund(String refundId, String paymentId, long amount) {
        return "{\"refundId\": \"%s\", \"paymentId\": \"%s\", \"amount\": %d, \"reason\": \"test\"}"
                .formatted(refundId, paymentId, amount);
    }
}
