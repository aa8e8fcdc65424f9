package paybridge.billing;

import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import paybridge.canonical.BillingAttemptState;
import paybridge.ledger.Sql;

/**
 * {@code billing_attempts}: one row per attempt id. Claiming an attempt is inserting its row, and
 * the table's unique constraints decide between racing runs and nodes (CONTRACT §3): the primary key
 * (each attempt id once), {@code (subscription_id, period_index, attempt_no)} (each attempt of a period
 * once, whatever date the period's id carries) and {@code (subscription_id, paid_period_index)} (at most
 * one PAID attempt per period). Every time stamped here is the database's.
 */
public final class BillingAttemptStore {
    /** Open states: the attempt was claimed and its outcome is not known yet. */
    public static final Set<BillingAttemptState> OPEN = BillingAttemptState.OPEN;

    // never while an earlier attempt of the period is charged at the vendor (a "never charged" the vendor's
    // record overturned, its subscription not yet moved on: the next run's prepare moves it)
    private static final String PERIOD_NOT_CHARGED = """
                AND NOT EXISTS (SELECT 1 FROM billing_attempts o JOIN payments p ON p.payment_id = o.payment_id
                    WHERE o.subscription_id = %1$s.subscription_id AND o.period_index = %2$s
                        AND p.status IN ('PAID', 'CANCELLED', 'PARTIALLY_REFUNDED'))""";
    // the claim only succeeds while the subscription still waits for exactly this attempt, and copies
    // the subscription's terms as they are at this instant: a PATCH committed later never changes them.
    // One attempt per subscription per run: a subscription several periods behind (or retried at once after
    // a decline) is not charged again in the same run by a node that reads it later in the due list
    private static final String CLAIM = """
            INSERT INTO billing_attempts (payment_id, subscription_id, period_index, period_date, attempt_no, run_id,
                state, claimed_by, claimed_at, updated_at, vendor, billing_key, amount, currency, order_name,
                customer_name, customer_phone, customer_email)
            SELECT :?paymentId, subscription_id, :?periodIndex, :?periodDate, :?attemptNo, :?runId, 'CLAIMED', :?node,
                CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, vendor, billing_key, amount, currency, order_name,
                customer_name, customer_phone, customer_email
            FROM subscriptions
            WHERE subscription_id = :?subscriptionId AND state = 'ACTIVE' AND period_index = :?periodIndex
                AND COALESCE(retry_attempt, 0) = :?attemptNo
                AND NOT EXISTS (SELECT 1 FROM billing_attempts r WHERE r.subscription_id = subscriptions.subscription_id
                    AND r.run_id = :?runId)""" + PERIOD_NOT_CHARGED.formatted("subscriptions", ":?periodIndex") + """

            ON CONFLICT DO NOTHING""";
    // an attempt left by a run that is no longer RUNNING without a payments row: it never reached
    // dispatch, or dispatch forgot it because the vendor certainly did not process it (not attempted).
    // Either way nothing is at the vendor, so this run may send it, whatever open state it was left in
    // (a run wrongly declared stale may have marked it PENDING from a replayed answer meanwhile).
    // As a claim, only while the subscription still waits for exactly this attempt (the run's list of due
    // subscriptions may be older than a cancel, a pause or the period's payment), once per run, and never
    // while an earlier attempt of the period proved charged
    private static final String TAKE_OVER = """
            UPDATE billing_attempts SET run_id = :?runId, state = 'CLAIMED', claimed_by = :?node,
                claimed_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP
            WHERE payment_id = :?paymentId AND state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN') AND run_id <> :?runId
                AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = billing_attempts.payment_id)
                AND NOT EXISTS (SELECT 1 FROM billing_runs r WHERE r.run_id = billing_attempts.run_id
                    AND r.status = 'RUNNING')
                AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscription_id = billing_attempts.subscription_id
                    AND s.state = 'ACTIVE' AND s.period_index = COALESCE(billing_attempts.period_index, s.period_index)
                    AND COALESCE(s.retry_attempt, 0) = billing_attempts.attempt_no)
                AND NOT EXISTS (SELECT 1 FROM billing_attempts r WHERE r.subscription_id = billing_attempts.subscription_id
                    AND r.run_id = :?runId)""" + PERIOD_NOT_CHARGED.formatted("billing_attempts", "billing_attempts.period_index");
    private static final String FIND = "SELECT * FROM billing_attempts WHERE payment_id = :?paymentId";
    private static final String SETTLE = """
            UPDATE billing_attempts SET state = :?state, decline_category = :?category, updated_at = CURRENT_TIMESTAMP
            WHERE payment_id = :?paymentId AND state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN')""";
    // an attempt whose conclusion the vendor's record overturned: NOT_CHARGED, or DECLINED as versions before
    // took an operator's FAILED (its payment marked overturned_from)
    private static final String OVERTURNED = """
            (state = 'NOT_CHARGED' OR (state = 'DECLINED' AND EXISTS (SELECT 1 FROM payments p
                WHERE p.payment_id = billing_attempts.payment_id AND p.overturned_from IS NOT NULL)))""";
    // PAID from an open state, or from a conclusion when the vendor's record later shows it charged;
    // never while another attempt of the period is PAID (that is a double charge: markDuplicate)
    private static final String SETTLE_PAID = """
            UPDATE billing_attempts SET state = 'PAID', paid_period = period_date, paid_period_index = period_index,
                updated_at = CURRENT_TIMESTAMP
            WHERE payment_id = :?paymentId AND (state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN') OR """ + OVERTURNED + """
            )
                AND NOT EXISTS (SELECT 1 FROM billing_attempts o WHERE o.subscription_id = billing_attempts.subscription_id
                    AND o.state = 'PAID' AND o.payment_id <> billing_attempts.payment_id
                    AND (o.paid_period_index = billing_attempts.period_index OR o.paid_period = billing_attempts.period_date))""";
    private static final String PAID_OF_PERIOD = """
            SELECT payment_id FROM billing_attempts
            WHERE subscription_id = :?subscriptionId AND state = 'PAID' AND payment_id <> :?paymentId
                AND (paid_period_index = :?periodIndex OR paid_period = :?periodDate)""";
    private static final String MARK_DUPLICATE = """
            UPDATE billing_attempts SET state = 'PAID_DUPLICATE', double_charge_of = :?other, updated_at = CURRENT_TIMESTAMP
            WHERE payment_id = :?paymentId AND (state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN') OR """ + OVERTURNED + """
            )""";
    private static final String MARK_OPEN = """
            UPDATE billing_attempts SET state = :?state, updated_at = CURRENT_TIMESTAMP
            WHERE payment_id = :?paymentId AND state IN ('CLAIMED', 'SENT')""";
    // not attempted: whichever run holds the row now (a takeover may have moved it) and whatever open
    // state it was left in, an attempt without a payments row has nothing at the vendor
    private static final String RELEASE = """
            DELETE FROM billing_attempts WHERE payment_id = :?paymentId
                AND state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN')
                AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = billing_attempts.payment_id)""";
    private static final String DECLINES = """
            SELECT COUNT(*) AS n FROM billing_attempts
            WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex AND state = 'DECLINED'
                AND attempt_no >= :?fromAttempt""";
    private static final String COLUMNS = "a.payment_id, a.subscription_id, a.period_index, a.period_date, a.attempt_no";
    // attempts of earlier runs still open here whose payment has meanwhile been decided (reconcile,
    // webhook, operator) or was recorded by a node that died before it could apply the outcome
    private static final String SETTLED_ELSEWHERE = "SELECT " + COLUMNS + """
            , a.state AS attempt_state, p.status AS payment_status, p.vendor, p.failure_code, p.failure_message
            FROM billing_attempts a JOIN payments p ON p.payment_id = a.payment_id
            WHERE a.state IN ('CLAIMED', 'SENT', 'PENDING', 'UNKNOWN') AND a.run_id <> :?runId
                AND (p.status NOT IN ('PENDING', 'UNKNOWN') OR a.state IN ('CLAIMED', 'SENT'))
            ORDER BY a.payment_id LIMIT :?limit""";
    // concluded never charged (or, by versions before, an operator's FAILED taken as a decline), but the
    // vendor's record now shows the payment charged
    private static final String CHARGED_AFTER_ALL = "SELECT " + COLUMNS + """

            FROM billing_attempts a JOIN payments p ON p.payment_id = a.payment_id
            WHERE (a.state = 'NOT_CHARGED' OR (a.state = 'DECLINED' AND p.overturned_from IS NOT NULL))
              AND p.status IN ('PAID', 'PARTIALLY_REFUNDED', 'CANCELLED')
            ORDER BY a.payment_id LIMIT :?limit""";
    // decided attempts whose subscription still waits for them (a crash between the two statements
    // before they were one transaction); such a subscription is still due, so only due ones are read.
    // A PAID attempt of its period, whichever attempt the subscription waits for: a paid period is never
    // claimed again, so a subscription left on it (by a resume racing the payment's update in versions
    // that did not hold the row first) would otherwise wait for good
    private static final String BEHIND = "SELECT " + COLUMNS + ", a.state, a.decline_category FROM subscriptions s"
            + " JOIN billing_attempts a ON a.subscription_id = s.subscription_id AND a.period_index = s.period_index"
            + " AND (a.attempt_no = COALESCE(s.retry_attempt, 0) OR a.state = 'PAID')"
            + " WHERE a.state IN ('PAID', 'DECLINED', 'NOT_CHARGED') AND " + SubscriptionStore.DUE_WHERE_S
            // a PAID attempt first: its subscription moves to the next period, and a decline of the same
            // period read after it no longer applies (no dunning, no PAST_DUE for a paid period)
            + " ORDER BY CASE WHEN a.state = 'PAID' THEN 0 ELSE 1 END, a.payment_id LIMIT :?limit";
    // a double charge still to be mended: neither of its two payments returned in full yet (an operator's
    // refund of one, or a cancel in the vendor's console, as the ledger shows it). Once one is, it is no
    // longer reported: an operator on the next shift must not be told to refund the other one too
    private static final String UNMENDED = """
             AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.payment_id IN (billing_attempts.payment_id,
                    billing_attempts.double_charge_of)
                AND (SELECT COALESCE(SUM(-l.amount), 0) FROM ledger_entries l
                     WHERE l.payment_id = p.payment_id AND l.amount < 0) >= p.amount)""";
    private static final String DUPLICATES = "SELECT payment_id, subscription_id, double_charge_of FROM billing_attempts"
            + " WHERE state = 'PAID_DUPLICATE'" + UNMENDED + " ORDER BY payment_id LIMIT :?limit";
    private static final String DUPLICATE_COUNT = "SELECT COUNT(*) AS n FROM billing_attempts WHERE state = 'PAID_DUPLICATE'"
            + UNMENDED;
    private static final String RUN_COUNTS = """
            SELECT state, COUNT(*) AS n FROM billing_attempts WHERE run_id = :?runId GROUP BY state""";
    // the attempts of a run declined HARD: their subscriptions went PAST_DUE at once
    private static final String HARD_DECLINES = """
            SELECT a.subscription_id, a.payment_id, p.failure_code FROM billing_attempts a
                LEFT JOIN payments p ON p.payment_id = a.payment_id
            WHERE a.run_id = :?runId AND a.decline_category = 'HARD' AND a.state = 'DECLINED'
            ORDER BY a.subscription_id, a.payment_id LIMIT :?limit""";
    // a HARD decline is about the card behind one vendor's billing key: any attempt of this subscription
    // declined HARD on that key (the claim copied the key into the row) says the key must not be charged
    private static final String HARD_DECLINED_ON_KEY = """
            SELECT payment_id FROM billing_attempts
            WHERE subscription_id = :?subscriptionId AND vendor = :?vendor AND billing_key = :?billingKey
                AND decline_category = 'HARD'
            ORDER BY payment_id LIMIT 1""";
    private static final String IN_FLIGHT = """
            SELECT COUNT(*) AS n FROM billing_attempts a WHERE a.run_id = :?runId AND a.state = 'CLAIMED'""";

