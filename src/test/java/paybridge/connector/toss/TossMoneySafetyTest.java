package paybridge.connector.toss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.sandbox.toss.TossSimulator;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * What Toss does rarely, over real HTTP against the Toss simulator's hooks for it: a cancel whose answer is
 * lost (held back, or a late 5xx Toss did not keep), a 5xx after the cancel was applied, cancels[] out of order, a
 * cancel not finished, a 404 that is not about the payment, an answer that is another charge's, a lost
 * billing-key issuance, a deposit callback's secret.
 */
class TossMoneySafetyTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT1S",
                "paybridge.sandbox.hang", "PT4S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.3S",
                "paybridge.reconcile.max-backoff", "PT1S",
                "paybridge.observe.backlog-refresh", "PT0S"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    // ---- helpers

    private static JsonNode toss(String what) {
        return app.get(app.sandboxUrl() + "/toss/" + what).json();
    }

    private static Response control(String what, String json) {
        Response r = app.postJson(app.sandboxUrl() + "/toss/_control/" + what, json);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String authKey(String customerId, String fault) {
        return app.postJson(app.sandboxUrl() + "/toss/_control/auth-key", fault == null
                ? "{\"customerKey\": \"" + customerId + "\"}"
                : "{\"customerKey\": \"" + customerId + "\", \"fault\": \"" + fault + "\"}").json().path("authKey").asText();
    }

    private static Response issue(String customerId, String authKey) {
        return app.postJson("/api/billing-keys", """
                {"vendor": "toss", "customer": {"id": "%s"}, "authKey": "%s"}""".formatted(customerId, authKey));
    }

    private static String billingKey(String customerId) {
        Response r = issue(customerId, authKey(customerId, null));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("billingKey").asText();
    }

    /**
     * Runs {@code work} while Toss API requests whose path starts with {@code prefix} reach a path Toss does not
     * serve (a 404 that is not Toss's, as after a wrong base URL); every path is served again afterwards.
     */
    private static <T> T whileUnrouted(String prefix, java.util.function.Supplier<T> work) {
        control("unrouted", "{\"prefixes\": [\"" + prefix + "\"]}");
        try {
            return work.get();
        } finally {
            control("unrouted", "{\"prefixes\": []}");
        }
    }

    private static String charge(String paymentId, long amount, String customerId, String billingKey) {
        return """
                {"paymentId": "%s", "vendor": "toss", "method": "BILLING_KEY", "amount": %d, "orderName": "Premium plan",
                 "customer": {"id": "%s"}, "billingKey": "%s"}""".formatted(paymentId, amount, customerId, billingKey);
    }

    /** A PAID Toss payment of {@code amount}; answers its paymentKey. */
    private static String paid(String paymentId, long amount) {
        String customer = "user-" + paymentId;
        Response r = app.postJson("/api/payments", charge(paymentId, amount, customer, billingKey(customer)));
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("PAID");
        return r.json().path("vendorPaymentRef").asText();
    }

    private static Response refund(String refundId, String paymentId, long amount) {
        return app.postJson("/api/refunds", "{\"refundId\": \"%s\", \"paymentId\": \"%s\", \"amount\": %d}"
                .formatted(refundId, paymentId, amount));
    }

    private static JsonNode record(String paymentKey) {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/toss/v1/payments/" + paymentKey))
                .header("Authorization", TossRequests.basicAuth(TossSimulator.SECRET_KEY)).GET();
        return app.send(get).json();
    }

    private static long lookups(String ref) {
        return toss("_lookups/" + ref).path("lookups").asLong();
    }

    private static long ledgerSum(String paymentId) {
        long sum = 0;
        for (JsonNode e : app.get("/api/ledger?paymentId=" + paymentId).json().path("entries")) {
            sum += e.path("amount").asLong();
        }
        return sum;
    }

    // ---- cancels

    @Test
    void aCancelWhoseAnswerIsLostIsNotAskedAgainAndReconcileFindsIt() {
        String paymentKey = paid("tms-proc-0001", 9900);
        control("cancel-fault/" + paymentKey, "{\"next\": \"PROCESSING\"}");
        long conflicts = toss("_stats").path("processingConflicts").asLong();

        // the cancel is applied at once, its answer held back past the timeout: not asked again
        Response r = refund("tms-proc-rf1", "tms-proc-0001", 1000);
        assertThat(toss("_stats").path("processingConflicts").asLong()).as("no re-ask").isEqualTo(conflicts);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        // the money stays reserved: a second refund of everything cannot take it again
        Response all = refund("tms-proc-rf2", "tms-proc-0001", 9900);
        assertThat(all.status()).as(all.body()).isEqualTo(422);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("tms-proc-rf1", "tms-proc-0001", 1000).json().path("status").asText()).isEqualTo("REFUNDED"));
        assertThat(record(paymentKey).path("cancels")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ledgerSum("tms-proc-0001")).isEqualTo(8900));
    }

    @Test
    void aCancelAnswered5xxIsNeverSentAgain() {
        appliedThen5xxIsReturnedOnce("tms-5xx", "APPLIED_THEN_5XX");
    }

    /**
     * Toss applied the cancel and failed afterwards; its 500, which it does not keep under the key, comes
     * after our timeout: to paybridge a lost answer. Asked again, the cancel would run again and return the
     * money twice; it is not asked again (UNKNOWN), and reconcile finds the one cancel.
     */
    @Test
    void aCancelWhose5xxIsLostIsNeverSentAgain() {
        appliedThen5xxIsReturnedOnce("tms-5xxl", "APPLIED_THEN_5XX_LATE");
    }

    /** A cancel Toss applied and then failed with a 5xx ({@code fault}): UNKNOWN, then REFUNDED by reconcile, returned once. */
    private static void appliedThen5xxIsReturnedOnce(String prefix, String fault) {
        String paymentId = prefix + "-0001";
        String refundId = prefix + "-rf1";
        String paymentKey = paid(paymentId, 9900);
        control("cancel-fault/" + paymentKey, "{\"next\": \"" + fault + "\"}");

        Response r = refund(refundId, paymentId, 1000);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        // Toss applied it once; a re-ask would have applied it again (a 5xx is not kept under the key)
        assertThat(record(paymentKey).path("cancels")).as("returned once").hasSize(1);
        assertThat(record(paymentKey).path("balanceAmount").asLong()).isEqualTo(8900);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund(refundId, paymentId, 1000).json().path("status").asText()).isEqualTo("REFUNDED"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ledgerSum(paymentId)).isEqualTo(8900));
        assertThat(record(paymentKey).path("cancels")).hasSize(1);
    }

    @Test
    void theCancelAnswerIsMatchedByAmountAndUnclaimedKeyNotByPosition() {
        String paymentKey = paid("tms-order-0001", 9900);
        // Toss lists cancels[] newest first here, and sends no webhook (nothing repairs the ledger behind the answer)
        control("cancel-fault/" + paymentKey, "{\"newestFirst\": true, \"webhooks\": false}");

        Response first = refund("tms-order-rf1", "tms-order-0001", 1000);
        assertThat(first.json().path("status").asText()).as(first.body()).isEqualTo("REFUNDED");
        Response second = refund("tms-order-rf2", "tms-order-0001", 2000);
        assertThat(second.json().path("status").asText()).as(second.body()).isEqualTo("REFUNDED");
        assertThat(second.json().path("refundedAmount").asLong()).isEqualTo(3000);
        assertThat(second.json().path("remainingAmount").asLong()).isEqualTo(6900);

        JsonNode entries = app.get("/api/ledger?paymentId=tms-order-0001").json().path("entries");
        assertThat(entries).hasSize(3);
        assertThat(ledgerSum("tms-order-0001")).isEqualTo(6900);
        // each return keyed by its own transactionKey
        JsonNode cancels = record(paymentKey).path("cancels");
        for (JsonNode c : cancels) {
            assertThat(entries.toString()).contains(c.path("transactionKey").asText());
        }
    }

    @Test
    void aCancelNotFinishedAtTossIsNeverConcludedNotRefunded() {
        String paymentKey = paid("tms-unfin-0001", 9900);
        control("cancel-fault/" + paymentKey, "{\"next\": \"UNFINISHED\", \"webhooks\": false}");

        Response r = refund("tms-unfin-rf1", "tms-unfin-0001", 1000);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        // reconcile looks the payment up (past the refund's bound) and sees the cancel in progress, twice
        long before = lookups(paymentKey);
        await().atMost(Duration.ofSeconds(20)).until(() -> lookups(paymentKey) >= before + 2
                || !"UNKNOWN".equals(refund("tms-unfin-rf1", "tms-unfin-0001", 1000).json().path("status").asText()));
        assertThat(refund("tms-unfin-rf1", "tms-unfin-0001", 1000).json().path("status").asText())
                .as("not concluded NOT_REFUNDED while Toss still cancels").isEqualTo("UNKNOWN");

        control("finish-cancel/" + paymentKey, "{}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("tms-unfin-rf1", "tms-unfin-0001", 1000).json().path("status").asText()).isEqualTo("REFUNDED"));
        assertThat(ledgerSum("tms-unfin-0001")).isEqualTo(8900);
    }

    // ---- 404s that are not about the payment

    @Test
    void a404ThatIsNotNotFoundPaymentNeverConcludesNeverCharged() {
        String key = billingKey("user-tms-404");
        // lookups by this order reach a path Toss does not serve (404 NOT_FOUND, as after a wrong base URL)
        whileUnrouted("/v1/payments/orders/tms-404-0001", () -> {
            Response r = app.postJson("/api/payments", charge("tms-404-0001", 4003, "user-tms-404", key));
            assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("UNKNOWN");
            long hits = toss("_stats").path("unrouted").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> toss("_stats").path("unrouted").asLong() >= hits + 2);
            assertThat(app.get("/api/payments/tms-404-0001").json().path("status").asText()).isEqualTo("UNKNOWN");
            return null;
        });
        // Toss itself answers NOT_FOUND_PAYMENT: never charged
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode p = app.get("/api/payments/tms-404-0001").json();
            assertThat(p.path("status").asText()).isEqualTo("FAILED");
            assertThat(p.path("failure").path("code").asText()).isEqualTo("NOT_CHARGED");
        });
    }

    @Test
    void aChargeAnswered404WithAnotherCodeIsNotAttemptedNotAHardDecline() {
        String key = billingKey("user-tms-404c");
        Response r = whileUnrouted("/v1/billing/" + key,
                () -> app.postJson("/api/payments", charge("tms-404c-0001", 3000, "user-tms-404c", key)));
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        Response again = app.postJson("/api/payments", charge("tms-404c-0001", 3000, "user-tms-404c", key));
        assertThat(again.json().path("status").asText()).as(again.body()).isEqualTo("PAID");
    }

    // ---- a charge Toss is still processing

    /**
     * The first ask's answer is lost (held back past the call timeout) and the re-ask is answered 409
     * IDEMPOTENT_REQUEST_PROCESSING: the charge is in flight at that moment, so its horizon is counted again
     * from then (database clock), not from when it was first recorded; "never charged" cannot be drawn before
     * it, and once past it the lookup finds the charge.
     */
    @Test
    void aChargeTossIsStillProcessingIsInFlightForAWholeHorizonFromThatAnswer() {
        String key = billingKey("user-tms-busy");
        control("charge-fault/tms-busy-0001", "{\"next\": \"PROCESSING\"}");
        // the charge's webhook (sent before its held answer) is kept from settling it first: its lookup unanswered
        Response r = whileUnrouted("/v1/payments",
                () -> app.postJson("/api/payments", charge("tms-busy-0001", 3000, "user-tms-busy", key)));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().path("failure").path("code").asText()).isEqualTo("VENDOR_STILL_PROCESSING");

        var row = new paybridge.ledger.Sql(app.context()).query(
                "SELECT in_flight_until, updated_at FROM payments WHERE payment_id = :?id", Map.of("id", "tms-busy-0001")).get(0);
        java.time.Instant answered = paybridge.ledger.Sql.instant(row.containsKey("updated_at") ? row.get("updated_at") : row.get("UPDATED_AT"));
        java.time.Instant until = paybridge.ledger.Sql.instant(row.containsKey("in_flight_until") ? row.get("in_flight_until") : row.get("IN_FLIGHT_UNTIL"));
        Duration horizon = paybridge.connector.http.OperationDeadline.of(
                new paybridge.Settings(app.context().getPropertiesComponent())).horizon();
        // counted from the first record instead, it would end the re-ask's time (over 1 s here) earlier
        assertThat(Duration.between(answered, until)).as("in flight for a whole horizon (%s) from the answer", horizon)
                .isGreaterThanOrEqualTo(horizon.minusMillis(200));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(app.get("/api/payments/tms-busy-0001").json().path("status").asText()).isEqualTo("PAID"));
        assertThat(ledgerSum("tms-busy-0001")).isEqualTo(3000);
    }

    // ---- a charge answer that is not this charge

    @Test
    void aDoneAnswerForAnotherAmountOrOrderIsUnknown() {
        String key = billingKey("user-tms-mm");
        // another installation on the same secret key used paybridge's Idempotency-Key first (same path):
        // Toss answers paybridge with that first answer
        HttpRequest.Builder other = HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/toss/v1/billing/" + key))
                .header("Authorization", TossRequests.basicAuth(TossSimulator.SECRET_KEY))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", TossRequests.chargeKey("tms-mm-0001"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"customerKey": "user-tms-mm", "amount": 5000, "orderId": "tms-mm-0001", "orderName": "other"}"""));
        // that payment's webhook (sent before its answer) names orderId tms-mm-0001 too: verified and recorded
        // before the charge below, it would hold the id (a 409, which is safe but not this case). Its lookup
        // is kept from answering until the charge is asked
        Response amount = whileUnrouted("/v1/payments", () -> {
            assertThat(app.send(other).status()).isEqualTo(200);
            return app.postJson("/api/payments", charge("tms-mm-0001", 3000, "user-tms-mm", key));
        });
        assertThat(amount.status()).as(amount.body()).isEqualTo(202);
        assertThat(amount.json().path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(app.get("/api/ledger?paymentId=tms-mm-0001").json().path("entries")).isEmpty();

        HttpRequest.Builder otherOrder = HttpRequest.newBuilder(URI.create(app.sandboxUrl() + "/toss/v1/billing/" + key))
                .header("Authorization", TossRequests.basicAuth(TossSimulator.SECRET_KEY))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", TossRequests.chargeKey("tms-mm-0002"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"customerKey": "user-tms-mm", "amount": 3000, "orderId": "tms-mm-other", "orderName": "other"}"""));
        assertThat(app.send(otherOrder).status()).isEqualTo(200);
        Response order = app.postJson("/api/payments", charge("tms-mm-0002", 3000, "user-tms-mm", key));
        assertThat(order.json().path("status").asText()).as(order.body()).isEqualTo("UNKNOWN");
        // the lookup by paybridge's orderId finds nothing there: never charged
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(app.get("/api/payments/tms-mm-0002").json().path("failure").path("code").asText())
                        .isEqualTo("NOT_CHARGED"));
    }

    // ---- an operator's resolve

    /** The reference an operator types cannot be checked at Toss (its lookups unanswered): 503, nothing changed. */
    @Test
    void aResolveWhoseReferenceTossCannotBeAskedAboutIs503AndChangesNothing() {
        String key = billingKey("user-tms-rs");
        // Toss's lookups unanswered from the start: reconcile cannot settle the lost charge either
        whileUnrouted("/v1/payments", () -> {
            Response lost = app.postJson("/api/payments", charge("tms-rs-0001", 4003, "user-tms-rs", key));
            assertThat(lost.json().path("status").asText()).as(lost.body()).isEqualTo("UNKNOWN");
            paybridge.ledger.PaymentStore payments = app.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> payments.inFlight("tms-rs-0001").orElseThrow().landed());
            Response r = app.postJson("/api/payments/tms-rs-0001/resolve",
                    "{\"status\": \"PAID\", \"reason\": \"seen in the console\", \"vendorPaymentRef\": \"tgen_tms_rs_seen\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("detail").asText()).contains("nothing was changed");
            assertThat(app.get("/api/payments/tms-rs-0001").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=tms-rs-0001").json().path("entries")).isEmpty();
            return null;
        });
    }

    // ---- billing keys

    @Test
    void aLostIssuanceRefusedOnReAskKeepsItsRowAndIsSettledBySendingItAgain() {
        String auth = authKey("user-tms-bk", "PROCESSING");
        long conflicts = toss("_stats").path("processingConflicts").asLong();
        Response lost = issue("user-tms-bk", auth);
        assertThat(toss("_stats").path("processingConflicts").asLong()).isGreaterThan(conflicts);
        assertThat(lost.status()).as(lost.body()).isEqualTo(503);

        // reported while nobody asks again past its bound
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(backlog().path("billing-keys.pending.stuck")
                .asLong()).isGreaterThanOrEqualTo(1));
        assertThat(app.get("http://127.0.0.1:" + app.managementPort + "/observe/metrics").body())
                .contains("paybridge_billing_keys_pending_stuck");

        // the same request again: asked with the same Idempotency-Key, Toss answers the key it issued
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(issue("user-tms-bk", auth).status()).isEqualTo(200));
        assertThat(toss("_stats").path("issued").asLong()).isPositive();
    }

    @Test
    void aCustomerIdTossCannotTakeIsA422NamingIt() {
        long calls = toss("_stats").path("issueCalls").asLong();
        for (String id : new String[] {"u", "user 42"}) {
            Response r = issue(id, authKey(id, null));
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.json().path("errors")).anySatisfy(e -> assertThat(e.path("field").asText()).isEqualTo("customer.id"));
        }
        assertThat(toss("_stats").path("issueCalls").asLong()).as("Toss was not asked").isEqualTo(calls);
        Response charge = app.postJson("/api/payments", charge("tms-cust-0001", 3000, "user 42", "bk_x"));
        assertThat(charge.status()).isEqualTo(422);
        assertThat(charge.json().path("errors")).anySatisfy(e -> assertThat(e.path("field").asText()).isEqualTo("customer.id"));
    }

    // ---- webhooks

    @Test
    void aDepositCallbacksSecretIsNotStored() {
        Response r = app.postJson("/webhooks/toss", """
                {"createdAt": "2026-11-22T05:00:00.000000", "secret": "ps_callback_secret_value", "status": "DONE",
                 "transactionKey": "txrd_tms_1", "orderId": "tms-dep-0001"}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String inboxId = r.json().path("inboxId").asText();
        JsonNode stored = null;
        for (JsonNode e : app.get("/api/webhooks?vendor=toss").json().path("entries")) {
            if (e.path("inboxId").asText().equals(inboxId)) {
                stored = e;
            }
        }
        assertThat(stored).isNotNull();
        assertThat(stored.toString()).doesNotContain("ps_callback_secret_value").contains("tms-dep-0001")
                .contains("txrd_tms_1");
    }

    private static JsonNode backlog() {
        JsonNode health = app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full&data=true").json();
        for (JsonNode c : health.path("checks")) {
            if (c.path("name").asText().equals("reconcile-backlog")) {
                return c.path("data");
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
