package paybridge.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.canonical.Failure;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStates.Write;

/**
 * Charge attempts ({@code payments}). Each state change is one conditional statement, so two
 * threads or two nodes racing on the same payment cannot both win: the loser's update count is 0.
 * Each carries out rows of {@link PaymentStates} ({@link #STATE_CHANGES}); a method that binds the
 * state it writes takes the row and refuses one its statement does not carry out.
 */
public final class PaymentStore {
    private static final String INSERT = """
            INSERT INTO payments (payment_id, request_hash, vendor, method, amount, currency, order_name, customer_id,
                subscription_id, billing_key, card_last4, status, created_at, updated_at, in_flight_until, next_look_at)
            VALUES (:?paymentId, :?requestHash, :?vendor, :?method, :?amount, :?currency, :?orderName, :?customerId,
                :?subscriptionId, :?billingKey, :?cardLast4, 'PENDING', :?now, :?now,
                CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND,
                CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND)
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM payments WHERE payment_id = :?paymentId";
    // the payment a vendor record belongs to is looked up by the vendor's reference, then by its order id:
    // two plain statements rather than one UNION, which H2 parses again on every run (it keeps no UNION,
    // and no FOR UPDATE, in its per-connection statement cache)
    private static final String FIND_BY_VENDOR_REF =
            "SELECT * FROM payments WHERE vendor = :?vendor AND vendor_payment_ref = :?ref";
    // settled to a still-open state (UNKNOWN, PENDING) the row keeps reconcile's schedule, and so does one
    // waiting for its deposit (AWAITING_DEPOSIT: its deposit's webhook may never come); decided, it leaves it.
    // A billing key is filled in, never replaced: the key a payment was charged on stays its key, even
    // when the vendor's record names another (a vendor may give a payment that issued a key a key of its own).
    // updated_at, here and in every change below, only moves forward (a microsecond at least): receivers order
    // a payment's events by it (CONTRACT §8), and the node writing a change may run behind the one before
    private static final String SETTLE_OPEN = """
            UPDATE payments SET status = :?status,
                vendor_payment_ref = COALESCE(:?vendorPaymentRef, vendor_payment_ref),
                billing_key = COALESCE(billing_key, :?billingKey),
                failure_code = :?failureCode, failure_message = :?failureMessage,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, unsettled_reason = NULL,
                next_look_at = CASE WHEN CAST(:?status AS VARCHAR(20)) IN ('PENDING', 'UNKNOWN') THEN next_look_at
                    WHEN CAST(:?status AS VARCHAR(20)) = 'AWAITING_DEPOSIT' THEN COALESCE(next_look_at, CURRENT_TIMESTAMP) END
            WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')""";
    // an operator's decision: only once the attempt can no longer be in flight (database clock). An
    // operator's FAILED is a conclusion, not the vendor's answer: re-checked by reconcile as "never charged"
    // is (first at its next round), so a charge the vendor completed late still wins
    private static final String SETTLE_OPEN_LANDED = """
            UPDATE payments SET status = :?status,
                vendor_payment_ref = COALESCE(:?vendorPaymentRef, vendor_payment_ref),
                billing_key = COALESCE(billing_key, :?billingKey),
                failure_code = :?failureCode, failure_message = :?failureMessage,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, unsettled_reason = NULL,
                looks = CASE WHEN CAST(:?status AS VARCHAR(20)) = 'FAILED' THEN 0 ELSE looks END,
                next_look_at = CASE WHEN CAST(:?status AS VARCHAR(20)) = 'FAILED' THEN CURRENT_TIMESTAMP END
            WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')
              AND (in_flight_until IS NULL OR in_flight_until < CURRENT_TIMESTAMP)""";
    // "never charged", drawn by reconcile: only after the horizon (database clock). The row stays on
    // reconcile's schedule for a few re-checks, so a vendor record that shows up late still wins
    private static final String CONCLUDE_NOT_CHARGED = """
            UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED', failure_message = :?failureMessage,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, looks = 0, unsettled_reason = NULL,
                next_look_at = CURRENT_TIMESTAMP + CAST(:?recheck AS BIGINT) * INTERVAL '1' SECOND
            WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN') AND in_flight_until < CURRENT_TIMESTAMP""";
    // the vendor's record shows charged what was concluded not charged: PAID, and marked as overturned
    private static final String OVERTURN_TO_PAID = """
            UPDATE payments SET status = 'PAID', overturned_from = failure_code, overturned_at = CURRENT_TIMESTAMP,
                failure_code = NULL, failure_message = NULL,
                vendor_payment_ref = COALESCE(:?vendorPaymentRef, vendor_payment_ref),
                billing_key = COALESCE(billing_key, :?billingKey),
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, next_look_at = NULL, unsettled_reason = NULL
            WHERE payment_id = :?paymentId AND status = 'FAILED' AND failure_code IN ('NOT_CHARGED', 'OPERATOR')""";
    // a decline a lookup or webhook recorded (they see the record's status, not the vendor's code) takes
    // the code and message of the charge's own answer; nothing else changes
    private static final String REFINE_DECLINE = """
            UPDATE payments SET failure_code = :?failureCode, failure_message = :?failureMessage, version = version + 1
            WHERE payment_id = :?paymentId AND status = 'FAILED' AND failure_code = 'VENDOR_DECLINED'""";
    // a deposit received or the account's end (FAILED with the vendor's failure): the row leaves reconcile's schedule
    private static final String UPDATE_DECIDED = """
            UPDATE payments SET status = :?status, vendor_payment_ref = COALESCE(:?vendorPaymentRef, vendor_payment_ref),
                failure_code = COALESCE(:?failureCode, failure_code), failure_message = COALESCE(:?failureMessage, failure_message),
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, next_look_at = NULL
            WHERE payment_id = :?paymentId AND status = :?expected""";
    // only an attempt never concluded: a reopened one has its conclusion's ledger entry, which must keep its payment
    private static final String DELETE_NOT_ATTEMPTED = """
            DELETE FROM payments WHERE payment_id = :?paymentId AND status = 'PENDING' AND vendor_payment_ref IS NULL
              AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.payment_id = :?paymentId)""";
    // a reopened NOT_CHARGED attempt whose re-send certainly never reached the vendor is that conclusion again,
    // still on reconcile's re-check schedule (next_look_at as the reopen set it), still overturnable
    private static final String RESTORE_NOT_CHARGED = """
            UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED', failure_message = :?failureMessage,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, looks = 0, unsettled_reason = NULL,
                next_look_at = COALESCE(next_look_at, CURRENT_TIMESTAMP)
            WHERE payment_id = :?paymentId AND status = 'PENDING' AND vendor_payment_ref IS NULL
              AND EXISTS (SELECT 1 FROM ledger_entries l WHERE l.payment_id = :?paymentId
                          AND l.type = 'FAILED' AND l.event_key = :?conclusionKey)""";
    private static final String REOPEN_NOT_CHARGED = """
            UPDATE payments SET status = 'PENDING', failure_code = NULL, failure_message = NULL,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1, looks = 0, unsettled_reason = NULL,
                in_flight_until = CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND,
                next_look_at = CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND
            WHERE payment_id = :?paymentId AND status = 'FAILED' AND failure_code = 'NOT_CHARGED'""";
    // the rows due for a reconcile look, on the database's clock: open attempts past their horizon,
    // conclusions (NOT_CHARGED, an operator's FAILED) still being re-checked, and virtual accounts waiting
    // for their deposit, each at its own next_look_at (earliest first; charges in doubt before virtual accounts,
    // so a backlog of those never holds an UNKNOWN charge back). A payment paybridge did not start (a webhook's)
    // has no horizon: nothing of ours is in flight
    private static final String DUE_FOR_LOOK = """
            SELECT * FROM payments WHERE next_look_at <= CURRENT_TIMESTAMP
              AND (in_flight_until < CURRENT_TIMESTAMP OR in_flight_until IS NULL AND method = 'EXTERNAL')
              AND (status IN ('PENDING', 'UNKNOWN', 'AWAITING_DEPOSIT')
                   OR (status = 'FAILED' AND failure_code IN ('NOT_CHARGED', 'OPERATOR')))
            ORDER BY CASE WHEN status = 'AWAITING_DEPOSIT' THEN 1 ELSE 0 END, next_look_at LIMIT :?limit""";
    // takes a row for one look (the node whose update counts 1 looks) and schedules the next one; a
    // NOT_CHARGED row re-checked often enough leaves the schedule
    private static final String TAKE_FOR_LOOK = """
            UPDATE payments SET looks = looks + 1,
                next_look_at = CASE WHEN status = 'FAILED' AND looks + 1 >= :?rechecks THEN NULL
                    ELSE CURRENT_TIMESTAMP + CAST(:?backoff AS BIGINT) * INTERVAL '1' SECOND END
            WHERE payment_id = :?paymentId AND looks = :?looks AND next_look_at <= CURRENT_TIMESTAMP""";
    private static final String POSTPONE_LOOK = """
            UPDATE payments SET next_look_at = CURRENT_TIMESTAMP + CAST(:?backoff AS BIGINT) * INTERVAL '1' SECOND
            WHERE payment_id = :?paymentId AND looks = :?looks AND next_look_at <= CURRENT_TIMESTAMP""";
    // a conclusion's re-check whose lookup failed (the vendor unreachable) gives its look back: re-checks
    // are used up only by lookups that asked the vendor. At least the taken count, not exactly it: another
    // node may have taken the row again meanwhile (a reopen or restore resets looks to 0, and the status
    // guard leaves a row that moved on alone)
    private static final String GIVE_BACK_LOOK = """
            UPDATE payments SET looks = looks - 1,
                next_look_at = CURRENT_TIMESTAMP + CAST(:?backoff AS BIGINT) * INTERVAL '1' SECOND
            WHERE payment_id = :?paymentId AND looks >= :?taken AND status = 'FAILED'
              AND failure_code IN ('NOT_CHARGED', 'OPERATOR')""";
    private static final String LEAVE_UNSETTLED = """
            UPDATE payments SET unsettled_reason = :?reason
            WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')""";
    // the vendor answered that it is still processing the charge: in flight now, so its horizon and its first look
    // count again from now (database clock), never earlier than they were
    private static final String STILL_IN_FLIGHT = """
            UPDATE payments SET
                in_flight_until = GREATEST(in_flight_until, CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND),
                next_look_at = GREATEST(next_look_at, CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND)
            WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')""";
    private static final String IN_FLIGHT_UNTIL = """
            SELECT in_flight_until, CASE WHEN in_flight_until < CURRENT_TIMESTAMP THEN 1 ELSE 0 END AS landed
            FROM payments WHERE payment_id = :?paymentId""";
    private static final String RESERVE_REFUND = """
            UPDATE payments SET refund_reserved = refund_reserved + :?amount,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND)
            WHERE payment_id = :?paymentId AND status = 'PAID' AND refund_reserved + :?amount <= amount""";
    private static final String RELEASE_REFUND = """
            UPDATE payments SET refund_reserved = refund_reserved - :?amount,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND)
            WHERE payment_id = :?paymentId AND refund_reserved >= :?amount""";