    private final Sql sql;

    public BillingAttemptStore(Sql sql) {
        this.sql = sql;
    }

    /** Claims an attempt for a run; false when another run or node has it, or the subscription moved on. */
    public boolean claim(DueItem item, String runId, String node) {
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", item.paymentId());
        p.put("subscriptionId", item.subscriptionId());
        p.put("periodDate", item.periodDate());
        p.put("attemptNo", item.attemptNo());
        p.put("periodIndex", item.periodIndex());
        p.put("runId", runId);
        p.put("node", node);
        return sql.update(CLAIM, p) == 1;
    }

    /** Takes over an attempt nothing was sent for whose run ended; false when it is not such an attempt. */
    public boolean takeOver(String paymentId, String runId, String node) {
        return sql.update(TAKE_OVER, Map.of("paymentId", paymentId, "runId", runId, "node", node)) == 1;
    }

    public Map<String, Object> find(String paymentId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("paymentId", paymentId));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** Records a decided outcome other than PAID (DECLINED, NOT_CHARGED); false when it was already decided. */
    public boolean settle(String paymentId, BillingAttemptState state) {
        return settle(paymentId, state, null);
    }

    /**
     * As {@link #settle(String, BillingAttemptState)}; a DECLINED attempt also records its decline
     * category ({@code SOFT}/{@code HARD}, null: none known).
     */
    public boolean settle(String paymentId, BillingAttemptState state, String declineCategory) {
        if (state != BillingAttemptState.DECLINED && state != BillingAttemptState.NOT_CHARGED) {
            throw new IllegalArgumentException(state + " is not settled here (PAID: settlePaid; open: markOpen)");
        }
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("state", state.name());
        p.put("category", declineCategory);
        return sql.update(SETTLE, p) == 1;
    }

