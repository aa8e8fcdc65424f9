package paybridge.canonical;

import static paybridge.canonical.PaymentStates.Fact.ANSWER_LOST;
import static paybridge.canonical.PaymentStates.Fact.ATTEMPT_RECORDED;
import static paybridge.canonical.PaymentStates.Fact.DEPOSIT_RECEIVED;
import static paybridge.canonical.PaymentStates.Fact.NOT_ATTEMPTED;
import static paybridge.canonical.PaymentStates.Fact.NOT_CHARGED_PROVEN;
import static paybridge.canonical.PaymentStates.Fact.OPERATOR_RESOLVED_FAILED;
import static paybridge.canonical.PaymentStates.Fact.OPERATOR_RESOLVED_PAID;
import static paybridge.canonical.PaymentStates.Fact.OVERTURNED_BY_VENDOR_RECORD;
import static paybridge.canonical.PaymentStates.Fact.REFUNDED_IN_FULL;
import static paybridge.canonical.PaymentStates.Fact.REFUNDED_IN_PART;
import static paybridge.canonical.PaymentStates.Fact.RESEND_NOT_ATTEMPTED;
import static paybridge.canonical.PaymentStates.Fact.RESENT_AFTER_NOT_CHARGED;
import static paybridge.canonical.PaymentStates.Fact.RETURNED_IN_FULL;
import static paybridge.canonical.PaymentStates.Fact.RETURNED_IN_PART;
import static paybridge.canonical.PaymentStates.Fact.VENDOR_ABANDONED;
import static paybridge.canonical.PaymentStates.Fact.VENDOR_AWAITING_DEPOSIT;
import static paybridge.canonical.PaymentStates.Fact.VENDOR_DECLINED;
import static paybridge.canonical.PaymentStates.Fact.VENDOR_PAID;
import static paybridge.canonical.PaymentStates.Fact.VENDOR_PENDING;
import static paybridge.canonical.PaymentStates.Write.CHANGE_DECIDED;
import static paybridge.canonical.PaymentStates.Write.CONCLUDE_NOT_CHARGED;
import static paybridge.canonical.PaymentStates.Write.FORGET_NOT_ATTEMPTED;
import static paybridge.canonical.PaymentStates.Write.INSERT_ATTEMPT;
import static paybridge.canonical.PaymentStates.Write.INSERT_EXTERNAL;
import static paybridge.canonical.PaymentStates.Write.LEDGER_ONLY;
import static paybridge.canonical.PaymentStates.Write.OVERTURN_TO_PAID;
import static paybridge.canonical.PaymentStates.Write.REOPEN_NOT_CHARGED;
import static paybridge.canonical.PaymentStates.Write.RESTORE_NOT_CHARGED;
import static paybridge.canonical.PaymentStates.Write.SETTLE_OPEN;
import static paybridge.canonical.PaymentStates.Write.SETTLE_OPEN_LANDED;
import static paybridge.canonical.PaymentStatus.ABANDONED;
import static paybridge.canonical.PaymentStatus.AWAITING_DEPOSIT;
import static paybridge.canonical.PaymentStatus.CANCELLED;
import static paybridge.canonical.PaymentStatus.FAILED;
import static paybridge.canonical.PaymentStatus.PAID;
import static paybridge.canonical.PaymentStatus.PARTIALLY_REFUNDED;
import static paybridge.canonical.PaymentStatus.PENDING;
import static paybridge.canonical.PaymentStatus.UNKNOWN;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The payment state machine as one table: every state a {@code payments} row may be moved to, from
 * which state, on which fact, with which ledger entry and which outgoing event (CONTRACT §8). The
 * charge, reconcile, webhook, operator and billing paths look their move up here before they write,
 * and each store statement that changes {@code payments.status} is named by the rows it carries out
 * ({@link Write}); {@code PaymentStatesTest} reads those statements' SQL and checks that their
 * {@code WHERE status ...} and {@code SET status = ...} are exactly these rows.
 *
 * <p>Stored states: PENDING, UNKNOWN (open: nothing is in the ledger for them), PAID, AWAITING_DEPOSIT,
 * FAILED, ABANDONED. CANCELLED and PARTIALLY_REFUNDED are never stored: they are what a PAID payment
 * shows once the ledger holds returns ({@link #shown}). A FAILED row carries a failure code; two of
 * them are paybridge's conclusions, not the vendor's word ({@link #NOT_CHARGED}, {@link #OPERATOR}),
 * and the vendor's record wins over them ({@link Fact#OVERTURNED_BY_VENDOR_RECORD}).
 *
 * <p>A transition is looked up by the state the path read and the fact it learnt ({@link #require},
 * {@link #find}); the store's statement then moves the row only if it is still in one of the row's
 * from-states, so a writer that lost a race changes nothing (update count 0). README "Payment states"
 * shows this table.
 */
public final class PaymentStates {
    /** Failure code of a payment concluded never charged (reconcile: the vendor has no such payment). */
    public static final String NOT_CHARGED = "NOT_CHARGED";
    /** Failure code of a payment an operator resolved FAILED. */
    public static final String OPERATOR = "OPERATOR";
    /**
     * Failure code of a payment left UNKNOWN because the vendor answered its first ask that the order id is
     * in use: the payment under it is this one only if paybridge lost its record of an earlier send (a
     * crash's last commits, a restore), else another system's. Neither reconcile nor a webhook takes the
     * vendor's record for it: an operator decides (resolve).
     */
    public static final String ORDER_ID_IN_USE = "ORDER_ID_IN_USE";
    /**
     * Failure code of a charge left UNKNOWN because the vendor answered that it is still processing it (a
     * re-ask under the same idempotency key while the first runs; each connector maps its own code): in flight at
     * that moment, so its horizon
     * ({@code in_flight_until}) is counted again from when the answer is recorded, on the database's clock,
     * and "never charged" waits for that.
     */
    public static final String STILL_PROCESSING = "VENDOR_STILL_PROCESSING";

    /** What paybridge learnt about a payment. */
    public enum Fact {
        /** A charge is recorded before any vendor call (the API, a billing run's attempt). */
        ATTEMPT_RECORDED,
        /**
         * The vendor certainly did not process the charge (connection refused, credentials refused, no
         * token): the attempt is forgotten and its paymentId may be sent again. Only an attempt without
         * ledger entries: a reopened one is {@link #RESEND_NOT_ATTEMPTED}.
         */
        NOT_ATTEMPTED,
        /** The vendor answered that the payment is not finished yet (Steppay until its webhook). */
        VENDOR_PENDING,
        /**
         * The vendor's answer was lost (timeout, connection lost or 5xx after sending), or a reopened
         * attempt's re-send was refused (the refusal may answer the first send: it proves nothing).
         */
        ANSWER_LOST,
        /**
         * The vendor's answer or looked-up record shows the payment paid. From no row: a payment
         * paybridge did not start, learnt from its webhook (a Steppay first payment).
         */
        VENDOR_PAID,
        /** The vendor issued a virtual account: the customer's deposit is awaited. */
        VENDOR_AWAITING_DEPOSIT,
        /** The vendor declined the payment, or its record shows it failed. */
        VENDOR_DECLINED,
        /** The customer closed the payment window. */
        VENDOR_ABANDONED,
        /**
         * Past the in-flight horizon the vendor has no payment under the paymentId (iamport's 404):
         * "never charged", a conclusion.
         */
        NOT_CHARGED_PROVEN,
        /** An operator checked the vendor by hand and resolves a stuck payment PAID. */
        OPERATOR_RESOLVED_PAID,
        /** An operator checked the vendor by hand and resolves a stuck payment FAILED: a conclusion. */
        OPERATOR_RESOLVED_FAILED,
        /**
         * The vendor's record (a late answer, a lookup, a webhook) shows charged a payment that was
         * concluded FAILED without the vendor saying so: the record wins, an alert is raised.
         */
        OVERTURNED_BY_VENDOR_RECORD,
        /** The caller sends a NOT_CHARGED paymentId again (API only: billing moves on to the next attempt id). */
        RESENT_AFTER_NOT_CHARGED,
        /**
         * That re-send certainly did not reach the vendor: the conclusion holds again (the PENDING
         * attempt still has the conclusion's ledger entry, which it keeps; no new entry, no new event).
         */
        RESEND_NOT_ATTEMPTED,
        /** The vendor's record shows the awaited deposit paid. */
        DEPOSIT_RECEIVED,
        /** A refund through {@code /api/refunds} returned part of what was paid. */
        REFUNDED_IN_PART,
        /** A refund through {@code /api/refunds} returned the rest of what was paid. */
        REFUNDED_IN_FULL,
        /** The vendor's record shows part of the payment returned (a cancel in its console). */
        RETURNED_IN_PART,
        /** The vendor's record shows all of the payment returned. */
        RETURNED_IN_FULL
    }

    /**
     * The store statement that carries out a row (PaymentStore, ExternalPayments: each names its SQL
     * by these in {@code STATE_CHANGES}); the store method refuses a row of another statement.
     */
    public enum Write {
        INSERT_ATTEMPT, FORGET_NOT_ATTEMPTED, SETTLE_OPEN, SETTLE_OPEN_LANDED, CONCLUDE_NOT_CHARGED, OVERTURN_TO_PAID,
        REOPEN_NOT_CHARGED, RESTORE_NOT_CHARGED, CHANGE_DECIDED, INSERT_EXTERNAL,
        /** No statement: the stored state stays PAID, the fact is its ledger entry (money returned). */
        LEDGER_ONLY
    }

    /**
     * One allowed transition.
     *
     * @param from             the stored states it leaves; empty: there is no row yet
     * @param fromFailureCodes when not empty, it leaves a FAILED row only with one of these failure codes
     * @param fact             what was learnt
     * @param to               the stored state it reaches; null: the row is deleted (the paymentId is free again)
     * @param failureCode      the failure code paybridge writes with it (a conclusion); null when none, or
     *                         the vendor's own
     * @param ledgerEntry      the ledger entry appended with it (in the same transaction); null when none
     * @param event            the outgoing event type (CONTRACT §8) it causes; null when none
     * @param shownAs          the status a caller reads afterwards ({@code PaymentResult.status})
     * @param write            the store statement that carries it out
     */
    public record Transition(Set<PaymentStatus> from, Set<String> fromFailureCodes, Fact fact, PaymentStatus to,
                             String failureCode, EventType ledgerEntry, String event, PaymentStatus shownAs,
                             Write write) {

        /** Whether this transition may leave a row in {@code status} with {@code failureCode} (null from: no row). */
        public boolean leaves(PaymentStatus status, String failureCode) {
            if (status == null) {
                return from.isEmpty();
            }
            return from.contains(status) && (fromFailureCodes.isEmpty() || fromFailureCodes.contains(failureCode));
        }

        /** This row, when {@code statement} carries it out; else {@link IllegalTransitionException}. */
        public Transition requireWrite(Write statement) {
            if (write != statement) {
                throw new IllegalTransitionException(this + " is carried out by " + write + ", not " + statement);
            }
            return this;
        }

        /**
         * The signed ledger amount of its entry for a payment of {@code amount}: + for PAID, 0 otherwise
         * (a return's amount is the return's, not the payment's).
         */
        public long ledgerAmount(long amount) {
            return ledgerEntry == EventType.PAID ? amount : 0;
        }

        @Override
        public String toString() {
            return (from.isEmpty() ? "(none)" : from) + (fromFailureCodes.isEmpty() ? "" : " " + fromFailureCodes)
                    + " --" + fact + "--> " + (to == null ? "(forgotten)" : to);
        }
    }

    private static final Set<PaymentStatus> NEW = Set.of();
    private static final Set<PaymentStatus> OPEN = states(PENDING, UNKNOWN);

    private static final List<Transition> TABLE = List.of(
            // an attempt is recorded before the vendor hears of it, and forgotten when the vendor certainly never did
            from(NEW).on(ATTEMPT_RECORDED).to(PENDING).by(INSERT_ATTEMPT),
            from(PENDING).on(NOT_ATTEMPTED).forgotten().by(FORGET_NOT_ATTEMPTED),
            // the vendor's answer (charge) or record (reconcile, webhook) settles an open attempt
            from(OPEN).on(VENDOR_PENDING).to(PENDING).by(SETTLE_OPEN),
            from(OPEN).on(ANSWER_LOST).to(UNKNOWN).event("payment.unknown").by(SETTLE_OPEN),
            from(OPEN).on(VENDOR_PAID).to(PAID).entry(EventType.PAID).event("payment.paid").by(SETTLE_OPEN),
            from(OPEN).on(VENDOR_AWAITING_DEPOSIT).to(AWAITING_DEPOSIT).entry(EventType.AWAITING_DEPOSIT)
                    .event("payment.awaiting_deposit").by(SETTLE_OPEN),
            from(OPEN).on(VENDOR_DECLINED).to(FAILED).entry(EventType.FAILED).event("payment.failed").by(SETTLE_OPEN),
            from(OPEN).on(VENDOR_ABANDONED).to(ABANDONED).entry(EventType.ABANDONED)
                    .event("payment.abandoned").by(SETTLE_OPEN),
            // conclusions drawn without the vendor's word, only once the charge can no longer be in flight
            from(OPEN).on(NOT_CHARGED_PROVEN).to(FAILED).failureCode(NOT_CHARGED).entry(EventType.FAILED)
                    .event("payment.failed").by(CONCLUDE_NOT_CHARGED),
            from(OPEN).on(OPERATOR_RESOLVED_PAID).to(PAID).entry(EventType.PAID).event("payment.paid")
                    .by(SETTLE_OPEN_LANDED),
            from(OPEN).on(OPERATOR_RESOLVED_FAILED).to(FAILED).failureCode(OPERATOR).entry(EventType.FAILED)
                    .event("payment.failed").by(SETTLE_OPEN_LANDED),
            // the vendor's record wins over a conclusion
            from(FAILED).withFailure(NOT_CHARGED, OPERATOR).on(OVERTURNED_BY_VENDOR_RECORD)
                    .to(PAID).entry(EventType.PAID).event("payment.paid").by(OVERTURN_TO_PAID),
            // a NOT_CHARGED paymentId sent again: open again, or (not attempted) the conclusion again, its entry kept
            from(FAILED).withFailure(NOT_CHARGED).on(RESENT_AFTER_NOT_CHARGED).to(PENDING).by(REOPEN_NOT_CHARGED),
            from(PENDING).on(RESEND_NOT_ATTEMPTED).to(FAILED).failureCode(NOT_CHARGED).by(RESTORE_NOT_CHARGED),
            // a virtual account: the vendor's record (webhook) shows the deposit, or the account's end
            from(AWAITING_DEPOSIT).on(DEPOSIT_RECEIVED).to(PAID).entry(EventType.PAID)
                    .event("payment.paid").by(CHANGE_DECIDED),
            from(AWAITING_DEPOSIT).on(VENDOR_DECLINED).to(FAILED).entry(EventType.FAILED)
                    .event("payment.failed").by(CHANGE_DECIDED),
            from(AWAITING_DEPOSIT).on(VENDOR_ABANDONED).to(ABANDONED)
                    .entry(EventType.ABANDONED).event("payment.abandoned").by(CHANGE_DECIDED),
            // a payment paybridge did not start, learnt from its webhook: recorded as the vendor's record shows it
            from(NEW).on(VENDOR_PAID).to(PAID).entry(EventType.PAID).event("payment.paid").by(INSERT_EXTERNAL),
            from(NEW).on(VENDOR_AWAITING_DEPOSIT).to(AWAITING_DEPOSIT).entry(EventType.AWAITING_DEPOSIT)
                    .event("payment.awaiting_deposit").by(INSERT_EXTERNAL),
            from(NEW).on(VENDOR_DECLINED).to(FAILED).entry(EventType.FAILED).event("payment.failed")
                    .by(INSERT_EXTERNAL),
            from(NEW).on(VENDOR_ABANDONED).to(ABANDONED).entry(EventType.ABANDONED)
                    .event("payment.abandoned").by(INSERT_EXTERNAL),
            // money returned: the stored state stays PAID, the ledger's returns make it read otherwise
            from(PAID).on(REFUNDED_IN_PART).to(PAID).entry(EventType.REFUNDED)
                    .event("payment.partially_refunded").shownAs(PARTIALLY_REFUNDED).by(LEDGER_ONLY),
            from(PAID).on(REFUNDED_IN_FULL).to(PAID).entry(EventType.REFUNDED)
                    .event("payment.cancelled").shownAs(CANCELLED).by(LEDGER_ONLY),
            from(PAID).on(RETURNED_IN_PART).to(PAID).entry(EventType.PARTIALLY_REFUNDED)
                    .event("payment.partially_refunded").shownAs(PARTIALLY_REFUNDED).by(LEDGER_ONLY),
            from(PAID).on(RETURNED_IN_FULL).to(PAID).entry(EventType.CANCELLED)
                    .event("payment.cancelled").shownAs(CANCELLED).by(LEDGER_ONLY));

    private PaymentStates() {
    }

    /** Every row, in the table's order. */
    public static List<Transition> rows() {
        return TABLE;
    }

    /**
     * The transition for {@code fact} from a row read in state {@code from} (null: there is no row),
     * or empty when the table has none: the fact does not move such a payment. The failure code
     * qualifier of a FAILED row is not looked at here: see {@link #allows}.
     */
    public static Optional<Transition> find(PaymentStatus from, Fact fact) {
        for (Transition t : TABLE) {
            if (t.fact() == fact && (from == null ? t.from().isEmpty() : t.from().contains(from))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** As {@link #find}, but a fact that may not move such a payment is an {@link IllegalTransitionException}. */
    public static Transition require(PaymentStatus from, Fact fact) {
        return find(from, fact).orElseThrow(() -> new IllegalTransitionException("no payment transition from "
                + (from == null ? "(none)" : from) + " on " + fact + " (PaymentStates)"));
    }

    /** The one transition of a fact that has exactly one row (e.g. NOT_CHARGED_PROVEN). */
    public static Transition only(Fact fact) {
        List<Transition> rows = TABLE.stream().filter(t -> t.fact() == fact).toList();
        if (rows.size() != 1) {
            throw new IllegalTransitionException(fact + " has " + rows.size()
                    + " transitions; look it up by its from-state");
        }
        return rows.get(0);
    }

    /** Whether {@code fact} may move a row in {@code status} with {@code failureCode}. */
    public static boolean allows(PaymentStatus status, String failureCode, Fact fact) {
        return find(status, fact).filter(t -> t.leaves(status, failureCode)).isPresent();
    }

    /** The states from which {@code fact} leads to {@code to}. */
    public static Set<PaymentStatus> allowedFrom(Fact fact, PaymentStatus to) {
        Set<PaymentStatus> out = EnumSet.noneOf(PaymentStatus.class);
        TABLE.stream().filter(t -> t.fact() == fact && t.to() == to).forEach(t -> out.addAll(t.from()));
        return Collections.unmodifiableSet(out);
    }

    /** The failure codes that are paybridge's conclusions, not the vendor's word: the vendor's record overturns them. */
    public static Set<String> conclusions() {
        return only(OVERTURNED_BY_VENDOR_RECORD).fromFailureCodes();
    }

    /**
     * Where a record moves a payment waiting for its deposit: paid → the deposit received, an end (FAILED,
     * ABANDONED) → that end; empty while the record still waits or shows a state the table has no move for.
     */
    public static Optional<Transition> depositMove(PaymentStatus recordState) {
        return recordState == null || recordState == AWAITING_DEPOSIT ? Optional.empty()
                : find(AWAITING_DEPOSIT, recordState == PAID ? DEPOSIT_RECEIVED : vendorSays(recordState));
    }

    /** The fact a vendor's decided record (or answer) stands for: PAID, AWAITING_DEPOSIT, FAILED, ABANDONED. */
    public static Fact vendorSays(PaymentStatus recordState) {
        return switch (recordState) {
            case PAID -> VENDOR_PAID;
            case AWAITING_DEPOSIT -> VENDOR_AWAITING_DEPOSIT;
            case FAILED -> VENDOR_DECLINED;
            case ABANDONED -> VENDOR_ABANDONED;
            default -> throw new IllegalTransitionException("not a decided vendor state: " + recordState);
        };
    }

    /** The fact of money the vendor's record shows returned, {@code returnedTotal} of {@code amount} by now. */
    public static Transition returned(long returnedTotal, long amount) {
        return only(returnedTotal >= amount ? RETURNED_IN_FULL : RETURNED_IN_PART);
    }

    /**
     * What a payment reads as ({@code PaymentResult.status}): its stored state, except that a PAID
     * one with money returned in the ledger is PARTIALLY_REFUNDED, or CANCELLED once all is returned.
     */
    public static PaymentStatus shown(PaymentStatus stored, long amount, long returned) {
        if ((stored == PaymentStatus.PAID || stored == PaymentStatus.PARTIALLY_REFUNDED) && returned > 0) {
            return returned >= amount ? PaymentStatus.CANCELLED : PaymentStatus.PARTIALLY_REFUNDED;
        }
        return stored;
    }

    // ---- the table's notation

    private static Set<PaymentStatus> states(PaymentStatus... states) {
        return Collections.unmodifiableSet(EnumSet.of(states[0], states));
    }

    private static Row from(PaymentStatus state) {
        return new Row(states(state));
    }

    private static Row from(Set<PaymentStatus> states) {
        return new Row(states);
    }

    /** A row being written down; {@link #by} completes it. */
    private static final class Row {
        private final Set<PaymentStatus> from;
        private Set<String> fromFailureCodes = Set.of();
        private Fact fact;
        private PaymentStatus to;
        private String failureCode;
        private EventType entry;
        private String event;
        private PaymentStatus shownAs;

        Row(Set<PaymentStatus> from) {
            this.from = from;
        }

        Row withFailure(String... codes) {
            fromFailureCodes = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(codes)));
            return this;
        }

        Row on(Fact f) {
            fact = f;
            return this;
        }

        Row to(PaymentStatus state) {
            to = state;
            return this;
        }

        Row forgotten() {
            to = null;
            return this;
        }

        Row failureCode(String code) {
            failureCode = code;
            return this;
        }

        Row entry(EventType type) {
            entry = type;
            return this;
        }

        Row event(String type) {
            event = type;
            return this;
        }

        Row shownAs(PaymentStatus state) {
            shownAs = state;
            return this;
        }

        Transition by(Write write) {
            return new Transition(from, fromFailureCodes, fact, to, failureCode, entry, event,
                    shownAs != null ? shownAs : to, write);
        }
    }
}
