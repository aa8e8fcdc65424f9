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
        Instant updatedAt) {

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
                Sql.instant(r.get("next_retry_at")), Sql.instant(r.get("created_at")), Sql.instant(r.get("updated_at")));
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