    /** Records PAID; false when the attempt was already decided or another attempt of its period is PAID. */
    public boolean settlePaid(String paymentId) {
        return sql.update(SETTLE_PAID, Map.of("paymentId", paymentId)) == 1;
    }

    /**
     * True when the attempt is PAID, or its row is gone (given back as not attempted while another run
     * sent the same id after all: the payment under this id paid the period all the same).
     */
    public boolean paidOrGone(String paymentId) {
        Map<String, Object> row = find(paymentId);
        return row == null || BillingAttemptState.of(row.get("state")) == BillingAttemptState.PAID;
    }

    /** Another attempt of this attempt's period that is PAID, or null. */
    public String paidOfPeriod(AttemptRef a) {
        Map<String, Object> p = new HashMap<>();
        p.put("subscriptionId", a.subscriptionId());
        p.put("paymentId", a.paymentId());
        p.put("periodIndex", a.periodIndex() == null ? -1 : a.periodIndex());
        p.put("periodDate", a.periodDate());
        List<Map<String, Object>> rows = sql.query(PAID_OF_PERIOD, p);
        return rows.isEmpty() ? null : (String) rows.get(0).get("payment_id");
    }

    /** The attempt was charged although {@code other} had already paid its period; false when already recorded. */
    public boolean markDuplicate(String paymentId, String other) {
        return sql.update(MARK_DUPLICATE, Map.of("paymentId", paymentId, "other", other)) == 1;
    }

