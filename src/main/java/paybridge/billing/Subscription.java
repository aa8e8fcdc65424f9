package paybridge.billing;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;

import paybridge.canonical.Customer;
import paybridge.ledger.Sql;

/**
 * A row of {@code subscriptions}. {@code periodIndex} is the unpaid period the subscription is on
 * (0 = the anchor) and {@code nextBillingAt} its due time; {@code retryAttempt}/{@code nextRetryAt}
 * are set while that period is in dunning (the n of the next {@code -r<n>} attempt and when it is due).
 * {@code retryBaseAttempt}/{@code retryFrom}: set by a resume, the dunning schedule counts declines from
 * that attempt and retry times from that instant (null: from attempt 0 and the period's due date).
 * {@code pastDue*}: why and since when the subscription is PAST_DUE, and the attempt that made it so.
 */
public record Subscription(
        String subscriptionId,
        String requestHash,
        String vendor,
        String billingKey,
        Customer customer,
        String orderName,
        long amount,
        String currency,
        String interval,
        OffsetDateTime anchorAt,
        int periodIndex,
        Instant nextBillingAt,
        String state,
        String lastPaymentId,
        Integer retryAttempt,
        Instant nextRetryAt,
        Instant createdAt,
        Instant updatedAt,
        Integer retryBaseAttempt,
        Instant retryFrom,
        Instant pastDueSince,
        String pastDueReason,
        String pastDuePaymentId) {

    public static final String RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED";
    public static final String HARD_DECLINE = "HARD_DECLINE";

    /** A subscription outside dunning and not PAST_DUE (as created). */
    public Subscription(String subscriptionId, String requestHash, String vendor, String billingKey, Customer customer,
                        String orderName, long amount, String currency, String interval, OffsetDateTime anchorAt,
                        int periodIndex, Instant nextBillingAt, String state, String lastPaymentId, Integer retryAttempt,
                        Instant nextRetryAt, Instant createdAt, Instant updatedAt) {
        this(subscriptionId, requestHash, vendor, billingKey, customer, orderName, amount, currency, interval, anchorAt,
                periodIndex, nextBillingAt, state, lastPaymentId, retryAttempt, nextRetryAt, createdAt, updatedAt,
                null, null, null, null, null);
    }

    static Subscription of(Map<String, Object> r) {
        return new Subscription((String) r.get("subscription_id"), (String) r.get("request_hash"),
                (String) r.get("vendor"), (String) r.get("billing_key"),
                new Customer((String) r.get("customer_id"), (String) r.get("customer_name"),
                        (String) r.get("customer_phone"), (String) r.get("customer_email")),
                (String) r.get("order_name"), Sql.longValue(r.get("amount")), trim(r.get("currency")),
                (String) r.get("billing_interval"), OffsetDateTime.parse((String) r.get("anchor_at")),
                ((Number) r.get("period_index")).intValue(), Sql.instant(r.get("next_billing_at")),
                (String) r.get("state"), (String) r.get("last_payment_id"),
                r.get("retry_attempt") == null ? null : ((Number) r.get("retry_attempt")).intValue(),
                Sql.instant(r.get("next_retry_at")), Sql.instant(r.get("created_at")), Sql.instant(r.get("updated_at")),
                r.get("retry_base_attempt") == null ? null : ((Number) r.get("retry_base_attempt")).intValue(),
                Sql.instant(r.get("retry_from")), Sql.instant(r.get("past_due_since")),
                trim(r.get("past_due_reason")), (String) r.get("past_due_payment_id"));
    }

    /** The same subscription with other terms (what a PATCH may change). */
    public Subscription withTerms(String vendor, String billingKey, Customer customer, String orderName, long amount) {
        return new Subscription(subscriptionId, requestHash, vendor, billingKey, customer, orderName, amount, currency,
                interval, anchorAt, periodIndex, nextBillingAt, state, lastPaymentId, retryAttempt, nextRetryAt, createdAt,
                updatedAt, retryBaseAttempt, retryFrom, pastDueSince, pastDueReason, pastDuePaymentId);
    }

    /** Whether the terms a PATCH may change are the same in both. */
    public boolean sameTerms(Subscription other) {
        return java.util.Objects.equals(vendor, other.vendor) && java.util.Objects.equals(billingKey, other.billingKey)
                && java.util.Objects.equals(customer, other.customer) && java.util.Objects.equals(orderName, other.orderName)
                && amount == other.amount;
    }

    /** The first attempt of the current period the dunning schedule counts declines from. */
    public int dunningBaseAttempt() {
        return retryBaseAttempt == null ? 0 : retryBaseAttempt;
    }

    /** The number of the attempt due next for the current period: 0 for the period's own id, n for {@code -r<n>}. */
    public int nextAttemptNo() {
        return retryAttempt == null ? 0 : retryAttempt;
    }

    /** When the next attempt is due: the period's due time, or its retry time while in dunning. */
    public Instant nextAttemptAt() {
        return retryAttempt == null ? nextBillingAt : nextRetryAt;
    }

    private static String trim(Object value) {
        return value == null ? null : value.toString().trim();
    }
}
