package paybridge.billing;

import java.time.LocalDate;
import java.util.Map;

/**
 * One billing attempt as its row identifies it: the period (subscription and index, dated
 * {@code periodDate} as fixed at the period's first claim) and the attempt number within it.
 * {@code periodIndex} is null only for an attempt claimed before periods had an index whose period
 * had already been claimed under another date: it never moves a subscription.
 */
public record AttemptRef(String subscriptionId, Integer periodIndex, LocalDate periodDate, int attemptNo,
                         String paymentId) {

    /** From a {@code billing_attempts} row (payment_id, subscription_id, period_index, period_date, attempt_no). */
    static AttemptRef of(Map<String, Object> row) {
        Object index = row.get("period_index");
        return new AttemptRef((String) row.get("subscription_id"),
                index == null ? null : ((Number) index).intValue(), localDate(row.get("period_date")),
                ((Number) row.get("attempt_no")).intValue(), (String) row.get("payment_id"));
    }

    /** True when the subscription is still on this attempt's period. */
    boolean periodOf(Subscription s) {
        return periodIndex != null && periodIndex == s.periodIndex();
    }

    static LocalDate localDate(Object value) {
        if (value instanceof LocalDate d) {
            return d;
        }
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        return LocalDate.parse(String.valueOf(value));
    }
}