    /**
     * The statements that change {@code payments.status}, by the {@link PaymentStates} rows they carry
     * out; PaymentStatesTest checks each one's from-states and to-state against those rows.
     */
    public static final Map<Write, String> STATE_CHANGES = Map.of(
            Write.INSERT_ATTEMPT, INSERT,
            Write.FORGET_NOT_ATTEMPTED, DELETE_NOT_ATTEMPTED,
            Write.SETTLE_OPEN, SETTLE_OPEN,
            Write.SETTLE_OPEN_LANDED, SETTLE_OPEN_LANDED,
            Write.CONCLUDE_NOT_CHARGED, CONCLUDE_NOT_CHARGED,
            Write.OVERTURN_TO_PAID, OVERTURN_TO_PAID,
            Write.REOPEN_NOT_CHARGED, REOPEN_NOT_CHARGED,
            Write.RESTORE_NOT_CHARGED, RESTORE_NOT_CHARGED,
            Write.CHANGE_DECIDED, UPDATE_DECIDED);

    private final Sql sql;

    public PaymentStore(Sql sql) {
        this.sql = sql;
    }

    /**
     * Records a new PENDING attempt and answers the row written; empty when the paymentId is already
     * taken. {@code horizon}: how long from now (database clock) the attempt may be in flight at the
     * vendor; reconcile and /resolve leave it alone until then.
     */
    public Optional<PaymentRecord> insert(PaymentCommand c, String requestHash, Duration horizon) {
        Instant now = Sql.now();
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", c.paymentId());
        p.put("requestHash", requestHash);
        p.put("vendor", c.vendor());
        p.put("method", c.method().name());
        p.put("amount", c.amount());
        p.put("currency", c.currency());
        p.put("orderName", c.orderName());
        p.put("customerId", c.customer() == null ? null : c.customer().id());
        p.put("subscriptionId", c.subscriptionId());
        p.put("billingKey", c.billingKey());
        p.put("cardLast4", c.card() == null ? null : c.card().last4());
        p.put("now", now);
        p.put("horizon", seconds(horizon));
        return sql.update(INSERT, p) == 1 ? Optional.of(PaymentRecord.pending(c, requestHash, now)) : Optional.empty();
    }

