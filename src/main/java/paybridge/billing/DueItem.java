package paybridge.billing;

import java.time.Instant;
import java.time.LocalDate;

import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;

/**
 * One attempt due in a run: the subscription's current period ({@code periodIndex}, due at
 * {@code periodDue}, dated {@code periodDate} in the billing zone) and the attempt number
 * (0 = {@code <subscriptionId>-<yyyyMMdd>}, n = {@code -r<n>}).
 */
public record DueItem(Subscription subscription, int periodIndex, Instant periodDue, LocalDate periodDate,
                      int attemptNo, String paymentId) {

    public static DueItem of(Subscription s, BillingCalendar calendar) {
        LocalDate date = calendar.periodDate(s.nextBillingAt());
        int attemptNo = s.nextAttemptNo();
        return new DueItem(s, s.periodIndex(), s.nextBillingAt(), date, attemptNo,
                BillingCalendar.attemptId(s.subscriptionId(), date, attemptNo));
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
