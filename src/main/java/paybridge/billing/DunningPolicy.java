package paybridge.billing;

import java.time.Instant;
import java.time.LocalDate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.PaymentStatus;
import paybridge.payments.ReconcileService;

/**
 * What an attempt's outcome does to its subscription (CONTRACT §3):
 * <ul>
 *   <li>PAID: the period is paid; {@code nextBillingAt} moves one interval on, computed from the anchor.</li>
 *   <li>DECLINED: dunning. The d-th decline of a period schedules retry {@code -r<n+1>} at
 *       due + the d-th of {@code PAYBRIDGE_BILLING_RETRY_DELAYS}; when no delay is left the
 *       subscription is PAST_DUE. {@code nextBillingAt} stays on the unpaid period meanwhile.</li>
 *   <li>NOT_CHARGED (iamport's lookup proved the attempt never reached the card): the period's next
 *       attempt id is due at once; it is not a decline and uses no dunning delay.</li>
 *   <li>PENDING / UNKNOWN: nothing changes; the reconcile route (or an operator) decides, and a later
 *       run applies the decided outcome. The period is never re-sent meanwhile.</li>
 * </ul>
 * Every change is guarded by the period and attempt it belongs to, so applying it twice is harmless.
 */
public final class DunningPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(DunningPolicy.class);

    /** An attempt's outcome as billing sees it. */
    public enum Outcome {
        PAID, DECLINED, NOT_CHARGED, PENDING, UNKNOWN;

        public boolean decided() {
            return this == PAID || this == DECLINED || this == NOT_CHARGED;
        }
    }

    private final BillingCalendar calendar;
    private final SubscriptionStore subscriptions;
    private final BillingAttemptStore attempts;

    public DunningPolicy(BillingCalendar calendar, SubscriptionStore subscriptions, BillingAttemptStore attempts) {
        this.calendar = calendar;
        this.subscriptions = subscriptions;
        this.attempts = attempts;
    }

    /** A payment's state (and failure code) as a billing outcome. */
    public static Outcome classify(PaymentStatus status, String failureCode) {
        return switch (status) {
            case PAID, CANCELLED, PARTIALLY_REFUNDED -> Outcome.PAID; // refunded later: it was paid
            case FAILED -> ReconcileService.NOT_CHARGED.equals(failureCode) ? Outcome.NOT_CHARGED : Outcome.DECLINED;
            case ABANDONED -> Outcome.DECLINED;
            case UNKNOWN -> Outcome.UNKNOWN;
            case PENDING, AWAITING_DEPOSIT -> Outcome.PENDING;
        };
    }

    /**
     * Applies an outcome to the attempt row and, for a decided one, to the subscription.
     *
     * @param subscription the subscription as it was when the attempt was claimed (its current period)
     */
    public void apply(Subscription subscription, LocalDate periodDate, int attemptNo, String paymentId, Outcome outcome) {
        String id = subscription.subscriptionId();
        int period = subscription.periodIndex();
        switch (outcome) {
            case PENDING, UNKNOWN -> {
                attempts.markOpen(paymentId, outcome.name());
                subscriptions.sent(id, paymentId);
            }
            case PAID -> {
                attempts.settle(paymentId, "PAID", periodDate);
                Instant next = calendar.due(subscription.anchorAt(), BillingCalendar.interval(subscription.interval()),
                        period + 1);
                subscriptions.paid(id, period, attemptNo, paymentId, next);
            }
            case NOT_CHARGED -> {
                attempts.settle(paymentId, "NOT_CHARGED", periodDate);
                subscriptions.retryAtOnce(id, period, attemptNo, paymentId);
            }
            case DECLINED -> {
                attempts.settle(paymentId, "DECLINED", periodDate);
                int declines = attempts.declines(id, periodDate);
                if (declines > calendar.retries()) {
                    if (subscriptions.pastDue(id, period, attemptNo, paymentId)) {
                        LOG.info("billing subscriptionId={} paymentId={}: last retry declined, PAST_DUE", id, paymentId);
                    }
                } else {
                    subscriptions.retry(id, period, attemptNo, paymentId, attemptNo + 1,
                            calendar.retryAt(subscription.nextBillingAt(), declines));
                }
            }
            default -> throw new IllegalStateException("Unhandled outcome " + outcome);
        }
    }
}
