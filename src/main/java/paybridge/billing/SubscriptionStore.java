package paybridge.billing;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.ledger.Sql;

/**
 * {@code subscriptions}. Every change after a charge is one conditional UPDATE guarded by the period
 * and attempt it applies to ({@code period_index}, {@code retry_attempt}; PAID by the period alone), so
 * an outcome applied twice, late, or by two nodes changes the subscription at most once. It runs in the
 * same transaction as the attempt's own change ({@link DunningPolicy}). Times stamped are the database's.
 */
public final class SubscriptionStore {
    private static final String INSERT = """
            INSERT INTO subscriptions (subscription_id, request_hash, vendor, billing_key, customer_id, customer_name,
                customer_phone, customer_email, order_name, amount, currency, billing_interval, anchor_at, period_index,
                next_billing_at, state, created_at, updated_at)
            VALUES (:?subscriptionId, :?requestHash, :?vendor, :?billingKey, :?customerId, :?customerName,
                :?customerPhone, :?customerEmail, :?orderName, :?amount, :?currency, :?interval, :?anchorAt, 0,
                :?nextBillingAt, 'ACTIVE', :?now, :?now)
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM subscriptions WHERE subscription_id = :?subscriptionId";
    // PATCH and resume: the row held until their transaction ends, so what they check is what they change
    private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";
    // the terms a PATCH may change; never touches an attempt already claimed (it copied its own terms)
    private static final String UPDATE_TERMS = """
            UPDATE subscriptions SET vendor = :?vendor, billing_key = :?billingKey, amount = :?amount,
                order_name = :?orderName, customer_name = :?customerName, customer_phone = :?customerPhone,
                customer_email = :?customerEmail,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId AND state <> 'CANCELLED'""";
    // the next attempt number of the subscription's period: one past every attempt of it ever claimed
    private static final String NEXT_ATTEMPT_NO = """
            COALESCE((SELECT MAX(a.attempt_no) FROM billing_attempts a
                WHERE a.subscription_id = subscriptions.subscription_id
                    AND a.period_index = subscriptions.period_index), -1) + 1""";
    // PAST_DUE -> ACTIVE: the unpaid period's next attempt id is due now (database clock), and its
    // dunning schedule starts again from it and from now
    private static final String RESUME = "UPDATE subscriptions SET state = 'ACTIVE', retry_attempt = " + NEXT_ATTEMPT_NO
            + ", next_retry_at = CURRENT_TIMESTAMP, retry_base_attempt = " + NEXT_ATTEMPT_NO + """
            , retry_from = CURRENT_TIMESTAMP, past_due_since = NULL, past_due_reason = NULL,
                past_due_payment_id = NULL,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId AND state = 'PAST_DUE'""";
    // a billing key paybridge saw issued to another customer of the same vendor (a KEY_IN that stored it)
    private static final String KEY_OF_ANOTHER = """
            SELECT customer_id FROM payments
            WHERE vendor = :?vendor AND billing_key = :?billingKey AND method = 'KEY_IN'
                AND customer_id IS NOT NULL AND customer_id <> :?customerId
            LIMIT 1""";
    // a key paybridge issued (POST /api/billing-keys: Toss's, bound to its customerKey at the vendor)
    private static final String ISSUED_KEY_OF_ANOTHER = """
            SELECT customer_id FROM billing_keys
            WHERE vendor = :?vendor AND billing_key = :?billingKey AND customer_id <> :?customerId
            LIMIT 1""";
    // GET /api/subscriptions: oldest createdAt first, ties by id; the cursor is the last row's pair, so
    // a page never repeats or skips a row that existed, whatever is inserted meanwhile
    private static final String LIST_FILTERS = """
             (CAST(:?state AS VARCHAR(16)) IS NULL OR s.state = :?state)
                AND (CAST(:?customerId AS VARCHAR(64)) IS NULL OR s.customer_id = :?customerId)
                AND (CAST(:?vendor AS VARCHAR(16)) IS NULL OR s.vendor = :?vendor)""";
    private static final String LIST_FIRST = "SELECT s.* FROM subscriptions s WHERE" + LIST_FILTERS
            + " ORDER BY s.created_at, s.subscription_id LIMIT :?limit";
    private static final String LIST_AFTER = "SELECT s.* FROM subscriptions s WHERE" + LIST_FILTERS + """

