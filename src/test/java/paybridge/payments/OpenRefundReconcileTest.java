package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.RefundState;
import paybridge.canonical.Failure;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Refunds left open are settled by the reconcile-refunds route once past their in-flight bound, and
 * never before: a refund whose node stopped between the vendor's refund and its finish (the finish
 * UPDATE fails by a test trigger; its transaction takes the ledger entry with it) stays PENDING with
 * its amount reserved, then becomes REFUNDED from the vendor's record; a PENDING refund the vendor
 * never saw becomes FAILED NOT_REFUNDED and its reservation is released. A Steppay refund is not
 * concluded "not refunded" before the Steppay settle horizon, nor while its receipt shows a cancel in
 * progress. Subclasses run it on H2 and PostgreSQL.
 */
abstract class OpenRefundReconcileTest {
    /** In-flight margin of an hour: nothing is due unless a test ages its bound in the database. */
    static Map<String, Object> settings() {
        Map<String, Object> s = new HashMap<>();
        s.put("paybridge.vendor.timeout", "PT2S");
        s.put("paybridge.vendor.in-flight-margin", "PT1H");
        s.put("paybridge.reconcile.interval", "PT0.2S");
        s.put("paybridge.webhook.processing-enabled", "false");
        return s;
    }

    abstract RunningPaybridge app();

    /** Makes the finish UPDATE of refunds named crash-* fail (a database trigger). */
    abstract void installCrashAtFinish();

    abstract void dropCrashAtFinish();

    Sql sql() {
        return new Sql(app().context());
    }

    RefundStore refunds() {
        return new RefundStore(sql());
    }

    PaymentStore payments() {
        return app().lookup("paymentStore", PaymentStore.class);
    }

    long reserved(String paymentId) {
        return payments().find(paymentId).orElseThrow().refundReserved();
    }

    RefundRecord refund(String refundId) {
        return refunds().find(refundId).orElseThrow();
    }

    void ageInFlightBound(String refundId, String interval) {
        assertThat(sql().update("UPDATE refunds SET in_flight_until = in_flight_until - INTERVAL " + interval
                + " WHERE refund_id = :?refundId", Map.of("refundId", refundId))).isEqualTo(1);
    }

    Instant lookedAt(String refundId) {
        return Sql.instant(sql().query("SELECT updated_at FROM refunds WHERE refund_id = :?refundId",
                Map.of("refundId", refundId)).get(0).get("updated_at"));
    }

    /** Waits until reconcile has looked at the refund twice more (it stamps each look), or decided it. */
    void awaitTwoLooks(String refundId) {
        for (int i = 0; i < 2; i++) {
            Instant before = lookedAt(refundId);
            await().atMost(Duration.ofSeconds(20)).until(() -> lookedAt(refundId).isAfter(before)
                    || !refund(refundId).status().isOpen());
        }
    }

    JsonNode entries(String paymentId) {
        return app().get("/api/ledger?paymentId=" + paymentId).json().path("entries");
    }

    long sandboxCount(String vendor, String counter) {
        JsonNode stats = app().get(app().sandboxUrl() + "/" + vendor + "/_stats").json();
        return (stats.has("response") ? stats.path("response") : stats).path(counter).asLong();
    }

    /** A refund row and its reservation as a node writes them right before it calls the vendor. */
    void pendingByHand(String refundId, String paymentId, long amount) {
        assertThat(refunds().inTransaction(() -> refunds().insert(refundId, paymentId, "by-hand", amount, "test",
                Duration.ofHours(1)) && payments().reserveRefundWithinReturns(paymentId, amount))).isTrue();
    }