    /** As {@link #insert(PaymentCommand, String, Duration)} with no horizon: for tests that build rows by hand. */
    public Optional<PaymentRecord> insert(PaymentCommand c, String requestHash) {
        return insert(c, requestHash, Duration.ZERO);
    }

    /** Whole seconds, rounded up (a horizon is never shortened). */
    static long seconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    public Optional<PaymentRecord> find(String paymentId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("paymentId", paymentId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(PaymentRecord.of(rows.get(0)));
    }

    /**
     * The payment a vendor's record belongs to: the one the vendor reference {@code ref} was recorded
     * on (unique per vendor), else the one whose paymentId is {@code orderId}. Either may be null.
     */
    public Optional<PaymentRecord> findForVendorRecord(String vendor, String ref, String orderId) {
        if (ref != null) {
            List<Map<String, Object>> rows = sql.query(FIND_BY_VENDOR_REF, Map.of("vendor", vendor, "ref", ref));
            if (!rows.isEmpty()) {
                return Optional.of(PaymentRecord.of(rows.get(0)));
            }
        }
        return orderId == null ? Optional.empty() : find(orderId);
    }

    /**
     * Settles a PENDING or UNKNOWN attempt as {@code move} says (a {@link Write#SETTLE_OPEN} row); false
     * when it was already decided by someone else.
     */
    public boolean settleOpen(String paymentId, Transition move, String vendorPaymentRef, String billingKey,
                              Failure failure) {
        return settleOpen(paymentId, move, vendorPaymentRef, billingKey, failure, Sql.now());
    }

    /** As above, stamped {@code now}: what {@link PaymentRecord#settled} needs to describe the row without reading it. */
    public boolean settleOpen(String paymentId, Transition move, String vendorPaymentRef, String billingKey,
                              Failure failure, Instant now) {
        move.requireWrite(Write.SETTLE_OPEN);
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("status", move.to().name());
        p.put("vendorPaymentRef", vendorPaymentRef);
        p.put("billingKey", billingKey);
        p.put("failureCode", failure == null ? null : truncate(failure.code(), 64));
        p.put("failureMessage", failure == null ? null : truncate(failure.message(), 500));
        p.put("now", now);
        if (move.event() == null || move.ledgerEntry() != null) {
            // no event, or its event goes with its ledger entry (LedgerStore.append)
            return sql.update(SETTLE_OPEN, p) == 1;
        }
        // an event without a ledger entry (payment.unknown): the state and its event commit together
        return sql.inTransaction(() -> {
            if (sql.update(SETTLE_OPEN, p) != 1) {
                return false;
            }
            EventFacts.of(sql).paymentChanged(paymentId, move.event());
            return true;
        });
    }

    /** Gives a decline recorded from the vendor's record the vendor's own code and message (see REFINE_DECLINE). */
    public boolean refineDecline(String paymentId, Failure failure) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("failureCode", truncate(failure.code(), 64));
        p.put("failureMessage", truncate(failure.message(), 500));
        return sql.update(REFINE_DECLINE, p) == 1;
    }