    /** Records that the attempt was sent and its outcome is open (PENDING or UNKNOWN). */
    public boolean markOpen(String paymentId, BillingAttemptState state) {
        if (state != BillingAttemptState.PENDING && state != BillingAttemptState.UNKNOWN) {
            throw new IllegalArgumentException(state + " is not an open outcome");
        }
        return sql.update(MARK_OPEN, Map.of("paymentId", paymentId, "state", state.name())) == 1;
    }

    /** Gives an attempt back when the vendor certainly did not process it, so a later run sends it. */
    public boolean release(String paymentId) {
        return sql.update(RELEASE, Map.of("paymentId", paymentId)) == 1;
    }

    /** How many attempts of the period were declined. */
    public int declines(String subscriptionId, int periodIndex) {
        return declines(subscriptionId, periodIndex, 0);
    }

    /** How many attempts of the period numbered {@code fromAttempt} or later were declined (dunning restarted by a resume). */
    public int declines(String subscriptionId, int periodIndex, int fromAttempt) {
        return (int) Sql.longValue(sql.query(DECLINES, Map.of("subscriptionId", subscriptionId,
                "periodIndex", periodIndex, "fromAttempt", fromAttempt)).get(0).get("n"));
    }

    /** A run's HARD declines: (subscription_id, payment_id, failure_code), at most {@code limit}. */
    public List<Map<String, Object>> hardDeclines(String runId, int limit) {
        return sql.query(HARD_DECLINES, Map.of("runId", runId, "limit", limit));
    }

