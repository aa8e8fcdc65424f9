package paybridge.billing;

import java.time.Instant;
import java.time.LocalDate;

import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;

/**
 * One attempt due in a run: the subscription's current period ({@code periodIndex}, due at
 * {@code periodDue}, dated {@code periodDate}) and the attempt number (0 = {@code <subscriptionId>-<yyyyMMdd>},
 * n = {@code -r<n>}). The date is the one the period's first claim fixed; only a period not claimed yet
 * takes its due date in the billing zone of now, so a changed zone never gives one period two ids.
 */
public record DueItem(Subscription subscription, int periodIndex, Instant periodDue, LocalDate periodDate,
                      int attemptNo, String paymentId) {

    public static DueItem of(Subscription s, BillingCalendar calendar) {
        return of(s, null, calendar);
    }

    /** @param claimedPeriodDate the date the period's id was fixed with at its first claim, or null */
    public static DueItem of(Subscription s, LocalDate claimedPeriodDate, BillingCalendar calendar) {
        LocalDate date = claimedPeriodDate != null ? claimedPeriodDate : calendar.periodDate(s.nextBillingAt());
        int attemptNo = s.nextAttemptNo();
        return new DueItem(s, s.periodIndex(), s.nextBillingAt(), date, attemptNo,
                BillingCalendar.attemptId(s.subscriptionId(), date, attemptNo));
    }

    public AttemptRef ref() {
        return new AttemptRef(subscriptionId(), periodIndex, periodDate, attemptNo, paymentId);
    }

    public String subscriptionId() {
        return subscription.subscriptionId();
    }

    /** The charge: a BILLING_KEY payment on the subscription's key, with the attempt id as paymentId. */
    public PaymentCommand command() {
        Subscription s = subscription;
        return new PaymentCommand(paymentId, s.vendor(), PaymentMethod.BILLING_KEY, s.amount(), s.currency(),
                s.orderName(), 1, s.customer(), null, false, s.billingKey(), s.subscriptionId());
    }
}