    /**
     * Moves a decided payment from one state to another as {@code move} says (a {@link Write#CHANGE_DECIDED}
     * row, e.g. AWAITING_DEPOSIT to PAID on a deposit); false when it is no longer in the row's from-state.
     */
    public boolean changeDecided(String paymentId, Transition move, String vendorPaymentRef) {
        return changeDecided(paymentId, move, vendorPaymentRef, null);
    }

    /** As {@link #changeDecided(String, Transition, String)}, with the failure a move to FAILED records. */
    public boolean changeDecided(String paymentId, Transition move, String vendorPaymentRef, Failure failure) {
        move.requireWrite(Write.CHANGE_DECIDED);
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("expected", move.from().iterator().next().name());
        p.put("status", move.to().name());
        p.put("vendorPaymentRef", vendorPaymentRef);
        p.put("failureCode", failure == null ? null : truncate(failure.code(), 64));
        p.put("failureMessage", failure == null ? null : truncate(failure.message(), 500));
        p.put("now", Instant.now());
        return sql.update(UPDATE_DECIDED, p) == 1;
    }

    /**
     * Forgets an attempt the vendor certainly never processed ({@code NOT_ATTEMPTED}), so its paymentId can
     * be sent again; false when it is not an open attempt without ledger entries (a reopened NOT_CHARGED one:
     * {@link #restoreNotCharged}).
     */
    public boolean forgetNotAttempted(String paymentId) {
        return sql.update(DELETE_NOT_ATTEMPTED, Map.of("paymentId", paymentId)) == 1;
    }

