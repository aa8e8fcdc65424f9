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