    /** An attempt of the subscription declined HARD on this vendor's billing key, or null if none. */
    public String hardDeclinedOnKey(String subscriptionId, String vendor, String billingKey) {
        List<Map<String, Object>> rows = sql.query(HARD_DECLINED_ON_KEY,
                Map.of("subscriptionId", subscriptionId, "vendor", vendor, "billingKey", billingKey));
        return rows.isEmpty() ? null : (String) rows.get(0).get("payment_id");
    }

    public List<Map<String, Object>> settledElsewhere(String runId, int limit) {
        return sql.query(SETTLED_ELSEWHERE, Map.of("runId", runId, "limit", limit));
    }

    /** NOT_CHARGED attempts whose payment the vendor's record has since shown charged. */
    public List<AttemptRef> chargedAfterAll(int limit) {
        return sql.query(CHARGED_AFTER_ALL, Map.of("limit", limit)).stream().map(AttemptRef::of).toList();
    }

    /** Decided attempts (with their state) whose subscription, due at asOf, has not moved past them. */
    public List<Map<String, Object>> behind(Instant asOf, int limit) {
        return sql.query(BEHIND, Map.of("asOf", asOf, "limit", limit));
    }

    /** Attempts charged twice for one period: (payment_id, subscription_id, double_charge_of). */
    // read by a readiness check: bounded, so a table locked meanwhile never holds a probe
    private static final java.time.Duration CHECK_TIMEOUT = java.time.Duration.ofSeconds(3);

    public List<Map<String, Object>> duplicates(int limit) {
        return sql.query(DUPLICATES, Map.of("limit", limit), CHECK_TIMEOUT);
    }

    public long duplicateCount() {
        return Sql.longValue(sql.query(DUPLICATE_COUNT, Map.of(), CHECK_TIMEOUT).get(0).get("n"));
    }

    /** A run's attempts by state. */
    public Map<BillingAttemptState, Long> countsOf(String runId) {
        Map<BillingAttemptState, Long> counts = new EnumMap<>(BillingAttemptState.class);
        for (Map<String, Object> row : sql.query(RUN_COUNTS, Map.of("runId", runId))) {
            counts.put(BillingAttemptState.of(row.get("state")), Sql.longValue(row.get("n")));
        }
        return counts;
    }

    /** A run's claims still waiting for their outcome (in flight on some node, or abandoned by a dead one). */
    public long inFlight(String runId) {
        return Sql.longValue(sql.query(IN_FLIGHT, Map.of("runId", runId)).get(0).get("n"));
    }
}