    /**
     * A reopened NOT_CHARGED attempt whose re-send was not attempted ({@code RESEND_NOT_ATTEMPTED}): FAILED
     * NOT_CHARGED again (its ledger entry, {@code conclusionKey}, is still there), kept on reconcile's
     * re-check schedule.
     */
    public boolean restoreNotCharged(String paymentId, String conclusionKey, String message) {
        return sql.update(RESTORE_NOT_CHARGED, Map.of("paymentId", paymentId, "conclusionKey", conclusionKey,
                "failureMessage", message, "now", Sql.now())) == 1;
    }

    /**
     * Turns a NOT_CHARGED attempt back into PENDING for a new send ({@code RESENT_AFTER_NOT_CHARGED}), with a
     * new horizon from now (database clock); false when it is not NOT_CHARGED.
     */
    public boolean reopenNotCharged(String paymentId, Duration horizon) {
        return sql.update(REOPEN_NOT_CHARGED, Map.of("paymentId", paymentId, "now", Sql.now(),
                "horizon", seconds(horizon))) == 1;
    }

    /**
     * The open attempt is still being processed at the vendor (its answer said so): its horizon is counted
     * again from now, on the database's clock; false when it is no longer open.
     */
    public boolean stillInFlight(String paymentId, Duration horizon) {
        return sql.update(STILL_IN_FLIGHT, Map.of("paymentId", paymentId, "horizon", seconds(horizon))) == 1;
    }

    /**
     * As {@link #settleOpen}, but only once the attempt can no longer be in flight (an operator's
     * decision: a {@link Write#SETTLE_OPEN_LANDED} row).
     */
    public boolean settleOpenLanded(String paymentId, Transition move, String vendorPaymentRef, Failure failure) {
        move.requireWrite(Write.SETTLE_OPEN_LANDED);
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("status", move.to().name());
        p.put("vendorPaymentRef", vendorPaymentRef);
        p.put("billingKey", null);
        p.put("failureCode", failure == null ? null : truncate(failure.code(), 64));
        p.put("failureMessage", failure == null ? null : truncate(failure.message(), 500));
        p.put("now", Sql.now());
        return sql.update(SETTLE_OPEN_LANDED, p) == 1;
    }

