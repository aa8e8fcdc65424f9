package paybridge.connector.toss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Toss as the third connector, over real HTTP: paybridge in the dev profile (toss enabled) against the
 * sandbox's Toss simulator, webhooks sent back and processed. Billing keys from an authKey, charges,
 * a lost answer settled by asking again with the same Idempotency-Key, declines and their categories,
 * refunds with cancels[], reconcile, webhooks, a billing run with dunning by decline category.
 */
class TossAcceptanceTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                // the simulator answers the lost-answer amount (4002) after hang, well after the call timeout
                "paybridge.vendor.timeout", "PT1S",
                "paybridge.sandbox.hang", "PT4S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.3S",
                "paybridge.reconcile.max-backoff", "PT1S"));
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

    /** An authKey as Toss's billing window hands it out to the customer's browser. */
    private static String authKey(String customerId) {
        return app.postJson(app.sandboxUrl() + "/toss/_control/auth-key", "{\"customerKey\": \"" + customerId + "\"}")
                .json().path("authKey").asText();
    }

    /** The PENDING row an issuance leaves when its answer was lost, past its in-flight bound. */
    private static paybridge.ledger.BillingKeyStore askedAndLost(String authKey, String customerId) {
        String hash = paybridge.payments.RequestHash.sha256(authKey);
        paybridge.ledger.BillingKeyStore keys = new paybridge.ledger.BillingKeyStore(new paybridge.ledger.Sql(app.context()));
        assertThat(keys.insert("toss", hash, customerId, Duration.ofSeconds(1))).isTrue();
        new paybridge.ledger.Sql(app.context()).update("""
                UPDATE billing_keys SET in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND
                WHERE auth_key_hash = :?hash""", Map.of("hash", hash));
        return keys;
    }

    private static Response issue(String customerId, String authKey) {
        return app.postJson("/api/billing-keys", """
                {"vendor": "toss", "customer": {"id": "%s"}, "authKey": "%s"}""".formatted(customerId, authKey));
    }

    private static String billingKey(String customerId) {
        Response r = issue(customerId, authKey(customerId));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("billingKey").asText();
    }

    private static String charge(String paymentId, long amount, String customerId, String billingKey) {
        return """
                {"paymentId": "%s", "vendor": "toss", "method": "BILLING_KEY", "amount": %d, "orderName": "Premium plan",
                 "customer": {"id": "%s", "name": "홍길동", "phone": "010-1234-5678"}, "billingKey": "%s"}"""
                .formatted(paymentId, amount, customerId, billingKey);
    }

    /** A payment made in Toss's checkout, for 5000: its orderId (42 characters) and key, and the paymentId it is kept under. */
    private record Checkout(String orderId, String paymentKey, String paymentId) {
    }

    private static Checkout checkoutWithALongOrderId(RunningPaybridge on) {
        String orderId = "order_" + java.util.UUID.randomUUID() + "xx";
        Response checkout = on.postJson(on.sandboxUrl() + "/toss/_control/payment",
                "{\"orderId\": \"" + orderId + "\", \"amount\": 5000, \"orderName\": \"checkout\"}");
        assertThat(checkout.status()).as(checkout.body()).isEqualTo(200);
        String paymentKey = checkout.json().path("paymentKey").asText();
        return new Checkout(orderId, paymentKey, "toss-" + paybridge.payments.RequestHash.sha256(paymentKey).substring(0, 24));
    }

    // ---- billing keys

    @Test
    void aKeyIssuedTwiceFromOneAuthKeyIsOneKeyAndOneVendorCall() {
        String auth = authKey("user-bk-1");
        long calls = toss("_stats").path("issueCalls").asLong();
        Response first = issue("user-bk-1", auth);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        JsonNode key = first.json();
        assertThat(key.path("vendor").asText()).isEqualTo("toss");
        assertThat(key.path("billingKey").asText()).isNotBlank();
        assertThat(key.path("customer").path("id").asText()).isEqualTo("user-bk-1");
        assertThat(key.path("card").path("number").asText()).contains("*");
        assertThat(key.path("createdAt").asText()).isNotBlank();

        Response again = issue("user-bk-1", auth);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("billingKey").asText()).isEqualTo(key.path("billingKey").asText());
        assertThat(toss("_stats").path("issueCalls").asLong()).as("one vendor call").isEqualTo(calls + 1);

        // the same authKey for another customer is not this key
        assertThat(issue("user-bk-other", auth).status()).isEqualTo(409);

        // one audit row, for the issue that changed something, naming the customer and never the key
        JsonNode audit = app.get("/api/audit?limit=1000").json().path("entries");
        assertThat(audit).filteredOn(e -> e.path("action").asText().equals("billing-key.issue")
                && e.path("target").asText().equals("user-bk-1")).hasSize(1);
        assertThat(audit.toString()).doesNotContain(key.path("billingKey").asText());
    }

    /**
     * An authKey first sent for the wrong customer (Toss refuses it; nothing is kept) and then for its own:
     * issued. The vendor's Idempotency-Key names the customer too, or Toss would answer the second request
     * with the first one's refusal for as long as it keeps the key.
     */
    @Test
    void anAuthKeyRefusedForTheWrongCustomerIsIssuedForItsOwn() {
        String auth = authKey("user-bk-own");
        Response wrong = issue("user-bk-wrong", auth);
        assertThat(wrong.status()).as(wrong.body()).isEqualTo(422);
        Response own = issue("user-bk-own", auth);
        assertThat(own.status()).as(own.body()).isEqualTo(201);
        assertThat(own.json().path("customer").path("id").asText()).isEqualTo("user-bk-own");
    }

    @Test
    void anAuthKeyTossRefusesIsA422NamingAuthKey() {
        Response r = issue("user-bk-2", "bln_not-handed-out");
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().path("errors")).anySatisfy(e -> {
            assertThat(e.path("field").asText()).isEqualTo("authKey");
            assertThat(e.path("message").asText()).contains("INVALID_AUTH_KEY");
        });
    }

    /**
     * The same request sent again after its answer was lost, the first ask having issued the key at Toss
     * (its authKey spent, the answer not kept under the Idempotency-Key): Toss refuses the re-ask
     * INVALID_AUTH_KEY. That proves nothing: still "answer lost" (503), the row kept for an operator, never
     * "authorization refused" with the row deleted while a key was issued.
     */
    @Test
    void aRefusalOfAReSendAfterALostAnswerIsNoRefusal() {
        String auth = authKey("user-bk-lost");
        // the first ask: Toss issued the key; paybridge recorded the ask, never its answer
        Response atToss = app.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        app.sandboxUrl() + "/toss/v1/billing/authorizations/issue"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString((paybridge.sandbox.toss.TossSimulator.SECRET_KEY + ":").getBytes()))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"authKey\": \"" + auth + "\", \"customerKey\": \"user-bk-lost\"}")));
        assertThat(atToss.status()).as(atToss.body()).isEqualTo(200);
        String hash = paybridge.payments.RequestHash.sha256(auth);
        paybridge.ledger.BillingKeyStore keys = askedAndLost(auth, "user-bk-lost");

        Response again = issue("user-bk-lost", auth);
        assertThat(again.status()).as(again.body()).isEqualTo(503);
        assertThat(keys.find("toss", hash)).as("kept, PENDING").hasValueSatisfying(row -> assertThat(row.issued()).isFalse());
    }

    /**
     * A re-send after a lost answer that the vendor does not process (connection refused, 429, ...) keeps the
     * PENDING row: the earlier ask may have issued the key, so the next re-send must still be a re-ask.
     */
    @Test
    void aReSendAfterALostAnswerThatIsNotAttemptedKeepsTheRowForTheNextReSend() throws Exception {
        String auth = "bln_lost-then-not-attempted";
        String hash = paybridge.payments.RequestHash.sha256(auth);
        paybridge.ledger.BillingKeyStore keys = askedAndLost(auth, "user-bk-na");
        paybridge.payments.BillingKeyService service = app.lookup("billingKeyService", paybridge.payments.BillingKeyService.class);
        org.apache.camel.Exchange resend = new org.apache.camel.support.DefaultExchange(app.context());
        resend.getMessage().setBody(("{\"vendor\": \"toss\", \"customer\": {\"id\": \"user-bk-na\"}, \"authKey\": \""
                + auth + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        service.begin(resend);
        assertThat(resend.getMessage().getBody(paybridge.connector.BillingKeyRequest.class).askedBefore()).isTrue();
        // the vendor did not process this re-send
        resend.getMessage().setBody(paybridge.connector.BillingKeyOutcome.of(
                paybridge.connector.BillingKeyOutcome.Status.NOT_ATTEMPTED, "VENDOR_CONNECT_FAILED", "connection refused"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> service.complete(resend))
                .isInstanceOf(paybridge.canonical.ProblemException.class);
        assertThat(keys.find("toss", hash)).as("kept, PENDING").hasValueSatisfying(row -> assertThat(row.issued()).isFalse());
        // nothing in flight: the next re-send takes the row at once (no 409), still as a re-ask
        org.apache.camel.Exchange next = new org.apache.camel.support.DefaultExchange(app.context());
        next.getMessage().setBody(("{\"vendor\": \"toss\", \"customer\": {\"id\": \"user-bk-na\"}, \"authKey\": \""
                + auth + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        service.begin(next);
        assertThat(next.getMessage().getBody(paybridge.connector.BillingKeyRequest.class).askedBefore()).isTrue();
    }

    @Test
    void anotherCustomersTossKeyIsRefusedForASubscription() {
        String key = billingKey("user-key-owner");
        Response created = app.postJson("/api/subscriptions", """
                {"subscriptionId": "tsub-not-theirs", "vendor": "toss", "billingKey": "%s", "customer": {"id": "user-key-borrower"},
                 "orderName": "Premium plan", "amount": 9900, "interval": "P1M", "nextBillingAt": "2026-12-01T00:00:00+09:00"}"""
                .formatted(key));
        assertThat(created.status()).as(created.body()).isEqualTo(422);
        assertThat(created.json().path("errors").get(0).path("field").asText()).isEqualTo("billingKey");
    }

    @Test
    void vendorsWhoseKeysComeFromElsewhereSaySoWith422() {
        Response iamport = app.postJson("/api/billing-keys",
                "{\"vendor\": \"iamport\", \"customer\": {\"id\": \"u\"}, \"authKey\": \"a\"}");
        assertThat(iamport.status()).isEqualTo(422);
        assertThat(iamport.json().path("detail").asText()).contains("KEY_IN").contains("saveBillingKey");
        Response steppay = app.postJson("/api/billing-keys",
                "{\"vendor\": \"steppay\", \"customer\": {\"id\": \"u\"}, \"authKey\": \"a\"}");
        assertThat(steppay.status()).isEqualTo(422);
        assertThat(steppay.json().path("detail").asText()).contains("_BILL");
    }

    // ---- charges

    @Test
    void aLostChargeAnswerIsSettledByAskingAgainWithTheSameIdempotencyKey() {
        String key = billingKey("user-lost-1");
        JsonNode before = toss("_stats");
        // 4002: Toss charges, its answer is lost (after the call timeout); the re-ask with the same key
        // is answered the first answer
        Response r = app.postJson("/api/payments", charge("tp-lost-0001", 4002, "user-lost-1", key));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("PAID");
        assertThat(r.json().path("vendorPaymentRef").asText()).startsWith("tgen_");
        JsonNode after = toss("_stats");
        assertThat(after.path("charges").asLong()).as("exactly one charge at Toss").isEqualTo(before.path("charges").asLong() + 1);
        assertThat(after.path("idempotentReplays").asLong()).isGreaterThan(before.path("idempotentReplays").asLong());
        assertThat(app.get("/api/ledger?paymentId=tp-lost-0001").json().path("entries")).hasSize(1);
    }

    @Test
    void declinesAreMappedWithTheirCategory() {
        String key = billingKey("user-dec-1");
        JsonNode soft = app.postJson("/api/payments", charge("tp-dec-soft", 4001, "user-dec-1", key)).json();
        assertThat(soft.path("status").asText()).isEqualTo("FAILED");
        assertThat(soft.path("failure").path("code").asText()).isEqualTo("REJECT_CARD_PAYMENT");
        assertThat(soft.path("failure").path("category").asText()).isEqualTo("SOFT");

        JsonNode hard = app.postJson("/api/payments", charge("tp-dec-hard", TossSimulatorAmounts.HARD, "user-dec-1", key)).json();
        assertThat(hard.path("status").asText()).isEqualTo("FAILED");
        assertThat(hard.path("failure").path("code").asText()).isEqualTo("INVALID_STOPPED_CARD");
        assertThat(hard.path("failure").path("category").asText()).isEqualTo("HARD");

        // customerKey must be the key's customer
        JsonNode other = app.postJson("/api/payments", charge("tp-dec-cust", 3000, "user-someone-else", key)).json();
        assertThat(other.path("failure").path("code").asText()).isEqualTo("NOT_MATCHES_CUSTOMER_KEY");
        assertThat(other.path("failure").path("category").asText()).isEqualTo("HARD");

        JsonNode unknownKey = app.postJson("/api/payments", charge("tp-dec-nokey", 3000, "user-dec-1", "bk_never_issued")).json();
        assertThat(unknownKey.path("failure").path("code").asText()).isEqualTo("NOT_FOUND_BILLING_KEY");
        assertThat(unknownKey.path("failure").path("category").asText()).isEqualTo("HARD");

        // Toss's orderId is 6-64 characters: a shorter paymentId is refused before anything is recorded
        Response shortId = app.postJson("/api/payments", charge("tp-1", 3000, "user-dec-1", key));
        assertThat(shortId.status()).isEqualTo(422);
        assertThat(shortId.json().path("errors")).anySatisfy(e -> assertThat(e.path("field").asText()).isEqualTo("paymentId"));
        assertThat(app.get("/api/payments/tp-1").status()).isEqualTo(404);
    }

    @Test
    void keysOfTheDocumentedLengthOf200AreKeptWhole() {
        // Toss documents billingKey and paymentKey "up to 200" characters: every column holding one is that wide
        String longKey = "k".repeat(199) + "=";
        JsonNode declined = app.postJson("/api/payments", charge("tp-long-key", 3000, "user-long-1", longKey)).json();
        assertThat(declined.path("status").asText()).isEqualTo("FAILED");
        assertThat(declined.path("failure").path("code").asText()).isEqualTo("NOT_FOUND_BILLING_KEY");
        assertThat(app.get("/api/payments/tp-long-key").json().path("billingKey").asText()).isEqualTo(longKey);

        Response sub = app.postJson("/api/subscriptions", """
                {"subscriptionId": "sub-long-key", "vendor": "toss", "billingKey": "%s",
                 "customer": {"id": "user-long-1"}, "orderName": "Premium plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "2099-01-01T00:00:00+09:00"}""".formatted(longKey));
        assertThat(sub.status()).as(sub.body()).isEqualTo(201);
        assertThat(app.get("/api/subscriptions/sub-long-key").json().path("billingKey").asText()).isEqualTo(longKey);
    }

    @Test
    void a5xxIsUnknownThenReconciledNeverChargedByTheOrderLookup() {
        String key = billingKey("user-5xx-1");
        Response r = app.postJson("/api/payments", charge("tp-5xx-0001", 4003, "user-5xx-1", key));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode p = app.get("/api/payments/tp-5xx-0001").json();
            assertThat(p.path("status").asText()).isEqualTo("FAILED");
            assertThat(p.path("failure").path("code").asText()).isEqualTo("NOT_CHARGED");
        });
    }

    /**
     * A payment at Toss under the orderId a charge then uses, that paybridge has no record of sending (another
     * system's; or this charge's, sent before a crash lost the row's commit): the charge's first ask is refused
     * DUPLICATED_ORDER_ID. Toss's record cannot tell which: the charge stays UNKNOWN (ORDER_ID_IN_USE) for an
     * operator. Neither reconcile's lookup by orderId nor the payment's webhook takes that record for it (PAID
     * without a charge), and it is never FAILED (a lost send's charge, billed again).
     */
    @Test
    void aChargeWhoseOrderIdTossAlreadyHoldsIsLeftForAnOperator() {
        try (RunningPaybridge own = RunningPaybridge.start(Map.of("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                "paybridge.vendor.timeout", "PT1S", "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.3S", "paybridge.reconcile.max-backoff", "PT1S"))) {
            Response checkout = own.postJson(own.sandboxUrl() + "/toss/_control/payment",
                    "{\"orderId\": \"tp-taken-0001\", \"amount\": 5000, \"orderName\": \"another system's order\"}");
            assertThat(checkout.status()).as(checkout.body()).isEqualTo(200);
            String auth = own.postJson(own.sandboxUrl() + "/toss/_control/auth-key", "{\"customerKey\": \"user-taken\"}")
                    .json().path("authKey").asText();
            Response issued = own.postJson("/api/billing-keys", """
                    {"vendor": "toss", "customer": {"id": "user-taken"}, "authKey": "%s"}""".formatted(auth));
            assertThat(issued.status()).as(issued.body()).isEqualTo(201);

            Response r = own.postJson("/api/payments", charge("tp-taken-0001", 5000, "user-taken",
                    issued.json().path("billingKey").asText()));
            assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("UNKNOWN");
            assertThat(r.json().path("failure").path("code").asText()).isEqualTo("ORDER_ID_IN_USE");
            // reconcile looks it up past its in-flight bound, finds Toss's record, and leaves it for an operator
            paybridge.ledger.PaymentStore payments = own.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    payments.find("tp-taken-0001").orElseThrow().unsettledReason()).isEqualTo("NOT_THIS_PAYMENT"));
            // the record's webhook neither
            Response delivered = own.postJson("/webhooks/toss", """
                    {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-22T05:00:00.000000",
                     "data": {"paymentKey": "%s", "orderId": "tp-taken-0001", "status": "DONE", "totalAmount": 5000}}"""
                    .formatted(checkout.json().path("paymentKey").asText()));
            assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
            String inboxId = delivered.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    own.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString()).contains(inboxId));
            JsonNode payment = own.get("/api/payments/tp-taken-0001").json();
            assertThat(payment.path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(payment.path("vendorPaymentRef").isNull()).isTrue();
            assertThat(own.get("/api/ledger?paymentId=tp-taken-0001").json().path("entries")).isEmpty();
            // the operator, having checked Toss's console, decides; Toss's record under the orderId never
            // overturns that FAILED (an operator's FAILED is otherwise overturned by a record showing a charge)
            Response resolved = own.postJson("/api/payments/tp-taken-0001/resolve",
                    "{\"status\": \"FAILED\", \"reason\": \"the orderId is another system's order\"}");
            assertThat(resolved.json().path("status").asText()).as(resolved.body()).isEqualTo("FAILED");
            assertThat(resolved.json().path("failure").path("code").asText()).isEqualTo("ORDER_ID_IN_USE");
            assertThat(paybridge.payments.ConclusionOverturn.overturnable(payments.find("tp-taken-0001").orElseThrow()))
                    .isFalse();
            Response again = own.postJson("/webhooks/toss", """
                    {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-22T05:01:00.000000",
                     "data": {"paymentKey": "%s", "orderId": "tp-taken-0001", "status": "DONE", "totalAmount": 5000}}"""
                    .formatted(checkout.json().path("paymentKey").asText()));
            String againId = again.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    own.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString()).contains(againId));
            assertThat(own.get("/api/payments/tp-taken-0001").json().path("status").asText()).isEqualTo("FAILED");
            assertThat(own.get("/api/ledger?paymentId=tp-taken-0001").json().path("entries")).hasSize(1);
        }
    }

    // ---- refunds

    @Test
    void refundsPartialThenFullEachKeyedByItsTransactionKey() {
        String key = billingKey("user-rf-1");
        Response paid = app.postJson("/api/payments", charge("tp-rf-0001", 9900, "user-rf-1", key));
        assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
        String paymentKey = paid.json().path("vendorPaymentRef").asText();

        Response part = app.postJson("/api/refunds", "{\"refundId\": \"tp-rf-1a\", \"paymentId\": \"tp-rf-0001\", \"amount\": 1000}");
        assertThat(part.status()).as(part.body()).isEqualTo(200);
        assertThat(part.json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(part.json().path("remainingAmount").asLong()).isEqualTo(8900);
        Response rest = app.postJson("/api/refunds", "{\"refundId\": \"tp-rf-1b\", \"paymentId\": \"tp-rf-0001\"}");
        assertThat(rest.json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(rest.json().path("amount").asLong()).isEqualTo(8900);
        assertThat(app.get("/api/payments/tp-rf-0001").json().path("status").asText()).isEqualTo("CANCELLED");

        JsonNode record = app.get(app.sandboxUrl() + "/toss/v1/payments/" + paymentKey).json();
        assertThat(record.path("status").asText()).as("the simulator answers only with the secret key").isNotEqualTo("CANCELED");
        // the ledger: PAID +9900 and one return per cancels[] entry; the webhooks Toss sent are the same entries
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode entries = app.get("/api/ledger?paymentId=tp-rf-0001").json().path("entries");
            assertThat(entries).hasSize(3);
            long sum = 0;
            for (JsonNode e : entries) {
                sum += e.path("amount").asLong();
            }
            assertThat(sum).isZero();
            assertThat(app.get("/api/webhooks?vendor=toss&status=PROCESSED").json().path("entries").toString())
                    .contains("tp-rf-0001");
        });
    }

    // ---- webhooks

    @Test
    void aWebhookWhoseLookedUpRecordContradictsPaybridgeIsRejected() {
        // an iamport payment under this paymentId, then a Toss checkout payment under the same order id:
        // Toss's record names paybridge's payment, which is another vendor's
        Response iamport = app.postJson("/api/payments", """
                {"paymentId": "tp-cross-0001", "vendor": "iamport", "method": "KEY_IN", "amount": 3000, "orderName": "x",
                 "customer": {"id": "user-42"}, "card": {"number": "1234-1234-1234-1234", "expiry": "2028-01"}}""");
        assertThat(iamport.json().path("status").asText()).isEqualTo("PAID");
        Response checkout = app.postJson(app.sandboxUrl() + "/toss/_control/payment",
                "{\"orderId\": \"tp-cross-0001\", \"amount\": 5000, \"orderName\": \"checkout\"}");
        assertThat(checkout.status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                app.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString())
                .contains("is a iamport payment"));
        assertThat(app.get("/api/payments/tp-cross-0001").json().path("vendor").asText()).isEqualTo("iamport");
        assertThat(app.get("/api/ledger?paymentId=tp-cross-0001").json().path("entries")).hasSize(1);
    }

    /**
     * A payment made in Toss's own checkout under an order id that is no paymentId (42 characters): its
     * paymentKey (43) is too long for {@code toss-<paymentKey>} too, so it is recorded under a digest of
     * the paymentKey, as a payment with its ledger entry and its event, never as a ledger entry alone.
     */
    @Test
    void aCheckoutPaymentWithALongOrderIdIsRecordedAsAPaymentWithItsEvent() {
        Checkout checkout = checkoutWithALongOrderId(app);
        String paymentKey = checkout.paymentKey();
        String paymentId = checkout.paymentId();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(app.get("/api/payments/" + paymentId).json().path("status").asText()).isEqualTo("PAID"));
        JsonNode payment = app.get("/api/payments/" + paymentId).json();
        assertThat(payment.path("amount").asLong()).isEqualTo(5000);
        assertThat(payment.path("vendorPaymentRef").asText()).isEqualTo(paymentKey);
        assertThat(app.get("/api/ledger?paymentId=" + paymentId).json().path("entries")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                app.get("/api/events?type=payment.paid&paymentId=" + paymentId).json().path("events")).hasSize(1));

        // its later deliveries find it under that name: a refund's cancel webhook is PROCESSED, in the ledger once
        Response refund = app.postJson("/api/refunds",
                "{\"refundId\": \"tp-long-rf1\", \"paymentId\": \"" + paymentId + "\", \"amount\": 1000}");
        assertThat(refund.json().path("status").asText()).as(refund.body()).isEqualTo("REFUNDED");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app.get("/api/webhooks?vendor=toss&status=PROCESSED")
                .json().path("entries").toString().split(paymentId, -1).length - 1).isGreaterThanOrEqualTo(2));
        assertThat(app.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString())
                .doesNotContain(paymentId);
        assertThat(app.get("/api/ledger?paymentId=" + paymentId).json().path("entries")).hasSize(2);
    }

    /**
     * A caller may choose any paymentId, also the name a checkout payment's reference would give it: the
     * caller's own payment (in flight, no vendor reference yet, the same amount) is never taken for that
     * checkout payment. Its webhook (held back by the sandbox here, delivered once the caller's row is
     * written) is rejected, and nothing is recorded on the caller's payment.
     */
    @Test
    void aCallersPaymentNamedAsAnExternalOneIsNeverTakenForIt() {
        try (RunningPaybridge own = RunningPaybridge.start(Map.of("paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks"))) {
            Checkout checkout = checkoutWithALongOrderId(own);
            String orderId = checkout.orderId();
            String paymentKey = checkout.paymentKey();
            String paymentId = checkout.paymentId();
            // the caller's row, as a node writes it before it calls Toss (in flight for an hour)
            paybridge.canonical.PaymentCommand c = own.lookup("chargeService", paybridge.payments.ChargeService.class)
                    .read(charge(paymentId, 5000, "user-named", "bk-never-sent").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(own.lookup("paymentStore", paybridge.ledger.PaymentStore.class)
                    .insert(c, "callers-own", Duration.ofHours(1))).isPresent();

            Response delivered = own.postJson("/webhooks/toss", """
                    {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-22T05:00:00.000000",
                     "data": {"paymentKey": "%s", "orderId": "%s", "status": "DONE", "totalAmount": 5000}}"""
                    .formatted(paymentKey, orderId));
            assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
            String inboxId = delivered.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    own.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString())
                    .contains(inboxId).contains("differs from paymentId " + paymentId));
            assertThat(own.get("/api/ledger?paymentId=" + paymentId).json().path("entries")).as("nothing recorded on it")
                    .isEmpty();
            JsonNode mine = own.get("/api/payments/" + paymentId).json();
            assertThat(mine.path("status").asText()).isEqualTo("PENDING");
            assertThat(mine.path("method").asText()).isEqualTo("BILLING_KEY");
        }
    }

    @Test
    void aForgedWebhookIsRejectedByTheLookup() {
        String key = billingKey("user-wh-1");
        Response paid = app.postJson("/api/payments", charge("tp-wh-0001", 3000, "user-wh-1", key));
        String paymentKey = paid.json().path("vendorPaymentRef").asText();
        Response forged = app.postJson("/webhooks/toss", """
                {"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": "2026-11-22T05:00:00.000000",
                 "data": {"paymentKey": "%s", "orderId": "tp-wh-0001", "status": "DONE", "totalAmount": 300000}}"""
                .formatted(paymentKey));
        assertThat(forged.status()).isEqualTo(200);
        String inboxId = forged.json().path("inboxId").asText();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                app.get("/api/webhooks?vendor=toss&status=REJECTED").json().path("entries").toString()).contains(inboxId));
        assertThat(app.get("/api/payments/tp-wh-0001").json().path("status").asText()).isEqualTo("PAID");
    }

    // ---- billing runs

    @Test
    void aTossSubscriptionIsBilledByARunAndAHardDeclineGoesPastDueAtOnce() {
        String key = billingKey("user-sub-1");
        String due = Instant.now().minusSeconds(3600).toString();
        for (String[] s : new String[][] {{"tsub-ok", "9900"}, {"tsub-hard", String.valueOf(TossSimulatorAmounts.HARD)}}) {
            Response created = app.postJson("/api/subscriptions", """
                    {"subscriptionId": "%s", "vendor": "toss", "billingKey": "%s", "customer": {"id": "user-sub-1"},
                     "orderName": "Premium plan", "amount": %s, "interval": "P1M", "nextBillingAt": "%s"}"""
                    .formatted(s[0], key, s[1], due));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        Response started = app.postJson("/api/billing-runs", "{\"asOf\": \"" + Instant.now() + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().path("runId").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                !"RUNNING".equals(app.get("/api/billing-runs/" + runId).json().path("status").asText()));

        JsonNode ok = app.get("/api/subscriptions/tsub-ok").json();
        assertThat(ok.path("state").asText()).isEqualTo("ACTIVE");
        String paymentId = ok.path("lastPaymentId").asText();
        assertThat(paymentId).startsWith("tsub-ok-");
        assertThat(app.get("/api/payments/" + paymentId).json().path("status").asText()).isEqualTo("PAID");

        JsonNode hard = app.get("/api/subscriptions/tsub-hard").json();
        assertThat(hard.path("state").asText()).isEqualTo("PAST_DUE");
        assertThat(hard.path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
    }
}
