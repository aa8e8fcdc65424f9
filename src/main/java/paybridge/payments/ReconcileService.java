package paybridge.payments;

import paybridge.canonical.ExchangeProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.VendorPayment;

/**
 * Settles PENDING and UNKNOWN payments, and virtual accounts AWAITING_DEPOSIT, from the vendor's own record
 * (reconcile.camel.yaml does the lookups). It never re-sends a charge: it only records what the vendor says
 * happened.
 * <ul>
 *   <li>An attempt is looked at only after its horizon ({@code in_flight_until}, set on the database's
 *       clock when it was recorded): before that the charge may still be in flight, and a lookup that
 *       finds nothing proves nothing. UNKNOWN attempts wait like PENDING ones.</li>
 *   <li>Each row has its own next look, pushed back after every look (doubling from
 *       {@code paybridge.reconcile.interval} up to {@code paybridge.reconcile.max-backoff}), and rows
 *       are read by their next look: rows it cannot settle (left for an operator) never hold newer
 *       ones back. Why a row was left is noted ({@code unsettled_reason}) and counted on health.</li>
 *   <li>Which lookup asks the vendor is its connector's: by our paymentId where the vendor can be asked
 *       so, else by the vendor's reference once we hold it; a row neither can look up (no reference yet,
 *       or a vendor not enabled here) is left for an operator with the reason, and logged.</li>
 *   <li>"Never charged" (a lookup by paymentId finds nothing, where the connector says that proves it:
 *       {@link Connector#notFoundMeansNeverCharged()}) is a FAILED NOT_CHARGED attempt
 *       with a FAILED ledger entry of 0; the row is re-checked a few more times, and a record that shows
 *       it charged after all wins ({@link ConclusionOverturn}).</li>
 *   <li>A record is this payment's only when its order id is the paymentId and its reference the one
 *       we hold; every money fact it shows (PAID, cancellations) is recorded as a webhook would.</li>
 * </ul>
 */