    /**
     * "Never charged" ({@code NOT_CHARGED_PROVEN}): an open attempt past its horizon becomes FAILED
     * NOT_CHARGED; re-checked by reconcile first after {@code recheck}. False when it was not open or is
     * still within its horizon.
     */
    public boolean concludeNotCharged(String paymentId, String message, Duration recheck) {
        return sql.update(CONCLUDE_NOT_CHARGED, Map.of("paymentId", paymentId, "failureMessage", message,
                "now", Sql.now(), "recheck", seconds(recheck))) == 1;
    }

    /**
     * A NOT_CHARGED (or operator FAILED) conclusion the vendor's record shows wrong becomes PAID
     * ({@code OVERTURNED_BY_VENDOR_RECORD}).
     */
    public boolean overturnToPaid(String paymentId, String vendorPaymentRef, String billingKey) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("vendorPaymentRef", vendorPaymentRef);
        p.put("billingKey", billingKey);
        p.put("now", Sql.now());
        return sql.update(OVERTURN_TO_PAID, p) == 1;
    }

    /** Rows due for a reconcile look now (database clock), earliest next look first. */
    public List<PaymentRecord> dueForLook(int limit) {
        return sql.query(DUE_FOR_LOOK, Map.of("limit", limit)).stream().map(PaymentRecord::of).toList();
    }

    /**
     * Takes the row for one look and schedules the next after {@code backoff}; false when another
     * node took it first. A NOT_CHARGED row leaves the schedule at its {@code rechecks}-th look.
     */
    public boolean takeForLook(PaymentRecord row, Duration backoff, int rechecks) {
        return sql.update(TAKE_FOR_LOOK, Map.of("paymentId", row.paymentId(), "looks", row.looks(),
                "backoff", Math.max(1, seconds(backoff)), "rechecks", rechecks)) == 1;
    }

    /**
     * Takes a due row without counting a look (its vendor cannot be asked here): its next look moves on
     * by {@code backoff}, and a conclusion's re-checks are not used up by looks that asked nothing.
     */
    public boolean postponeLook(PaymentRecord row, Duration backoff) {
        return sql.update(POSTPONE_LOOK, Map.of("paymentId", row.paymentId(), "looks", row.looks(),
                "backoff", Math.max(1, seconds(backoff)))) == 1;
    }

    /**
     * A look {@link #takeForLook} counted whose lookup failed: for a NOT_CHARGED conclusion being re-checked,
     * the look is given back and the next one is in {@code backoff}, so an outage cannot use up the
     * re-checks that would let the vendor's record overturn the conclusion. False when the row moved on.
     */
    public boolean giveBackLook(PaymentRecord row, Duration backoff) {
        return sql.update(GIVE_BACK_LOOK, Map.of("paymentId", row.paymentId(), "taken", row.looks() + 1,
                "backoff", Math.max(1, seconds(backoff)))) == 1;
    }

    /** Notes why the last look could not settle an open attempt (counted as unsettleable). */
    public void leaveUnsettled(String paymentId, String reason) {
        sql.update(LEAVE_UNSETTLED, Map.of("paymentId", paymentId, "reason", truncate(reason, 40)));
    }

    /** When the attempt can no longer be in flight, and whether that time has passed (database clock). */
    public record InFlight(Instant until, boolean landed) {
    }

    public Optional<InFlight> inFlight(String paymentId) {
        List<Map<String, Object>> rows = sql.query(IN_FLIGHT_UNTIL, Map.of("paymentId", paymentId));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> r = rows.get(0);
        Object until = r.containsKey("in_flight_until") ? r.get("in_flight_until") : r.get("IN_FLIGHT_UNTIL");
        Object landed = r.containsKey("landed") ? r.get("landed") : r.get("LANDED");
        return Optional.of(new InFlight(Sql.instant(until), until == null || Sql.longValue(landed) == 1));
    }

    /** Runs {@code work} as one transaction (a state change and its ledger entry). */
    public <T> T inTransaction(java.util.function.Supplier<T> work) {
        return sql.inTransaction(work);
    }

    /**
     * Runs {@code work} as one transaction that takes the payment's row first. Every transaction that
     * changes a refund of the payment runs so: they take turns, and never wait on each other's rows.
     */
    public <T> T holding(String paymentId, java.util.function.Supplier<T> work) {
        return sql.inTransaction(() -> {
            lock(paymentId);
            return work.get();
        });
    }

    /** Reserves refund money atomically; false when the payment is not PAID or too little remains. */
    public boolean reserveRefund(String paymentId, long amount) {
        return sql.update(RESERVE_REFUND, Map.of("paymentId", paymentId, "amount", amount, "now", Instant.now())) == 1;
    }

    public void releaseRefund(String paymentId, long amount) {
        sql.update(RELEASE_REFUND, Map.of("paymentId", paymentId, "amount", amount, "now", Instant.now()));
    }

    /** A text cut to its column's length (a vendor's reason can be longer than the column). */
    public static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    // ---- refunds: what remains counts the ledger's returns too (added for the refunds area)

    // Reserves a refund's amount unless it would exceed what truly remains: the reservations (every
    // API refund sent, open or REFUNDED) plus what the ledger shows returned beyond this payment's own
    // REFUNDED API refunds (a console cancel learnt from a webhook, a return reconcile found): those
    // refunds are in refund_reserved already, so their ledger entries are subtracted, never counted
    // twice. A return whose refund is still open and whose webhook came first is counted twice for that
    // moment: the check errs towards refusing, never towards sending more than remains.
    private static final String RESERVE_REFUND_WITHIN_RETURNS = """
            UPDATE payments SET refund_reserved = refund_reserved + :?amount,
                updated_at = GREATEST(:?now, updated_at + INTERVAL '0.000001' SECOND)
            WHERE payment_id = :?paymentId AND status = 'PAID'
              AND refund_reserved + :?amount + GREATEST(0,
                    (SELECT COALESCE(SUM(-l.amount), 0) FROM ledger_entries l
                     WHERE l.payment_id = :?paymentId AND l.amount < 0)
                  - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r
                     WHERE r.payment_id = :?paymentId AND r.status = 'REFUNDED')) <= payments.amount""";
    private static final String REFUNDABLE = """
            SELECT p.amount - p.refund_reserved - GREATEST(0,
                    (SELECT COALESCE(SUM(-l.amount), 0) FROM ledger_entries l
                     WHERE l.payment_id = :?paymentId AND l.amount < 0)
                  - (SELECT COALESCE(SUM(r.amount), 0) FROM refunds r
                     WHERE r.payment_id = :?paymentId AND r.status = 'REFUNDED')) AS refundable
            FROM payments p WHERE p.payment_id = :?paymentId""";

    /**
     * Reserves refund money atomically, checked against reservations and the ledger's other returns
     * together (one conditional UPDATE); false when the payment is not PAID or too little remains.
     */
    public boolean reserveRefundWithinReturns(String paymentId, long amount) {
        return sql.update(RESERVE_REFUND_WITHIN_RETURNS,
                Map.of("paymentId", paymentId, "amount", amount, "now", Instant.now())) == 1;
    }

    /** What may still be refunded, by the rule of {@link #reserveRefundWithinReturns}; 0 for an unknown payment. */
    public long refundable(String paymentId) {
        List<Map<String, Object>> rows = sql.query(REFUNDABLE, Map.of("paymentId", paymentId));
        return rows.isEmpty() ? 0 : Math.max(0, Sql.longValue(rows.get(0).get("refundable")));
    }

    private static final String LOCK = "SELECT payment_id FROM payments WHERE payment_id = :?paymentId FOR UPDATE";

    /**
     * Inside a transaction: holds the payment's row until it ends, so two refund finishes of one
     * payment that read the ledger's returned sum to decide their entry take turns.
     */
    public void lock(String paymentId) {
        sql.query(LOCK, Map.of("paymentId", paymentId));
    }
}