                AND (s.created_at > :?afterAt OR (s.created_at = :?afterAt AND s.subscription_id > :?afterId))
            ORDER BY s.created_at, s.subscription_id LIMIT :?limit""";
    private static final String CANCEL = """
            UPDATE subscriptions SET state = 'CANCELLED', retry_attempt = NULL, next_retry_at = NULL,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId AND state <> 'CANCELLED'""";
    // due: ACTIVE, and either the period itself (not in dunning) or its next retry is due at asOf
    static final String DUE_WHERE_S = """
            s.state = 'ACTIVE' AND ((s.retry_attempt IS NULL AND s.next_billing_at <= :?asOf)
                OR (s.retry_attempt IS NOT NULL AND s.next_retry_at <= :?asOf))""";
    // with the date the period's id got when it was first claimed (null before): a period keeps its
    // id whatever the billing time zone is now
    // and the latest date an earlier period's id got: a period's date is always later (after a change of
    // the billing time zone its due date there may fall on the date the last one got in the zone before)
    private static final String DUE_SELECT = """
            SELECT s.*, (SELECT MIN(a.period_date) FROM billing_attempts a
                WHERE a.subscription_id = s.subscription_id AND a.period_index = s.period_index) AS claimed_period_date,
                (SELECT MAX(a.period_date) FROM billing_attempts a
                WHERE a.subscription_id = s.subscription_id AND a.period_index < s.period_index) AS last_period_date
            FROM subscriptions s WHERE\s""" + DUE_WHERE_S;
    private static final String DUE_ASC = DUE_SELECT
            + " AND s.subscription_id > :?after ORDER BY s.subscription_id LIMIT :?limit";
    private static final String DUE_DESC = DUE_SELECT
            + " AND s.subscription_id < :?after ORDER BY s.subscription_id DESC LIMIT :?limit";
    private static final String DUE_ASC_FIRST = DUE_SELECT + " ORDER BY s.subscription_id LIMIT :?limit";
    private static final String DUE_DESC_FIRST = DUE_SELECT + " ORDER BY s.subscription_id DESC LIMIT :?limit";
    private static final String DUE_COUNT = "SELECT COUNT(*) AS n,"
            + " COALESCE(SUM(CASE WHEN s.retry_attempt IS NOT NULL THEN 1 ELSE 0 END), 0) AS retries"
            + " FROM subscriptions s WHERE " + DUE_WHERE_S;
    // (the leading space matters: this is appended to each UPDATE below)
    private static final String GUARD = " WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex"
            + " AND COALESCE(retry_attempt, 0) = :?attemptNo";
    // a PAID attempt pays its period whichever attempt of it the subscription waits for now (an
    // attempt concluded never charged may prove charged after the next one was scheduled)
    private static final String PAID = """
            UPDATE subscriptions SET period_index = period_index + 1, next_billing_at = :?nextBillingAt,
                retry_attempt = NULL, next_retry_at = NULL, retry_base_attempt = NULL, retry_from = NULL,
                last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex AND state <> 'PAST_DUE'""";
    // the same for a PAST_DUE subscription: its unpaid period was paid after all, it is ACTIVE again
    private static final String PAID_PAST_DUE = """
            UPDATE subscriptions SET period_index = period_index + 1, next_billing_at = :?nextBillingAt,
                retry_attempt = NULL, next_retry_at = NULL, retry_base_attempt = NULL, retry_from = NULL,
                last_payment_id = :?paymentId, state = 'ACTIVE', past_due_since = NULL, past_due_reason = NULL,
                past_due_payment_id = NULL,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex AND state = 'PAST_DUE'""";
    // (not on a subscription cancelled while the attempt was in flight: it shows no retry, DUNNING_OVER)
    private static final String RETRY = """
            UPDATE subscriptions SET retry_attempt = :?nextAttempt, next_retry_at = :?nextRetryAt,
                last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1""" + GUARD
            + " AND state <> 'CANCELLED'";
    // NOT_CHARGED: the next attempt id is due at once, i.e. when the one that was never charged was due
    private static final String RETRY_AT_ONCE = """
            UPDATE subscriptions SET retry_attempt = :?nextAttempt,
                next_retry_at = COALESCE(next_retry_at, next_billing_at),
                last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1""" + GUARD
            + " AND state <> 'CANCELLED'";
    private static final String PAST_DUE = """
            UPDATE subscriptions SET state = 'PAST_DUE', past_due_since = CURRENT_TIMESTAMP,
                past_due_reason = :?reason, past_due_payment_id = :?paymentId,
                retry_attempt = NULL, next_retry_at = NULL, last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1""" + GUARD + " AND state = 'ACTIVE'";
    // the attempt's outcome on a subscription no longer ACTIVE (cancelled meanwhile): no state change
    private static final String DUNNING_OVER = """
            UPDATE subscriptions SET retry_attempt = NULL, next_retry_at = NULL, last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1""" + GUARD + " AND state <> 'ACTIVE'";
    private static final String SENT = """
            UPDATE subscriptions SET last_payment_id = :?paymentId,
                updated_at = GREATEST(CURRENT_TIMESTAMP, updated_at + INTERVAL '0.000001' SECOND),
                version = version + 1
            WHERE subscription_id = :?subscriptionId""";

    private final Sql sql;

    public SubscriptionStore(Sql sql) {
        this.sql = sql;
    }

    /** Inserts a new ACTIVE subscription; false when the id is taken. */
    public boolean insert(Subscription s) {
        Map<String, Object> p = new HashMap<>();
        p.put("subscriptionId", s.subscriptionId());
        p.put("requestHash", s.requestHash());
        p.put("vendor", s.vendor());
        p.put("billingKey", s.billingKey());
        p.put("customerId", s.customer().id());
        p.put("customerName", s.customer().name());
        p.put("customerPhone", s.customer().phone());
        p.put("customerEmail", s.customer().email());
        p.put("orderName", s.orderName());
        p.put("amount", s.amount());
        p.put("currency", s.currency());
        p.put("interval", s.interval());
        p.put("anchorAt", s.anchorAt().toString());
        p.put("nextBillingAt", s.nextBillingAt());
        p.put("now", s.createdAt());
        return sql.update(INSERT, p) == 1;
    }

    public Optional<Subscription> find(String subscriptionId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("subscriptionId", subscriptionId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(Subscription.of(rows.get(0)));
    }

    public boolean cancel(String subscriptionId) {
        return sql.update(CANCEL, Map.of("subscriptionId", subscriptionId)) == 1;
    }

    /** A due subscription and the date its current period's id was fixed with (null: not claimed yet). */
    /** A due subscription, the date its current period's id got (null before its first claim), the latest earlier one's. */
    public record Due(Subscription subscription, java.time.LocalDate claimedPeriodDate, java.time.LocalDate lastPeriodDate) {
    }

    /**
     * One page of due subscriptions in id order: after the given id (ascending) or before it
     * (descending); {@code after} null = from the start.
     */
    public List<Due> duePage(Instant asOf, String after, boolean descending, int limit) {
        Map<String, Object> p = new HashMap<>(Map.of("asOf", asOf, "limit", limit));
        String query;
        if (after == null) {
            query = descending ? DUE_DESC_FIRST : DUE_ASC_FIRST;
        } else {
            p.put("after", after);
            query = descending ? DUE_DESC : DUE_ASC;
        }
        return sql.query(query, p).stream().map(r -> new Due(Subscription.of(r),
                r.get("claimed_period_date") == null ? null : AttemptRef.localDate(r.get("claimed_period_date")),
                r.get("last_period_date") == null ? null : AttemptRef.localDate(r.get("last_period_date")))).toList();
    }

    public int dueCount(Instant asOf) {
        return (int) dueCounts(asOf).due();
    }

    /** Attempts due at asOf, and how many of them are dunning retries ({@code -r<n>}). */
    public record DueCounts(long due, long retries) {
    }

    public DueCounts dueCounts(Instant asOf) {
        Map<String, Object> row = sql.query(DUE_COUNT, Map.of("asOf", asOf)).get(0);
        return new DueCounts(Sql.longValue(row.get("n")), Sql.longValue(row.get("retries")));
    }

    /** What a PAID outcome did to its subscription. */
    public enum Moved { NONE, MOVED, FROM_PAST_DUE }

    /**
     * The period was paid: move to the next one (a PAST_DUE subscription is ACTIVE again). NONE when the
     * subscription had already moved on. Run inside the outcome's transaction.
     */
    public Moved paid(String subscriptionId, int periodIndex, String paymentId, Instant nextBillingAt) {
        // the row held first, so the state read is the state updated: between two conditional updates (one
        // per state) a resume could turn PAST_DUE to ACTIVE, and neither would match; the period would stay
        // paid with the subscription still waiting on it, which no claim may charge again
        Subscription now = lock(subscriptionId).orElse(null);
        if (now == null) {
            return Moved.NONE;
        }
        Map<String, Object> p = guard(subscriptionId, periodIndex, 0, paymentId);
        p.put("nextBillingAt", nextBillingAt);
        if ("PAST_DUE".equals(now.state())) {
            return sql.update(PAID_PAST_DUE, p) == 1 ? Moved.FROM_PAST_DUE : Moved.NONE;
        }
        return sql.update(PAID, p) == 1 ? Moved.MOVED : Moved.NONE;
    }

    /** A declined attempt with retries left: attempt {@code nextAttempt} is due at {@code nextRetryAt}. */
    public boolean retry(String subscriptionId, int periodIndex, int attemptNo, String paymentId, int nextAttempt,
                         Instant nextRetryAt) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, attemptNo, paymentId);
        p.put("nextAttempt", nextAttempt);
        p.put("nextRetryAt", nextRetryAt);
        return sql.update(RETRY, p) == 1 || dunningOver(p);
    }

    /** The outcome on a subscription cancelled meanwhile: its last payment noted, no retry; false. */
    private boolean dunningOver(Map<String, Object> guard) {
        sql.update(DUNNING_OVER, guard);
        return false;
    }

    /** An attempt proven never charged (NOT_CHARGED, by a lookup by paymentId): the next attempt id is due at once. */
    public boolean retryAtOnce(String subscriptionId, int periodIndex, int attemptNo, String paymentId) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, attemptNo, paymentId);
        p.put("nextAttempt", attemptNo + 1);
        return sql.update(RETRY_AT_ONCE, p) == 1 || dunningOver(p);
    }

    /**
     * The last retry was declined too ({@code RETRIES_EXHAUSTED}), or a decline was HARD ({@code HARD_DECLINE}):
     * ACTIVE → PAST_DUE. True only when this changed the state; a subscription cancelled meanwhile only
     * leaves dunning. Run inside the outcome's transaction.
     */
    public boolean pastDue(String subscriptionId, int periodIndex, int attemptNo, String paymentId, String reason) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, attemptNo, paymentId);
        p.put("reason", reason);
        if (sql.update(PAST_DUE, p) == 1) {
            return true;
        }
        sql.update(DUNNING_OVER, guard(subscriptionId, periodIndex, attemptNo, paymentId));
        return false;
    }

    /** The row, held until the caller's transaction ends (PATCH, resume); empty when there is none. */
    public Optional<Subscription> lock(String subscriptionId) {
        List<Map<String, Object>> rows = sql.query(FIND_FOR_UPDATE, Map.of("subscriptionId", subscriptionId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(Subscription.of(rows.get(0)));
    }

    /** Writes the terms a PATCH may change; false when the subscription is CANCELLED (or gone). */
    public boolean updateTerms(Subscription s) {
        Map<String, Object> p = new HashMap<>();
        p.put("subscriptionId", s.subscriptionId());
        p.put("vendor", s.vendor());
        p.put("billingKey", s.billingKey());
        p.put("amount", s.amount());
        p.put("orderName", s.orderName());
        p.put("customerName", s.customer().name());
        p.put("customerPhone", s.customer().phone());
        p.put("customerEmail", s.customer().email());
        return sql.update(UPDATE_TERMS, p) == 1;
    }

    /** PAST_DUE → ACTIVE with the unpaid period's next attempt due now; false when it was not PAST_DUE. */
    public boolean resume(String subscriptionId) {
        return sql.update(RESUME, Map.of("subscriptionId", subscriptionId)) == 1;
    }

    /** The customer another KEY_IN charge of this vendor stored this billing key for, or paybridge issued it to, if any. */
    public Optional<String> keyIssuedToAnother(String vendor, String billingKey, String customerId) {
        Map<String, Object> p = Map.of("vendor", vendor, "billingKey", billingKey, "customerId", customerId);
        List<Map<String, Object>> rows = sql.query(KEY_OF_ANOTHER, p);
        if (rows.isEmpty()) {
            rows = sql.query(ISSUED_KEY_OF_ANOTHER, p);
        }
        return rows.isEmpty() ? Optional.empty() : Optional.of((String) rows.get(0).get("customer_id"));
    }

    /** A page of the list: filters (null = any), after the cursor position (null = from the start). */
    public List<Subscription> list(String state, String customerId, String vendor, Instant afterAt, String afterId,
                                   int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("state", state);
        p.put("customerId", customerId);
        p.put("vendor", vendor);
        p.put("limit", limit);
        String query = LIST_FIRST;
        if (afterAt != null) {
            p.put("afterAt", afterAt);
            p.put("afterId", afterId);
            query = LIST_AFTER;
        }
        return sql.query(query, p).stream().map(Subscription::of).toList();
    }

    /** An attempt was sent and its outcome is open: only remember it as the last payment. */
    public void sent(String subscriptionId, String paymentId) {
        sql.update(SENT, Map.of("subscriptionId", subscriptionId, "paymentId", paymentId));
    }

    private static Map<String, Object> guard(String subscriptionId, int periodIndex, int attemptNo, String paymentId) {
        Map<String, Object> p = new HashMap<>();
        p.put("subscriptionId", subscriptionId);
        p.put("periodIndex", periodIndex);
        p.put("attemptNo", attemptNo);
        p.put("paymentId", paymentId);
        return p;
    }
}
