package paybridge.billing;

import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.connector.DeclineClassifier;
import paybridge.canonical.BillingAttemptState;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.DeclineCategory;
import paybridge.ledger.Sql;

/**
 * What an attempt's outcome does to its subscription (CONTRACT §3):
 * <ul>
 *   <li>PAID: the period is paid; {@code nextBillingAt} moves one interval on, computed from the anchor.
 *       When another attempt of the period is already PAID, the period was charged twice: the attempt
 *       becomes PAID_DUPLICATE and the {@link DoubleChargeAlarm} goes off; the subscription stays.</li>
 *   <li>DECLINED (a SOFT decline, or one without a category): dunning. The d-th decline of a period
 *       schedules retry {@code -r<n+1>} at due + the d-th of {@code PAYBRIDGE_BILLING_RETRY_DELAYS}; when
 *       no delay is left the subscription is PAST_DUE ({@code RETRIES_EXHAUSTED}). {@code nextBillingAt}
 *       stays on the unpaid period meanwhile. After a resume the count starts again at the resumed attempt
 *       and the delays are counted from the resume.</li>
 *   <li>HARD_DECLINED (the vendor's decline table says the card can never succeed): PAST_DUE at once
 *       ({@code HARD_DECLINE}); the same key is never tried again (a resume needs another key).</li>
 *   <li>NOT_CHARGED (a lookup by paymentId proved the attempt never reached the card, or an operator who
 *       checked the vendor by hand resolved it FAILED: both conclusions, not the vendor's word): the
 *       period's next attempt id is due at once; it is not a decline and uses no dunning delay. Should the
 *       vendor's record later show it charged, the attempt pays its period (or is reported as a double
 *       charge when another attempt paid it meanwhile): {@code BillingRunService.settleChargedAfterAll}.</li>
 *   <li>PENDING / UNKNOWN: nothing changes; the reconcile route (or an operator) decides, and a later
 *       run applies the decided outcome. The period is never re-sent meanwhile (an UNKNOWN at a vendor
 *       that cannot be asked by paymentId stays UNKNOWN until its webhook or an operator settles it).</li>
 * </ul>
 * The attempt's change and the subscription's are ONE transaction: a crash between them can no longer
 * leave a decided attempt with its subscription still waiting for it (rows left so by earlier versions
 * are found by {@link BillingAttemptStore#behind} and moved by {@link #catchUp}). Every change is
 * guarded by the period and attempt it belongs to, so applying it twice is harmless.
 *
 * <p>An outcome is the one place a new kind of answer (e.g. a decline category) is added: a constant
 * here, its classification in {@link #classify}, and its move in {@link #move}.
 */