public final class ReconcileService {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcileService.class);
    public static final String NOT_CHARGED = PaymentStates.NOT_CHARGED;

    /** Why a looked-at row was left open (payments.unsettled_reason). */
    public static final String NO_VENDOR_REF = "NO_VENDOR_REF";
    public static final String NOT_THIS_PAYMENT = "NOT_THIS_PAYMENT";
    public static final String AMOUNT_MISMATCH = "AMOUNT_MISMATCH";
    public static final String OPEN_AT_VENDOR = "OPEN_AT_VENDOR";
    public static final String NOT_FOUND = "NOT_FOUND";
    /** The payment's vendor is not enabled here (no connector to ask). */
    public static final String VENDOR_NOT_ENABLED = "VENDOR_NOT_ENABLED";

    /** How reconcile schedules its looks. */
    public record Schedule(Duration firstBackoff, Duration maxBackoff, int notChargedRechecks, int batch) {
        public Schedule {
            if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0
                    || notChargedRechecks < 0 || batch < 1) {
                throw new IllegalArgumentException("invalid reconcile schedule " + firstBackoff + ".." + maxBackoff);
            }
        }

        /** The wait after a row's {@code looks}-th look: doubling, at most {@code maxBackoff}. */
        Duration backoff(int looks) {
            Duration d = firstBackoff;
            for (int i = 0; i < looks && d.compareTo(maxBackoff) < 0; i++) {
                d = d.multipliedBy(2);
            }
            return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
        }
    }

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final ConnectorRegistry connectors;
    private final Schedule schedule;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    public ReconcileService(PaymentStore payments, LedgerStore ledger, ConnectorRegistry connectors, Schedule schedule) {
        this.payments = payments;
        this.ledger = ledger;
        this.connectors = connectors;
        this.schedule = schedule;
    }

    /** Counts settlements in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /**
     * The rows to look up now (database clock: past their horizon and their next look), each taken
     * by this node and given its next look before it is looked at, so a row that cannot be settled
     * goes behind the others and two nodes do not look at the same row at once.
     */
    public List<PaymentRecord> due() {
        List<PaymentRecord> taken = new ArrayList<>();
        for (PaymentRecord row : payments.dueForLook(schedule.batch())) {
            if (connectors.find(row.vendor()).isEmpty()) {
                // its vendor is not enabled here: a look that cannot ask must not use up a conclusion's
                // re-checks (a NOT_CHARGED the vendor's record would overturn would leave the schedule
                // unasked); an open row is still taken so the reason is recorded. A conclusion waits the
                // longest backoff: nothing can be asked until the vendor is enabled again
                Duration wait = row.status().isOpen() ? schedule.backoff(row.looks()) : schedule.maxBackoff();
                if (payments.postponeLook(row, wait) && row.status().isOpen()) {
                    taken.add(row);
                }
                continue;
            }
            // a virtual account waits days for its deposit: looked at every max-backoff, not with an open
            // attempt's doubling from the interval (a backlog of them must not crowd out charges in doubt)
            Duration next = row.status() == PaymentStatus.AWAITING_DEPOSIT ? schedule.maxBackoff() : schedule.backoff(row.looks());
            if (payments.takeForLook(row, next, schedule.notChargedRechecks())) {
                taken.add(row);
            }
        }
        return taken;
    }

    /**
     * Property {@link ExchangeProperties#ATTEMPT}: the row to look up. Sets {@link ExchangeProperties#VENDOR}, and from the
     * payment's connector {@link ExchangeProperties#LOOKUP_ROUTE} and {@link ExchangeProperties#LOOKUP_KEY}: its lookup by our paymentId when
     * it has one, else its lookup by the vendor's reference when we hold one; else no route (the row
     * cannot be looked up: {@link #cannotLook} leaves it with the reason).
     */
    public void chooseLookup(Exchange exchange) {
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        exchange.setProperty(ExchangeProperties.VENDOR, attempt.vendor());
        exchange.removeProperty(ExchangeProperties.LOOKUP_ROUTE);
        exchange.removeProperty(ExchangeProperties.LOOKUP_KEY);
        Connector connector = connectors.find(attempt.vendor()).orElse(null);
        if (connector == null) {
            exchange.setProperty(ExchangeProperties.CANNOT_LOOK, VENDOR_NOT_ENABLED);
        } else if (external(attempt) && attempt.vendorPaymentRef() != null && connector.lookupByVendorRefRoute() != null) {
            // a payment paybridge did not start: its paymentId may be ours for it, not the vendor's order id
            exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, connector.lookupByVendorRefRoute());
            exchange.setProperty(ExchangeProperties.LOOKUP_KEY, attempt.vendorPaymentRef());
        } else if (connector.lookupByPaymentIdRoute() != null) {
            exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, connector.lookupByPaymentIdRoute());
            exchange.setProperty(ExchangeProperties.LOOKUP_KEY, attempt.paymentId());
        } else if (connector.lookupByVendorRefRoute() != null && attempt.vendorPaymentRef() != null) {
            exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, connector.lookupByVendorRefRoute());
            exchange.setProperty(ExchangeProperties.LOOKUP_KEY, attempt.vendorPaymentRef());
        } else {
            exchange.setProperty(ExchangeProperties.CANNOT_LOOK, NO_VENDOR_REF);
        }
    }

    /**
     * Property {@link ExchangeProperties#ATTEMPT}: the row whose look failed (the vendor unreachable, its
     * answer unusable, or the outcome not recorded). A NOT_CHARGED conclusion being re-checked gets its
     * look back, its next one after the longest backoff: only looks that learnt and recorded the vendor's
     * answer use up its re-checks. An open row is simply looked at again at its next look.
     */
    public void lookFailed(Exchange exchange) {
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        if (!attempt.status().isOpen()) {
            payments.giveBackLook(attempt, schedule.maxBackoff());
        }
    }

    /**
     * Property {@link ExchangeProperties#ATTEMPT}: a row that cannot be looked up (its vendor cannot be asked by our
     * paymentId and we hold no reference of its yet, e.g. until its webhook names it; or its vendor is
     * not enabled here): left for an operator with the reason, logged, and looked at again later.
     */
    public void cannotLook(Exchange exchange) {
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        String reason = exchange.getProperty(ExchangeProperties.CANNOT_LOOK, NO_VENDOR_REF, String.class);
        leave(attempt, reason, VENDOR_NOT_ENABLED.equals(reason)
                ? "its vendor is not enabled here (paybridge.vendors), so it cannot be looked up"
                : "the vendor cannot be asked by paymentId and we hold no reference of its yet");
    }

    /** Body: the vendor's record; property {@link ExchangeProperties#ATTEMPT}: our attempt. Records the outcome, source RECONCILE. */
    public void settle(Exchange exchange) {
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        VendorPayment found = exchange.getMessage().getBody(VendorPayment.class);
        settle(attempt, found, LedgerSource.RECONCILE);
    }

    /** Records what a lookup established about a row reconcile took; false when it settled nothing. */
    public boolean settle(PaymentRecord attempt, VendorPayment found, LedgerSource source) {
        if (attempt.status() == PaymentStatus.AWAITING_DEPOSIT) {
            return settleDeposit(attempt, found, source);
        }
        String paymentId = attempt.paymentId();
        boolean open = attempt.status().isOpen();
        if (!found.found()) {
            if (!open) {
                return false; // a NOT_CHARGED conclusion re-checked: still nothing at the vendor
            }
            boolean provesNeverCharged = connectors.find(attempt.vendor())
                    .map(Connector::notFoundMeansNeverCharged).orElse(false);
            if (!provesNeverCharged) {
                return leave(attempt, NOT_FOUND, "the vendor has no record under the reference we hold");
            }
            return concludeNotCharged(attempt, source);
        }
        String notOurs = notThisPayment(attempt, found);
        if (notOurs != null) {
            return open ? leave(attempt, NOT_THIS_PAYMENT, notOurs) : contradicted(attempt, notOurs);
        }
        if (found.amount() != attempt.amount()) {
            String why = "the vendor's amount " + found.amount() + " differs from " + attempt.amount();
            return open ? leave(attempt, AMOUNT_MISMATCH, why) : contradicted(attempt, why);
        }
        PaymentStatus state = decided(found.status());
        if (state == null) {
            if (!open) {
                // a conclusion the vendor's record does not bear out yet: it still processes a payment under
                // this paymentId. Re-checked for as long as it does, without using up the re-checks (their
                // point is a charge that completes late)
                payments.giveBackLook(attempt, schedule.maxBackoff());
                LOG.warn("reconcile paymentId={} vendor={}: concluded FAILED {}, but the vendor is still processing a"
                        + " payment under it; looked at again", paymentId, attempt.vendor(), attempt.failureCode());
                return false;
            }
            return leave(attempt, OPEN_AT_VENDOR, "the vendor has not finished the payment");
        }
        if (!open) {
            // a conclusion being re-checked: only a record that shows the charge changes it, and the
            // cancellations the record shows commit with the overturn (PAID is there already)
            return state == PaymentStatus.PAID && overturn(attempt, found, source);
        }
        Transition move = PaymentStates.require(attempt.status(), PaymentStates.vendorSays(state));
        Failure failure = state == PaymentStatus.FAILED ? new Failure("VENDOR_DECLINED", found.failureReason()) : null;
        // the state and every money fact of the record, one transaction: no decided payment without
        // its entries, no entries on a payment someone else decided differently meanwhile
        boolean settled = payments.inTransaction(() -> {
            payments.lock(paymentId);
            if (!payments.settleOpen(paymentId, move, found.vendorPaymentRef(), found.billingKey(), failure)) {
                return false;
            }
            append(attempt, found, source);
            return true;
        });
        if (settled) {
            recorded(attempt, state, "");
            return true;
        }
        return decidedMeanwhile(attempt, found, state, source);
    }

    /**
     * A virtual account waiting for its deposit, looked at on reconcile's schedule because the deposit's webhook
     * may never come (lost, sent while no node was up, rejected). The record moves it as that webhook would,
     * state and money facts in one transaction: paid → PAID with its entries, closed unpaid or expired →
     * FAILED, abandoned → ABANDONED; still waiting, or a record that is not this payment, moves nothing (the
     * latter logged for an operator).
     */
    private boolean settleDeposit(PaymentRecord waiting, VendorPayment found, LedgerSource source) {
        String paymentId = waiting.paymentId();
        String why = !found.found() ? "the vendor has no record under it"
                : external(waiting) ? (java.util.Objects.equals(waiting.vendorPaymentRef(), found.vendorPaymentRef()) ? null
                        : "the vendor's record has another reference than the one we hold")
                : notThisPayment(waiting, found);
        if (why == null && found.amount() != waiting.amount()) {
            why = "the vendor's amount " + found.amount() + " differs from " + waiting.amount();
        }
        if (why != null) {
            LOG.warn("reconcile paymentId={} vendor={}: awaiting its deposit, but {}; check it", paymentId,
                    waiting.vendor(), why);
            return false;
        }
        PaymentStatus state = decided(found.status());
        if (state == null || state == PaymentStatus.AWAITING_DEPOSIT) {
            return false; // still waiting: looked at again at its next look
        }
        Transition move = PaymentStates.depositMove(state).orElse(null);
        if (move == null) {
            LOG.warn("reconcile paymentId={} vendor={}: awaiting its deposit, and the vendor's record says {}; check it",
                    paymentId, waiting.vendor(), found.status());
            return false;
        }
        boolean moved = payments.inTransaction(() -> {
            payments.lock(paymentId);
            if (!payments.changeDecided(paymentId, move, found.vendorPaymentRef(), VendorRecordFacts.failure(move, found))) {
                return false; // moved meanwhile (its webhook): that one recorded it
            }
            append(waiting, found, source);
            return true;
        });
        if (moved) {
            recorded(waiting, state, " (was awaiting its deposit)");
        }
        return moved;
    }

    /** A record's outcome recorded: counted and logged as a decision. */
    private void recorded(PaymentRecord p, PaymentStatus state, String note) {
        meters.reconciled(p.vendor(), state.name());
        DecisionLog.info(LOG, "reconcile", p.paymentId(), null, p.vendor(), state.name(), -1,
                "reconcile paymentId={} vendor={} outcome={}{}", p.paymentId(), p.vendor(), state, note);
    }

    private static boolean external(PaymentRecord p) {
        return "EXTERNAL".equals(p.method());
    }

    /**
     * The open row this lookup was for was decided while the vendor was asked (an operator's resolve, a
     * webhook, the charge's late answer). A conclusion (an operator's FAILED) is overturned by a record
     * that shows the charge, as on a re-check; any other disagreement is logged for an operator.
     */
    private boolean decidedMeanwhile(PaymentRecord attempt, VendorPayment found, PaymentStatus state, LedgerSource source) {
        PaymentRecord now = payments.find(attempt.paymentId()).orElse(null);
        if (now == null || now.status().isOpen()) {
            return false; // still open (taken again meanwhile): its next look records it
        }
        if (state == PaymentStatus.PAID && ConclusionOverturn.overturnable(now)) {
            return overturn(now, found, source);
        }
        if (now.status() != state) {
            LOG.warn("reconcile paymentId={} vendor={}: decided {} meanwhile, but the vendor's record says {}; check it",
                    now.paymentId(), now.vendor(), now.status(), state);
        }
        return false;
    }

    /** A conclusion overturned by a record that shows the charge: PAID, with every money fact the record shows. */
    private boolean overturn(PaymentRecord concluded, VendorPayment found, LedgerSource source) {
        return ConclusionOverturn.toPaid(payments, ledger, meters, concluded, found.vendorPaymentRef(), found.billingKey(),
                found.occurredAt(), source, () -> append(concluded, found, source));
    }

    /** A conclusion being re-checked, and a record under its paymentId that is not this payment: for an operator. */
    private boolean contradicted(PaymentRecord attempt, String why) {
        LOG.error("reconcile paymentId={} vendor={}: concluded FAILED {}, but the vendor has a record under it that does"
                + " not match ({}); check it", attempt.paymentId(), attempt.vendor(), attempt.failureCode(), why);
        return false;
    }

    /** "Never charged": FAILED NOT_CHARGED and its FAILED entry of 0, one transaction, only past the horizon. */
    private boolean concludeNotCharged(PaymentRecord attempt, LedgerSource source) {
        String paymentId = attempt.paymentId();
        Transition conclusion = PaymentStates.only(Fact.NOT_CHARGED_PROVEN);
        boolean concluded = payments.inTransaction(() -> {
            if (!payments.concludeNotCharged(paymentId,
                    "The vendor has no payment for this paymentId: it was never charged", schedule.firstBackoff())) {
                return false;
            }
            ledger.append(new PaymentEvent(attempt.vendor(), paymentId, null, attempt.subscriptionId(),
                    conclusion.ledgerEntry(), 0, attempt.currency(), null, 0, Sql.now(), PaymentEvent.NOT_CHARGED), source);
            return true;
        });
        if (concluded) {
            meters.reconciled(attempt.vendor(), NOT_CHARGED);
            DecisionLog.info(LOG, "reconcile", paymentId, null, attempt.vendor(), NOT_CHARGED, -1,
                    "reconcile paymentId={} vendor={} outcome=NOT_CHARGED", paymentId, attempt.vendor());
        }
        return concluded;
    }

    /**
     * Appends every money fact of the record. Inside the caller's transaction, with the payment's row
     * held: a return keyed by the cumulative amount is computed from the ledger's returned sum, read
     * under the same lock a webhook or an API refund finish takes, so the same money is never recorded
     * under two keys.
     */
    private void append(PaymentRecord attempt, VendorPayment found, LedgerSource source) {
        String paymentId = attempt.paymentId();
        for (PaymentEvent event : VendorRecordFacts.events(attempt.vendor(), paymentId, attempt.subscriptionId(), found,
                attempt.amount(), () -> ledger.returns(paymentId))) {
            ledger.append(event, source);
        }
    }

    /** Why the vendor's record is not this payment's (or may not be), or null when it is. */
    static String notThisPayment(PaymentRecord attempt, VendorPayment found) {
        if (attempt.orderIdHeldElsewhere()) {
            return "the vendor answered its first ask that the order id is in use: the record may be another system's"
                    + " payment (resolve it by hand)";
        }
        if (found.orderId() != null && !found.orderId().equals(attempt.paymentId())) {
            return "the vendor's record has another order id";
        }
        if (attempt.vendorPaymentRef() != null && found.vendorPaymentRef() != null
                && !attempt.vendorPaymentRef().equals(found.vendorPaymentRef())) {
            return "the vendor's record has another reference than the one we hold";
        }
        return null;
    }

    /** A row left open for an operator: noted and counted, never in front of the others (its next look is set). */
    private boolean leave(PaymentRecord attempt, String reason, String why) {
        if (attempt.status().isOpen()) {
            payments.leaveUnsettled(attempt.paymentId(), reason);
            LOG.warn("reconcile paymentId={} vendor={}: {}; left for an operator ({})", attempt.paymentId(),
                    attempt.vendor(), why, reason);
        }
        return false;
    }

    /** The payment's state from the record (anything once paid is PAID: returns are ledger facts); null while open. */
    static PaymentStatus decided(PaymentStatus vendorStatus) {
        if (vendorStatus == null) {
            return null;
        }
        return switch (vendorStatus) {
            case PAID, PARTIALLY_REFUNDED, CANCELLED -> PaymentStatus.PAID;
            case FAILED, AWAITING_DEPOSIT, ABANDONED -> vendorStatus;
            default -> null;
        };
    }
}
