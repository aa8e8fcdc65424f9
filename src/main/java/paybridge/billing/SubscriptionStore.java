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
    private static final String CANCEL = """
            UPDATE subscriptions SET state = 'CANCELLED', retry_attempt = NULL, next_retry_at = NULL,
                updated_at = CURRENT_TIMESTAMP, version = version + 1
            WHERE subscription_id = :?subscriptionId AND state <> 'CANCELLED'""";
    // due: ACTIVE, and either the period itself (not in dunning) or its next retry is due at asOf
    static final String DUE_WHERE_S = """
            s.state = 'ACTIVE' AND ((s.retry_attempt IS NULL AND s.next_billing_at <= :?asOf)
                OR (s.retry_attempt IS NOT NULL AND s.next_retry_at <= :?asOf))""";
    // with the date the period's id got when it was first claimed (null before): a period keeps its
    // id whatever the billing time zone is now
    private static final String DUE_SELECT = """
            SELECT s.*, (SELECT MIN(a.period_date) FROM billing_attempts a
                WHERE a.subscription_id = s.subscription_id AND a.period_index = s.period_index) AS claimed_period_date
            FROM subscriptions s WHERE\s""" + DUE_WHERE_S;
    private static final String DUE_ASC = DUE_SELECT
            + " AND s.subscription_id > :?after ORDER BY s.subscription_id LIMIT :?limit";
    private static final String DUE_DESC = DUE_SELECT
            + " AND s.subscription_id < :?after ORDER BY s.subscription_id DESC LIMIT :?limit";
    private static final String DUE_ASC_FIRST = DUE_SELECT + " ORDER BY s.subscription_id LIMIT :?limit";
    private static final String DUE_DESC_FIRST = DUE_SELECT + " ORDER BY s.subscription_id DESC LIMIT :?limit";
    private static final String DUE_COUNT = "SELECT COUNT(*) AS n FROM subscriptions s WHERE " + DUE_WHERE_S;
    // (the leading space matters: this is appended to each UPDATE below)
    private static final String GUARD = " WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex"
            + " AND COALESCE(retry_attempt, 0) = :?attemptNo";
    // a PAID attempt pays its period whichever attempt of it the subscription waits for now (an
    // attempt concluded never charged may prove charged after the next one was scheduled)
    private static final String PAID = """
            UPDATE subscriptions SET period_index = period_index + 1, next_billing_at = :?nextBillingAt,
                retry_attempt = NULL, next_retry_at = NULL, last_payment_id = :?paymentId,
                state = CASE WHEN state = 'PAST_DUE' THEN 'ACTIVE' ELSE state END,
                updated_at = CURRENT_TIMESTAMP, version = version + 1
            WHERE subscription_id = :?subscriptionId AND period_index = :?periodIndex""";
    private static final String RETRY = """
            UPDATE subscriptions SET retry_attempt = :?nextAttempt, next_retry_at = :?nextRetryAt,
                last_payment_id = :?paymentId, updated_at = CURRENT_TIMESTAMP, version = version + 1""" + GUARD;
    // NOT_CHARGED: the next attempt id is due at once, i.e. when the one that was never charged was due
    private static final String RETRY_AT_ONCE = """
            UPDATE subscriptions SET retry_attempt = :?nextAttempt,
                next_retry_at = COALESCE(next_retry_at, next_billing_at),
                last_payment_id = :?paymentId, updated_at = CURRENT_TIMESTAMP, version = version + 1""" + GUARD;
    private static final String PAST_DUE = """
            UPDATE subscriptions SET state = CASE WHEN state = 'ACTIVE' THEN 'PAST_DUE' ELSE state END,
                retry_attempt = NULL, next_retry_at = NULL, last_payment_id = :?paymentId,
                updated_at = CURRENT_TIMESTAMP, version = version + 1""" + GUARD;
    private static final String SENT = """
            UPDATE subscriptions SET last_payment_id = :?paymentId, updated_at = CURRENT_TIMESTAMP, version = version + 1
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
    public record Due(Subscription subscription, java.time.LocalDate claimedPeriodDate) {
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
                r.get("claimed_period_date") == null ? null : AttemptRef.localDate(r.get("claimed_period_date")))).toList();
    }

    public int dueCount(Instant asOf) {
        return (int) Sql.longValue(sql.query(DUE_COUNT, Map.of("asOf", asOf)).get(0).get("n"));
    }

    /** The period was paid: move to the next one. False when the subscription had already moved on. */
    public boolean paid(String subscriptionId, int periodIndex, String paymentId, Instant nextBillingAt) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, 0, paymentId);
        p.put("nextBillingAt", nextBillingAt);
        return sql.update(PAID, p) == 1;
    }

    /** A declined attempt with retries left: attempt {@code nextAttempt} is due at {@code nextRetryAt}. */
    public boolean retry(String subscriptionId, int periodIndex, int attemptNo, String paymentId, int nextAttempt,
                         Instant nextRetryAt) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, attemptNo, paymentId);
        p.put("nextAttempt", nextAttempt);
        p.put("nextRetryAt", nextRetryAt);
        return sql.update(RETRY, p) == 1;
    }

    /** An attempt proven never charged (NOT_CHARGED, by a lookup by paymentId): the next attempt id is due at once. */
    public boolean retryAtOnce(String subscriptionId, int periodIndex, int attemptNo, String paymentId) {
        Map<String, Object> p = guard(subscriptionId, periodIndex, attemptNo, paymentId);
        p.put("nextAttempt", attemptNo + 1);
        return sql.update(RETRY_AT_ONCE, p) == 1;
    }

    /** The last retry was declined too. */
    public boolean pastDue(String subscriptionId, int periodIndex, int attemptNo, String paymentId) {
        return sql.update(PAST_DUE, guard(subscriptionId, periodIndex, attemptNo, paymentId)) == 1;
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
