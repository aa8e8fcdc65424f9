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
 * {@code terms}: what the attempt charges, set once it is claimed (the terms its row was claimed with);
 * before, the subscription's terms as read.
 */
public record DueItem(Subscription subscription, int periodIndex, Instant periodDue, LocalDate periodDate,
                      int attemptNo, String paymentId, AttemptTerms terms) {

    public static DueItem of(Subscription s, BillingCalendar calendar) {
        return of(s, null, null, calendar);
    }

    /**
     * @param claimedPeriodDate the date the period's id was fixed with at its first claim, or null
     * @param lastPeriodDate    the latest date an earlier period's id got, or null: a new period's date is
     *                          its due date in the billing zone, but always after that one (a changed zone
     *                          must not give two periods one id: the second would never be claimed)
     */
    public static DueItem of(Subscription s, LocalDate claimedPeriodDate, LocalDate lastPeriodDate, BillingCalendar calendar) {
        LocalDate date = claimedPeriodDate;
        if (date == null) {
            date = calendar.periodDate(s.nextBillingAt());
            if (lastPeriodDate != null && !date.isAfter(lastPeriodDate)) {
                date = lastPeriodDate.plusDays(1);
            }
        }
        int attemptNo = s.nextAttemptNo();
        return new DueItem(s, s.periodIndex(), s.nextBillingAt(), date, attemptNo,
                BillingCalendar.attemptId(s.subscriptionId(), date, attemptNo), null);
    }

    /** This attempt charged with the terms it was claimed with. */
    public DueItem withTerms(AttemptTerms claimed) {
        return new DueItem(subscription, periodIndex, periodDue, periodDate, attemptNo, paymentId, claimed);
    }

    public AttemptRef ref() {
        return new AttemptRef(subscriptionId(), periodIndex, periodDate, attemptNo, paymentId);
    }

    public String subscriptionId() {
        return subscription.subscriptionId();
    }

    /** A dunning retry ({@code -r<n>}), not the period's first attempt. */
    public boolean retry() {
        return attemptNo > 0;
    }

    /** What this attempt charges: the claimed terms, or (not claimed yet) the subscription's as read. */
    public AttemptTerms effectiveTerms() {
        return terms != null ? terms : AttemptTerms.of(subscription);
    }

    /** The charge: a BILLING_KEY payment on the attempt's key, with the attempt id as paymentId. */
    public PaymentCommand command() {
        AttemptTerms t = effectiveTerms();
        return new PaymentCommand(paymentId, t.vendor(), PaymentMethod.BILLING_KEY, t.amount(), t.currency(),
                t.orderName(), 1, t.customer(), null, false, t.billingKey(), subscription.subscriptionId());
    }
}