    @Test
    void aRefundStrandedBetweenItsRowAndItsFinishIsSettledAfterItsBoundAndNeverBefore() {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-crash-1", 3000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        long cancels = sandboxCount("iamport", "cancels");
        installCrashAtFinish();
        try {
            Response r = app().postJson("/api/refunds", Commands.refund("crash-rf-1", "or-crash-1", 1000L));
            assertThat(r.status()).as(r.body()).isGreaterThanOrEqualTo(500);
        } finally {
            dropCrashAtFinish();
        }
        assertThat(sandboxCount("iamport", "cancels")).as("the vendor refunded").isEqualTo(cancels + 1);
        assertThat(refund("crash-rf-1").status()).isEqualTo(RefundState.PENDING);
        assertThat(reserved("or-crash-1")).as("still reserved").isEqualTo(1000);
        assertThat(entries("or-crash-1")).as("the finish's transaction took its ledger entry with it").hasSize(1);

        // a PENDING refund the vendor never received (its node stopped before the call), past its bound
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-never-1", 3000, false)).status()).isEqualTo(200);
        pendingByHand("or-rf-never", "or-never-1", 3000);
        ageInFlightBound("or-rf-never", "'2' HOUR");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(refund("or-rf-never").status()).isEqualTo(RefundState.FAILED);
            assertThat(refund("or-rf-never").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        });
        assertThat(reserved("or-never-1")).as("released").isZero();
        assertThat(entries("or-never-1")).hasSize(1);