public final class DunningPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(DunningPolicy.class);

    /** An attempt's outcome as billing sees it. */
    public enum Outcome {
        PAID(BillingAttemptState.PAID), DECLINED(BillingAttemptState.DECLINED),
        HARD_DECLINED(BillingAttemptState.DECLINED), NOT_CHARGED(BillingAttemptState.NOT_CHARGED),
        PENDING(BillingAttemptState.PENDING), UNKNOWN(BillingAttemptState.UNKNOWN);

        private final BillingAttemptState attemptState;

        Outcome(BillingAttemptState attemptState) {
            this.attemptState = attemptState;
        }

        /** The state the attempt row records for this outcome ({@code billing_attempts.state}). */
        public BillingAttemptState attemptState() {
            return attemptState;
        }

        public boolean decided() {
            return this == PAID || this == DECLINED || this == HARD_DECLINED || this == NOT_CHARGED;
        }

        /** The outcome a decided attempt row records ({@code billing_attempts.state}), or null. */
        static Outcome ofAttemptState(BillingAttemptState state) {
            return ofAttemptState(state, null);
        }

        /** As above, a DECLINED row with its {@code decline_category}. */
        static Outcome ofAttemptState(BillingAttemptState state, String declineCategory) {
            return switch (state) {
                case PAID -> PAID;
                case DECLINED -> DeclineCategory.HARD.name().equals(trim(declineCategory)) ? HARD_DECLINED : DECLINED;
                case NOT_CHARGED -> NOT_CHARGED;
                default -> null;
            };
        }

        private static String trim(String s) {
            return s == null ? null : s.trim();
        }
    }

    private final BillingCalendar calendar;
    private final SubscriptionStore subscriptions;
    private final BillingAttemptStore attempts;
    private final Sql sql;
    private final DoubleChargeAlarm alarm;
    private final DeclineClassifier declines;
    private final SubscriptionEvents events;

    public DunningPolicy(BillingCalendar calendar, SubscriptionStore subscriptions, BillingAttemptStore attempts,
                         Sql sql, DoubleChargeAlarm alarm, DeclineClassifier declines, SubscriptionEvents events) {
        this.calendar = calendar;
        this.subscriptions = subscriptions;
        this.attempts = attempts;
        this.sql = sql;
        this.alarm = alarm;
        this.declines = declines;
        this.events = events;
    }

    /**
     * A payment's state and failure as a billing outcome: a decline the vendor's table says HARD is
     * HARD_DECLINED, any other decline DECLINED (dunning).
     */
    public Outcome classify(PaymentStatus status, String vendor, Failure failure) {
        Outcome outcome = classify(status, failure == null ? null : failure.code());
        if (outcome == Outcome.DECLINED && declines.categoryOf(status, vendor, failure) == DeclineCategory.HARD) {
            return Outcome.HARD_DECLINED;
        }
        return outcome;
    }

    /** A payment's state (and failure code) as a billing outcome, without decline categories. */
    public static Outcome classify(PaymentStatus status, String failureCode) {
        return switch (status) {
            case PAID, CANCELLED, PARTIALLY_REFUNDED -> Outcome.PAID; // refunded later: it was paid
            // a conclusion (reconcile's or an operator's) is no decline, and the vendor's record may overturn it
            // (so is an operator's FAILED of a charge whose order id the vendor held for another payment)
            case FAILED -> failureCode != null && DeclineClassifier.OWN_CODES.contains(failureCode)
                    ? Outcome.NOT_CHARGED : Outcome.DECLINED;
            case ABANDONED -> Outcome.DECLINED;
            case UNKNOWN -> Outcome.UNKNOWN;
            case PENDING, AWAITING_DEPOSIT -> Outcome.PENDING;
        };
    }

    /**
     * Applies an outcome to the attempt row and, when the subscription is still on the attempt's
     * period, to the subscription: one transaction.
     *
     * @param subscription the subscription as it was when the attempt was claimed, or as it is now
     */
    public void apply(Subscription subscription, AttemptRef attempt, Outcome outcome) {
        Duplicate duplicate = sql.inTransaction(() -> applyInTransaction(subscription, attempt, outcome));
        if (duplicate != null) {
            // once committed: the row is what an operator will find
            alarm.doubleCharged(attempt, duplicate.paidBy(), duplicate.attemptGone());
        }
    }

    /** This attempt turned out a double charge of the period {@code paidBy} had already paid. */
    private record Duplicate(String paidBy, boolean attemptGone) {
    }

    /** Answers the double charge when this attempt turned out one, else null. */
    private Duplicate applyInTransaction(Subscription subscription, AttemptRef attempt, Outcome outcome) {
        boolean onPeriod = attempt.periodOf(subscription);
        switch (outcome) {
            case PENDING, UNKNOWN -> {
                attempts.markOpen(attempt.paymentId(), outcome.attemptState());
                if (onPeriod) {
                    subscriptions.sent(attempt.subscriptionId(), attempt.paymentId());
                }
            }
            case PAID -> {
                if (!attempts.settlePaid(attempt.paymentId())) {
                    // already PAID (applied twice), or another attempt of the period is PAID
                    String other = attempts.paidOfPeriod(attempt);
                    if (other != null) {
                        // the period was paid (and the subscription moved) by the other attempt. This attempt's
                        // row may be gone (released as not attempted while a paused node was still to send it):
                        // the money is taken twice all the same
                        if (attempts.markDuplicate(attempt.paymentId(), other)) {
                            return new Duplicate(other, false);
                        }
                        return attempts.find(attempt.paymentId()) == null ? new Duplicate(other, true) : null;
                    }
                    if (!attempts.paidOrGone(attempt.paymentId())) {
                        // decided otherwise (a decline its payment's record now contradicts): this answer does not
                        // pay the period, and nothing may be left to say it was charged but this line
                        LOG.error("billing: paymentId={} of subscriptionId={} period {} is PAID but its attempt was "
                                + "decided {}: the period may have been charged again since; check it at the vendor",
                                attempt.paymentId(), attempt.subscriptionId(), attempt.periodIndex(),
                                attempts.find(attempt.paymentId()).get("state"));
                        return null;
                    }
                }
                if (onPeriod) {
                    move(subscription, attempt, outcome);
                }
            }
            case DECLINED, HARD_DECLINED, NOT_CHARGED -> {
                // a decline's category as dunning treats it: HARD, or SOFT (also for one without a category)
                String category = outcome == Outcome.HARD_DECLINED ? DeclineCategory.HARD.name()
                        : outcome == Outcome.DECLINED ? DeclineCategory.SOFT.name() : null;
                attempts.settle(attempt.paymentId(), outcome.attemptState(), category);
                if (onPeriod) {
                    move(subscription, attempt, outcome);
                }
            }
            default -> throw new IllegalStateException("Unhandled outcome " + outcome);
        }
        return null;
    }

    /**
     * A decided attempt whose subscription did not move (left by a crash between two statements before
     * they were one transaction): applies the move now, the attempt row is already decided.
     */
    public void catchUp(Subscription subscription, AttemptRef attempt, Outcome outcome) {
        if (!outcome.decided() || !attempt.periodOf(subscription)) {
            return;
        }
        sql.inTransaction(() -> move(subscription, attempt, outcome));
    }

    /** The subscription's move for a decided outcome of an attempt of its current period. */
    private void move(Subscription s, AttemptRef a, Outcome outcome) {
        String id = s.subscriptionId();
        int period = a.periodIndex();
        switch (outcome) {
            case PAID -> {
                if (subscriptions.paid(id, period, a.paymentId(), periodDue(s, period + 1)) == SubscriptionStore.Moved.FROM_PAST_DUE) {
                    // its period was paid after all (a conclusion the vendor's record overturned)
                    events.stateChanged(id, SubscriptionEvents.Change.RESUMED);
                }
            }
            case NOT_CHARGED -> subscriptions.retryAtOnce(id, period, a.attemptNo(), a.paymentId());
            case HARD_DECLINED -> {
                if (keyChangedSince(id, a)) {
                    // the card declined is no longer the subscription's (a PATCH gave it another key since the
                    // attempt was claimed): no reason to give up on the period, dunning goes on with the new key
                    move(s, a, Outcome.DECLINED);
                } else {
                    pastDue(id, period, a, Subscription.HARD_DECLINE, "declined HARD: the same card can never succeed");
                }
            }
            case DECLINED -> {
                // after a resume, declines count from the resumed attempt and delays from the resume
                int declined = attempts.declines(id, period, s.dunningBaseAttempt());
                if (declined > calendar.retries()) {
                    pastDue(id, period, a, Subscription.RETRIES_EXHAUSTED, "last retry declined");
                } else {
                    Instant from = s.retryFrom() != null ? s.retryFrom() : periodDue(s, period);
                    subscriptions.retry(id, period, a.attemptNo(), a.paymentId(), a.attemptNo() + 1,
                            calendar.retryAt(from, declined));
                }
            }
            default -> throw new IllegalStateException("Not a decided outcome: " + outcome);
        }
    }

    /**
     * Whether the subscription's key is another than the one the attempt was charged on; the subscription's
     * row held until the outcome's transaction ends, as a PATCH holds it while it changes the key.
     */
    private boolean keyChangedSince(String subscriptionId, AttemptRef a) {
        Subscription now = subscriptions.lock(subscriptionId).orElse(null);
        if (now == null) {
            return false;
        }
        // the terms it was charged with (an attempt claimed before terms were copied: the subscription's)
        AttemptTerms charged = AttemptTerms.of(attempts.find(a.paymentId()), now);
        return !(now.vendor().equals(charged.vendor()) && now.billingKey().equals(charged.billingKey()));
    }

    private void pastDue(String id, int period, AttemptRef a, String reason, String why) {
        if (subscriptions.pastDue(id, period, a.attemptNo(), a.paymentId(), reason)) {
            LOG.info("billing subscriptionId={} paymentId={}: {}, PAST_DUE ({})", id, a.paymentId(), why, reason);
            events.stateChanged(id, SubscriptionEvents.Change.PAST_DUE);
        }
    }

    private Instant periodDue(Subscription s, int index) {
        return calendar.due(s.anchorAt(), BillingCalendar.interval(s.interval()), index);
    }
}