        // reconcile ran meanwhile, but the stranded refund may still be in flight: untouched
        assertThat(refund("crash-rf-1").status()).isEqualTo(RefundState.PENDING);
        ageInFlightBound("crash-rf-1", "'2' HOUR");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("crash-rf-1").status()).isEqualTo(RefundState.REFUNDED));
        JsonNode entries = entries("or-crash-1");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(1).path("amount").asLong()).isEqualTo(-1000);
        assertThat(entries.get(1).path("source").asText()).isEqualTo("RECONCILE");
        assertThat(reserved("or-crash-1")).isEqualTo(1000);
        assertThat(app().get("/api/payments/or-crash-1").json().path("refundedAmount").asLong()).isEqualTo(1000);
        assertThat(sandboxCount("iamport", "cancels")).as("never sent again").isEqualTo(cancels + 1);
    }

    @Test
    void aSteppayRefundIsNotConcludedNotRefundedBeforeItsSettleHorizonNorWhileACancelIsInProgress() {
        Response charge = app().postJson("/api/payments", Commands.billingKey("or-sp-1", "steppay", 9000, Commands.STEPPAY_KEY));
        String idKey = charge.json().path("vendorPaymentRef").asText();
        // the cancel's answer was lost; Steppay has not applied it yet
        pendingByHand("or-sp-rf-1", "or-sp-1", 1000);
        refunds().finish("or-sp-rf-1", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        ageInFlightBound("or-sp-rf-1", "'2' HOUR");
        awaitTwoLooks("or-sp-rf-1");
        assertThat(refund("or-sp-rf-1").status()).as("within the settle horizon (P2D)").isEqualTo(RefundState.UNKNOWN);
        assertThat(reserved("or-sp-1")).isEqualTo(1000);

        // Steppay takes the cancel up (a refund settled the next business day): in progress meanwhile
        assertThat(app().postJson(app().sandboxUrl() + "/steppay/_control/cancel-progress/" + idKey, "{\"amount\": 1000}")
                .status()).isEqualTo(200);
        ageInFlightBound("or-sp-rf-1", "'3' DAY");
        awaitTwoLooks("or-sp-rf-1");
        assertThat(refund("or-sp-rf-1").status()).as("a cancel in progress at the vendor").isEqualTo(RefundState.UNKNOWN);
        assertThat(reserved("or-sp-1")).isEqualTo(1000);

        assertThat(app().postJson(app().sandboxUrl() + "/steppay/_control/cancel-complete/" + idKey, "{}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("or-sp-rf-1").status()).isEqualTo(RefundState.REFUNDED));
        assertThat(entries("or-sp-1")).hasSize(2);
        assertThat(app().get("/api/payments/or-sp-1").json().path("refundedAmount").asLong()).isEqualTo(1000);

        // past the settle horizon with nothing returned and nothing in progress: it never happened
        app().postJson("/api/payments", Commands.billingKey("or-sp-2", "steppay", 9000, Commands.STEPPAY_KEY));
        pendingByHand("or-sp-rf-2", "or-sp-2", 1000);
        ageInFlightBound("or-sp-rf-2", "'3' DAY");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("or-sp-rf-2").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED));
        assertThat(reserved("or-sp-2")).isZero();
    }

    @Test
    void twoRefundsOfOnePaymentLeftUnknownThatTheVendorNeverAppliedAreBothConcludedNotRefunded() {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-two-1", 5000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        // both cancels' answers lost in an outage; the vendor applied neither
        for (String id : new String[] {"or-two-rf-1", "or-two-rf-2"}) {
            pendingByHand(id, "or-two-1", 1000);
            refunds().finish(id, RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
            ageInFlightBound(id, "'2' HOUR");
        }
        assertThat(reserved("or-two-1")).isEqualTo(2000);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(refund("or-two-rf-1").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
            assertThat(refund("or-two-rf-2").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        });
        assertThat(refund("or-two-rf-1").status()).isEqualTo(RefundState.FAILED);
        assertThat(refund("or-two-rf-2").status()).isEqualTo(RefundState.FAILED);
        assertThat(reserved("or-two-1")).as("both reservations released").isZero();
        assertThat(entries("or-two-1")).as("the payment only").hasSize(1);
    }

    /**
     * A refund left open (R1, 5,000), then a console cancel of 3,000 the ledger learns from its webhook, then
     * a refund of 3,000 (R2) stranded before it reached the vendor. The vendor's record lists only the
     * console cancel: it happened before R2 was asked, so it is not R2's, and neither refund happened.
     * Before, the console cancel counted as unclaimed (R1's older mark kept it out of the returns held
     * before the open refunds) and R2 was REFUNDED with it: reported made, its reservation used up, the
     * customer never paid.
     */
    @Test
    void aConsoleCancelLearntBeforeARefundWasAskedIsNeverThatRefundsReturn() throws Exception {
        // settled below from the record as the test writes it, not by a round looking at the sandbox's
        app().context().getRouteController().stopRoute("reconcile-refunds");
        try {
            consoleCancelBetweenTwoRefunds();
        } finally {
            app().context().getRouteController().startRoute("reconcile-refunds");
        }
    }

    private void consoleCancelBetweenTwoRefunds() {
        Response paid = app().postJson("/api/payments", Commands.keyIn("or-prior-1", 20000, false));
        assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
        String ref = paid.json().path("vendorPaymentRef").asText();
        pendingByHand("or-prior-rf-1", "or-prior-1", 5000);
        refunds().finish("or-prior-rf-1", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        // the console cancel, as its verified webhook records it
        paybridge.ledger.LedgerStore ledger = app().lookup("ledgerStore", paybridge.ledger.LedgerStore.class);
        assertThat(ledger.append(new paybridge.canonical.PaymentEvent("iamport", "or-prior-1", ref, null,
                paybridge.canonical.EventType.PARTIALLY_REFUNDED, -3000, "KRW", "console-c1", 3000, Instant.now()),
                paybridge.canonical.LedgerSource.WEBHOOK)).isTrue();
        pendingByHand("or-prior-rf-2", "or-prior-1", 3000);
        for (String id : new String[] {"or-prior-rf-1", "or-prior-rf-2"}) {
            ageInFlightBound(id, "'2' HOUR");
        }
        paybridge.connector.VendorPayment record = new paybridge.connector.VendorPayment(true, "iamport", ref, "or-prior-1",
                paybridge.canonical.PaymentStatus.PARTIALLY_REFUNDED, 20000, 3000, java.util.List.of(
                        new paybridge.connector.VendorPayment.Cancellation("console-c1", 3000, Instant.now())), null, null, null);

        app().lookup("refundReconcileService", RefundReconcileService.class)
                .settle(refund("or-prior-rf-2"), payments().find("or-prior-1").orElseThrow(), record);
        assertThat(refund("or-prior-rf-2").status()).isEqualTo(RefundState.FAILED);
        assertThat(refund("or-prior-rf-2").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(refund("or-prior-rf-1").status()).isEqualTo(RefundState.FAILED);
        assertThat(reserved("or-prior-1")).as("both reservations released").isZero();
    }

    /**
     * A refund of an iamport payment recorded without iamport's reference (an operator's PAID that gave
     * none; iamport cancels by our order id), its answer lost: reconcile looks the payment up by our
     * paymentId, finds nothing returned, and releases the reservation. Before, it could not look it up
     * and the amount stayed reserved for good.
     */
    @Test
    void aRefundOfAPaymentWithoutTheVendorsReferenceIsReconciledByPaymentId() {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-noref-1", 5000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        // as an operator's PAID without vendorPaymentRef leaves it
        assertThat(sql().update("UPDATE payments SET vendor_payment_ref = NULL WHERE payment_id = 'or-noref-1'",
                Map.of())).isEqualTo(1);
        pendingByHand("or-noref-rf-1", "or-noref-1", 1000);
        refunds().finish("or-noref-rf-1", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        ageInFlightBound("or-noref-rf-1", "'2' HOUR");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("or-noref-rf-1").status()).isEqualTo(RefundState.FAILED));
        assertThat(refund("or-noref-rf-1").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED);
        assertThat(reserved("or-noref-1")).isZero();
    }

    /** Work done on the test's own connection, inside its transaction. */
    interface OnConnection {
        void run(java.sql.Connection c) throws Exception;
    }

    /**
     * A transaction of the test's own takes the payment's row, the refund is made due, and once refund
     * reconcile waits for that row, {@code meanwhile} runs in the transaction, which then commits.
     */
    void whileReconcileWaitsOnThePayment(String paymentId, String refundId, OnConnection meanwhile) throws Exception {
        paybridge.ledger.Database db = app().lookup("database", paybridge.ledger.Database.class);
        try (java.sql.Connection holder = db.dataSource().getConnection();
             java.sql.Connection observer = db.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (var payment = holder.prepareStatement("SELECT payment_id FROM payments WHERE payment_id = ? FOR UPDATE")) {
                payment.setString(1, paymentId);
                payment.executeQuery().close();
            }
            int session = sessionOf(holder);
            ageInFlightBound(refundId, "'2' HOUR");
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedBy(observer, session) > 0);
            meanwhile.run(holder);
            holder.commit();
        }
    }

    /** This database's session id of {@code c} (H2: SESSION_ID(), PostgreSQL: the backend's pid). */
    abstract int sessionOf(java.sql.Connection c) throws java.sql.SQLException;

    /** How many sessions wait for a lock {@code session} holds. */
    abstract int blockedBy(java.sql.Connection observer, int session) throws java.sql.SQLException;

    /**
     * Refund reconcile takes the payment's row before the refund's, as every transaction that changes a
     * refund does (a late answer, a refund's start), so none of them waits on a row another holds while
     * that one waits on its own: built by a transaction that holds the payment's row while reconcile
     * concludes a refund the vendor never applied. Reconcile waits for the payment's row holding nothing
     * of the refund, so the holder can still take the refund's row; then the refund is concluded.
     */
    @Test
    void refundReconcileTakesThePaymentsRowBeforeTheRefunds() throws Exception {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-order-1", 3000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        // an answer that never came, for a cancel the vendor never applied (due once its bound is aged)
        pendingByHand("or-order-rf-1", "or-order-1", 1000);
        refunds().finish("or-order-rf-1", RefundState.UNKNOWN, null, new Failure("VENDOR_TIMEOUT", "no answer"));
        whileReconcileWaitsOnThePayment("or-order-1", "or-order-rf-1", holder -> {
            try (var refund = holder.prepareStatement(
                    "SELECT refund_id FROM refunds WHERE refund_id = 'or-order-rf-1' FOR UPDATE NOWAIT")) {
                refund.executeQuery().close(); // throws at once if reconcile holds the refund's row
            }
            assertThat(refund("or-order-rf-1").status()).as("reconcile waits, undecided").isEqualTo(RefundState.UNKNOWN);
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("or-order-rf-1").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED));
        assertThat(reserved("or-order-1")).as("released").isZero();
    }

    /**
     * Refund reconcile credits the vendor's return to a refund only if no other refund was decided with
     * that return since reconcile read the decided ones: built by a transaction holding the payment's
     * row while reconcile, having found exactly one unclaimed return for a stranded refund, waits for
     * it; that transaction decides another refund with the same return. The stranded refund is then not
     * credited with it: the one return is accounted for, and the stranded refund is concluded
     * NOT_REFUNDED (one return, one refund).
     */
    @Test
    void aReturnDecidedForAnotherRefundWhileReconcileWaitsIsNotCreditedTwice() throws Exception {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-claim-1", 3000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        installCrashAtFinish();
        try {
            assertThat(app().postJson("/api/refunds", Commands.refund("crash-rf-claim", "or-claim-1", 1000L)).status())
                    .isGreaterThanOrEqualTo(500);
        } finally {
            dropCrashAtFinish();
        }
        String returned = null;
        for (JsonNode p : app().get(app().sandboxUrl() + "/iamport/_records").json().path("response")) {
            if ("or-claim-1".equals(p.path("merchant_uid").asText())) {
                returned = p.path("cancel_history").get(0).path("cancellation_id").asText();
            }
        }
        assertThat(returned).as("the vendor's return of the stranded refund").isNotBlank();
        int entries = entries("or-claim-1").size();
        String claimed = returned;
        whileReconcileWaitsOnThePayment("or-claim-1", "crash-rf-claim", other -> {
            try (var decided = other.prepareStatement("""
                    INSERT INTO refunds (refund_id, payment_id, request_hash, amount, reason, status, vendor_refund_ref,
                        created_at, updated_at, in_flight_until, ledger_mark)
                    VALUES ('or-claim-other', 'or-claim-1', 'h', 1000, 'test', 'REFUNDED', ?, CURRENT_TIMESTAMP,
                        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)""")) {
                decided.setString(1, claimed);
                assertThat(decided.executeUpdate()).isEqualTo(1);
            }
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(refund("crash-rf-claim").failureCode()).isEqualTo(RefundReconcileService.NOT_REFUNDED));
        assertThat(refund("crash-rf-claim").status()).isEqualTo(RefundState.FAILED);
        assertThat(entries("or-claim-1")).as("no entry credited to the stranded refund").hasSize(entries);
    }

    /** This database's query for the session of the connection it runs on, as column {@code s}. */
    abstract String sessionQuery();

    /** A PAID Toss payment (billing key); answers its paymentKey. */
    String tossPaid(String paymentId, long amount) {
        String customer = "user-" + paymentId;
        String authKey = app().postJson(app().sandboxUrl() + "/toss/_control/auth-key",
                "{\"customerKey\": \"" + customer + "\"}").json().path("authKey").asText();
        String billingKey = app().postJson("/api/billing-keys", """
                {"vendor": "toss", "customer": {"id": "%s"}, "authKey": "%s"}""".formatted(customer, authKey))
                .json().path("billingKey").asText();
        Response paid = app().postJson("/api/payments", """
                {"paymentId": "%s", "vendor": "toss", "method": "BILLING_KEY", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "%s"}, "billingKey": "%s"}"""
                .formatted(paymentId, amount, customer, billingKey));
        assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");
        return paid.json().path("vendorPaymentRef").asText();
    }

    /** The payment as Toss holds it. */
    JsonNode tossRecord(String paymentKey) {
        return app().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(app().sandboxUrl() + "/toss/v1/payments/" + paymentKey))
                .header("Authorization", paybridge.connector.toss.TossRequests.basicAuth(
                        paybridge.sandbox.toss.TossSimulator.SECRET_KEY)).GET()).json();
    }

    /** The vendor's return a refund was decided with. */
    String returnOf(String refundId) {
        return (String) sql().query("SELECT vendor_refund_ref AS r FROM refunds WHERE refund_id = :?refundId",
                Map.of("refundId", refundId)).get(0).get("r");
    }

    /** What the ledger says was returned of the payment. */
    long returnedInLedger(String paymentId) {
        long returned = 0;
        for (JsonNode e : entries(paymentId)) {
            returned -= Math.min(e.path("amount").asLong(), 0);
        }
        return returned;
    }

    /**
     * A refund sent as the dispatch-refund route sends it (its row and reservation, then the vendor's
     * call), its node stalling once the vendor has answered: answers the exchange holding that answer,
     * for {@link RefundService#complete} to record whenever the node goes on.
     */
    org.apache.camel.Exchange sentThenStalled(String refundId, String paymentId, long amount, String refundRoute) {
        RefundService refundService = app().lookup("refundService", RefundService.class);
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(app().context());
        exchange.getMessage().setBody(Commands.refund(refundId, paymentId, amount)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        exchange.getMessage().setBody(refundService.begin(exchange));
        org.apache.camel.Exchange answered = app().context().createProducerTemplate().send(refundRoute, exchange);
        assertThat(answered.getException()).isNull();
        return answered;
    }

    /** One round of the reconcile-refunds route for one refund: looked up at the vendor, then settled. */
    void reconcileOnce(String refundId) {
        reconcileOnce(app(), refund(refundId));
    }

    /** As the reconcile-refunds route takes {@code refund} in a round: looked up at its vendor, then settled. */
    static void reconcileOnce(RunningPaybridge app, RefundRecord refund) {
        RefundReconcileService reconcile = app.lookup("refundReconcileService", RefundReconcileService.class);
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(app.context());
        exchange.getMessage().setBody(refund);
        exchange.getMessage().setBody(reconcile.prepare(exchange));
        String lookup = exchange.getProperty(paybridge.canonical.ExchangeProperties.LOOKUP_ROUTE, String.class);
        org.apache.camel.Exchange looked = app.context().createProducerTemplate().send(lookup, exchange);
        assertThat(looked.getException()).isNull();
        reconcile.settle(looked);
    }

    /**
     * Several open refunds of one payment are settled together in one transaction, which is rolled back
     * whole when one of them was decided since reconcile read them: otherwise reconcile would enter a
     * return for a refund its answer decided with another return, beside the other refund left open,
     * and the ledger would hold a return no decided refund accounts for.
     * <p>
     * Built on Toss, where two refunds of a payment can be in flight at once: an earlier refund decided
     * without naming its return (so the vendor's record cannot be itemized by refund, and the open
     * refunds are settled together), then two refunds of 1000, both applied by Toss. The first one's
     * node stalls after Toss's answer; the second's answer cannot tell its return from the first's
     * (UNKNOWN). Toss lists its cancels newest first (it promises no order), so reconcile pairs each open
     * refund with the other's return (equal amounts are interchangeable). Reconcile reads, then waits
     * for the payment's row, held by the transaction in which the stalled node records its answer.
     */
    @Test
    void twoRefundsSettledTogetherWhileOneIsDecidedByItsLateAnswerAreNeverHalfWritten() throws Exception {
        String paymentKey = tossPaid("or-joint-1", 9900);
        assertThat(app().postJson(app().sandboxUrl() + "/toss/_control/cancel-fault/" + paymentKey,
                "{\"newestFirst\": true}").status()).isEqualTo(200);
        assertThat(app().postJson("/api/refunds", Commands.refund("or-joint-rf-0", "or-joint-1", 500L)).json()
                .path("status").asText()).isEqualTo("REFUNDED");
        // decided by an answer that named no return; the ledger holds its return by its id
        assertThat(sql().update("UPDATE refunds SET vendor_refund_ref = NULL WHERE refund_id = 'or-joint-rf-0'",
                Map.of())).isEqualTo(1);

        org.apache.camel.Exchange stalled = sentThenStalled("or-joint-rf-1", "or-joint-1", 1000, "direct:toss-refund");
        String firstReturn = stalled.getMessage().getBody(paybridge.connector.RefundOutcome.class).cancellationId();
        assertThat(firstReturn).as("Toss's answer to the stalled node names its return").isNotBlank();
        Response second = app().postJson("/api/refunds", Commands.refund("or-joint-rf-2", "or-joint-1", 1000L));
        assertThat(second.json().path("status").asText()).as(second.body()).isEqualTo("UNKNOWN");
        String secondReturn = tossRecord(paymentKey).path("cancels").get(0).path("transactionKey").asText();
        assertThat(secondReturn).isNotBlank().isNotEqualTo(firstReturn);
        long vendorReturned = tossRecord(paymentKey).path("totalAmount").asLong()
                - tossRecord(paymentKey).path("balanceAmount").asLong();
        assertThat(vendorReturned).isEqualTo(2500);

        // this test takes each round itself, so what one round leaves is seen before the next
        try {
            app().context().getRouteController().stopRoute("reconcile-refunds");
            ageInFlightBound("or-joint-rf-1", "'2' HOUR");
            ageInFlightBound("or-joint-rf-2", "'2' HOUR");
            java.util.concurrent.CompletableFuture<Void> round = payments().holding("or-joint-1", () -> {
                int session = (int) Sql.longValue(sql().query(sessionQuery(), Map.of()).get(0).get("s"));
                java.util.concurrent.CompletableFuture<Void> started = java.util.concurrent.CompletableFuture
                        .runAsync(() -> reconcileOnce("or-joint-rf-2"));
                paybridge.ledger.Database db = app().lookup("database", paybridge.ledger.Database.class);
                try (java.sql.Connection observer = db.dataSource().getConnection()) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> blockedBy(observer, session) > 0);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
                // reconcile has read both refunds open and waits for the payment's row: the answer goes in first
                assertThat(app().lookup("refundService", RefundService.class).complete(stalled).status())
                        .isEqualTo(paybridge.canonical.RefundStatus.REFUNDED);
                return started;
            });
            round.join();

            assertThat(returnOf("or-joint-rf-1")).isEqualTo(firstReturn);
            assertThat(refund("or-joint-rf-2").status()).as("nothing of the joint settlement is written")
                    .isEqualTo(RefundState.UNKNOWN);
            assertThat(returnedInLedger("or-joint-1"))
                    .as("the ledger holds the returns of the decided refunds, none for a refund still open")
                    .isEqualTo(refunds().refundedSum("or-joint-1")).isEqualTo(1500);

            // the next round sees the first refund's return accounted for: the other return is the second's
            reconcileOnce("or-joint-rf-2");
        } finally {
            app().context().getRouteController().startRoute("reconcile-refunds");
        }
        assertThat(refund("or-joint-rf-2").status()).isEqualTo(RefundState.REFUNDED);
        assertThat(returnOf("or-joint-rf-2")).isEqualTo(secondReturn);
        assertThat(refunds().refundedOnPayment("or-joint-1")).as("each return credited to one refund")
                .extracting(RefundStore.Refunded::vendorRefundRef).containsExactlyInAnyOrder(null, firstReturn, secondReturn);
        assertThat(returnedInLedger("or-joint-1")).as("what Toss returned, never more").isEqualTo(vendorReturned)
                .isEqualTo(refunds().refundedSum("or-joint-1"));
        assertThat(entries("or-joint-1")).as("the payment and three returns").hasSize(4);
        assertThat(app().get("/api/payments/or-joint-1").json().path("refundedAmount").asLong()).isEqualTo(vendorReturned);
    }

    /**
     * The order reconcile looks at open refunds in is the database's clock: each stamp (the row, a look,
     * the finish) is the database's CURRENT_TIMESTAMP. Built by a transaction whose database clock
     * stands still (CURRENT_TIMESTAMP is its start, on H2 and PostgreSQL) while the node's clock runs
     * on past it: a stamp from the node's clock is seconds off, one from the database's is exact.
     */
    @Test
    void everyRefundStampIsTheDatabasesClockNotTheNodes() {
        assertThat(app().postJson("/api/payments", Commands.keyIn("or-clock-1", 3000, false)).json().path("status")
                .asText()).isEqualTo("PAID");
        String atDbClock = "SELECT COUNT(*) AS n FROM refunds WHERE refund_id = :?refundId"
                + " AND created_at = CURRENT_TIMESTAMP AND updated_at = CURRENT_TIMESTAMP";
        long[] stamped = refunds().inTransaction(() -> {
            Instant dbNow = Sql.instant(sql().query("SELECT CURRENT_TIMESTAMP AS t", Map.of()).get(0).get("t"));
            // the node's clock two seconds past the database's as this transaction sees it
            await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(dbNow.plusSeconds(2)));
            long[] n = new long[3];
            refunds().insert("clock-rf-1", "or-clock-1", "h", 1000, "test", Duration.ofHours(1));
            n[0] = Sql.longValue(sql().query(atDbClock, Map.of("refundId", "clock-rf-1")).get(0).get("n"));
            refunds().lookedAt("clock-rf-1");
            n[1] = Sql.longValue(sql().query(atDbClock, Map.of("refundId", "clock-rf-1")).get(0).get("n"));
            refunds().finish("clock-rf-1", RefundState.FAILED, null, new Failure("TEST", "test"));
            n[2] = Sql.longValue(sql().query(atDbClock.replace(" AND created_at = CURRENT_TIMESTAMP", ""),
                    Map.of("refundId", "clock-rf-1")).get(0).get("n"));
            return n;
        });
        assertThat(stamped).as("inserted, looked at, finished: each on the database's clock").containsExactly(1, 1, 1);
    }
}
