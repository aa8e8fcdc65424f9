package paybridge.payments;

import paybridge.canonical.ExchangeProperties;
import java.time.Instant;
import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CommandReader;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStatus;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.canonical.RefundCommand;
import paybridge.canonical.RefundResult;
import paybridge.canonical.RefundState;
import paybridge.canonical.RefundStatus;
import paybridge.canonical.UnsupportedVendorException;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.OperationDeadline;

/**
 * Refunds, exactly once and never more than remains: the refund is recorded under its refundId with
 * its in-flight bound, and its amount reserved on the payment by one conditional UPDATE that counts
 * the other reservations and the ledger's returns (so concurrent refunds, and cancels learnt from
 * webhooks, cannot together exceed the amount) — the row and the reservation in one transaction —
 * then sent; the vendor's answer settles (ledger entry + row) or releases (row + reservation) it, in
 * one transaction each. A refund left open by a crash is settled by reconcile after its bound.
 */
public final class RefundService {
    private static final Logger LOG = LoggerFactory.getLogger(RefundService.class);
    /** Exchange property: the payment's vendor, for dispatch's choice. */
    public static final String VENDOR = ExchangeProperties.VENDOR;
    /** Failure code of a refund left UNKNOWN because its answer named a return that is not its own. */
    public static final String RETURN_CLAIMED = "RETURN_CLAIMED";
    /**
     * Failure code of a refund left UNKNOWN because its answer gave no cumulative total while a return
     * recorded under a total since the refund began may already hold its money.
     */
    public static final String RETURN_UNPLACED = "RETURN_UNPLACED";

    private final PaymentStore payments;
    private final RefundStore refunds;
    private final LedgerStore ledger;
    private final ConnectorRegistry connectors;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    public RefundService(PaymentStore payments, RefundStore refunds, LedgerStore ledger, ConnectorRegistry connectors) {
        this.payments = payments;
        this.refunds = refunds;
        this.ledger = ledger;
        this.connectors = connectors;
    }

    /** Counts refund outcomes in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /**
     * Body: the raw request. Out: a {@link RefundRequest} for the vendor route and the vendor's name
     * in {@link #VENDOR}; or, for a refundId seen before, its stored result and {@link ExchangeProperties#REPLAY}. A
     * payment whose vendor is not enabled here, or whose connector does not refund, is a 422 naming
     * {@code vendor} before anything is recorded or reserved.
     */
    public Object begin(Exchange exchange) {
        RefundCommand command = CommandReader.read(exchange.getMessage().getBody(byte[].class), "refund-command",
                RefundCommand.class);
        String hash = RequestHash.of(command);
        PaymentRecord payment = payments.find(command.paymentId()).orElseThrow(() -> ProblemException.of(404,
                "Payment not found", "No payment with paymentId " + command.paymentId()));
        exchange.setProperty(VENDOR, payment.vendor());

        RefundRecord existing = refunds.find(command.refundId()).orElse(null);
        if (existing != null) {
            return replay(exchange, existing, hash, payment);
        }
        // before the row and its reservation: nothing is held for a refund no route here can send
        paybridge.connector.Connector connector = connectors.require(payment.vendor());
        if (!connector.capabilities().refunds()) {
            throw new UnsupportedVendorException("Vendor '" + payment.vendor() + "' of payment " + payment.paymentId()
                    + " does not take refunds through paybridge");
        }
        if (payment.status() != PaymentStatus.PAID) {
            throw ProblemException.of(422, "Payment not refundable", "Payment " + payment.paymentId() + " is "
                    + payment.status() + "; only a PAID payment can be refunded");
        }
        // its vendor can only be asked by a reference this payment never got: no route could send the
        // refund, and a row written now would stay open with its amount reserved
        if (connector.refundsByVendorRef() && (payment.vendorPaymentRef() == null || payment.vendorPaymentRef().isBlank())) {
            throw ProblemException.of(422, "Payment not refundable", "Payment " + payment.paymentId()
                    + " has no reference at " + payment.vendor() + " (settled without one); refund it in the vendor's"
                    + " console, whose webhook records the return");
        }
        // what remains counts the reservations and the ledger's other returns (a console cancel learnt
        // from a webhook never touched the reservations)
        long remaining = payments.refundable(payment.paymentId());
        long amount = command.amount() == null ? remaining : command.amount();
        if (amount <= 0 || amount > remaining) {
            throw tooMuch(amount, remaining);
        }
        // the operation's budget starts before its row, so the row's in-flight bound covers all of it
        OperationDeadline deadline = deadline(exchange);
        deadline.start(exchange);
        boolean recorded;
        try {
            // the row and its reservation together: a crash leaves both (reconcile settles them after the
            // in-flight bound) or neither, never a PENDING refund whose amount was not reserved
            // the payment's row first: a webhook recording a return holds it until its entry commits, so the
            // row's ledger mark (read by its INSERT) counts every return recorded before this refund
            recorded = payments.holding(payment.paymentId(), () -> {
                if (!refunds.insert(command.refundId(), payment.paymentId(), hash, amount, command.reason(),
                        deadline.horizon())) {
                    return false; // the refundId was taken meanwhile
                }
                if (!payments.reserveRefundWithinReturns(payment.paymentId(), amount)) {
                    throw new NotEnoughRemains();
                }
                return true;
            });
        } catch (NotEnoughRemains e) {
            throw tooMuch(amount, payments.refundable(payment.paymentId()));
        }
        if (!recorded) {
            return replay(exchange, refunds.find(command.refundId()).orElseThrow(), hash, payment);
        }
        exchange.setProperty(ExchangeProperties.REPLAY, false);
        // what the vendor holds when the cancel is sent, read as late as possible before it: a return the
        // ledger holds by now was applied at the vendor before this cancel (a webhook's is recorded only once
        // the vendor shows it), so the vendor's total after this refund is this sum plus the refund — also
        // for a return recorded after the row's ledger mark (read under the payment's row instead, such a
        // return would be missing from the sum: iamport's checksum would refuse the cancel, and an answer
        // without a total would not find the entry its own webhook made under the right total)
        paybridge.ledger.LedgerStore.Returns held = ledger.returns(payment.paymentId());
        long confirmedRemaining = payment.amount() - held.returned();
        // the returns already accounted for, read before the cancel is sent: none of them can be this refund's
        java.util.Set<String> claimed = new java.util.HashSet<>(held.cancellationIds());
        refunds.refundedOnPayment(payment.paymentId()).stream().map(RefundStore.Refunded::vendorRefundRef)
                .filter(java.util.Objects::nonNull).forEach(claimed::add);
        RefundRequest request = new RefundRequest(command.refundId(), payment.paymentId(), payment.vendorPaymentRef(),
                amount, confirmedRemaining, command.reason() == null ? "refund" : command.reason(), claimed);
        exchange.setProperty(ExchangeProperties.REFUND_REQUEST, request);
        return request;
    }

    /**
     * No dispatch branch serves the payment's vendor (its connector is enabled and refunds, the
     * deployment's dispatch.camel.yaml has no branch for it): the refund's row is forgotten and its
     * reservation released together, as if not attempted, then a 422 naming {@code vendor}.
     */
    public void noRoute(Exchange exchange) {
        RefundRequest request = exchange.getProperty(ExchangeProperties.REFUND_REQUEST, RefundRequest.class);
        String vendor = exchange.getProperty(VENDOR, String.class);
        payments.holding(request.paymentId(), () -> {
            if (refunds.forget(request.refundId())) {
                payments.releaseRefund(request.paymentId(), request.amount());
            }
            return null;
        });
        LOG.error("refund refundId={} paymentId={} vendor={}: no dispatch branch serves this vendor's refunds; "
                + "nothing sent, nothing reserved", request.refundId(), request.paymentId(), vendor);
        throw new UnsupportedVendorException("No dispatch branch here serves refunds of vendor '" + vendor
                + "'; nothing was sent and refundId " + request.refundId() + " may be sent again");
    }

    /** Rolls the refund's row back when its amount cannot be reserved. */
    private static final class NotEnoughRemains extends RuntimeException {
        NotEnoughRemains() {
            super("not enough remains", null, false, false);
        }
    }

    private static OperationDeadline deadline(Exchange exchange) {
        OperationDeadline deadline = exchange.getContext().getRegistry()
                .lookupByNameAndType("operationDeadline", OperationDeadline.class);
        if (deadline == null) {
            throw new IllegalStateException("no 'operationDeadline' bean: PaybridgeConfiguration binds it");
        }
        return deadline;
    }

    private Object replay(Exchange exchange, RefundRecord existing, String hash, PaymentRecord payment) {
        if (!existing.requestHash().equals(hash)) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                    "Refund id already used", 409, "refundId " + existing.refundId()
                    + " was used for a different refund", List.of()));
        }
        exchange.setProperty(ExchangeProperties.REPLAY, true);
        Failure failure = existing.failureCode() == null ? null : new Failure(existing.failureCode(), existing.failureMessage());
        RefundStatus status = existing.status().answer();
        long returned = ledger.returned(payment.paymentId());
        return new RefundResult(existing.refundId(), payment.paymentId(), status, existing.amount(), returned,
                payment.amount() - returned, failure);
    }

    private static ProblemException tooMuch(long amount, long remaining) {
        return ProblemException.of(422, "Refund exceeds what remains",
                "Refund of " + amount + " KRW asked, " + Math.max(remaining, 0) + " KRW remains refundable");
    }

    /** Body: the vendor's {@link RefundOutcome}. Out: the {@link RefundResult}. */
    public RefundResult complete(Exchange exchange) {
        RefundRequest request = exchange.getProperty(ExchangeProperties.REFUND_REQUEST, RefundRequest.class);
        RefundOutcome outcome = exchange.getMessage().getBody(RefundOutcome.class);
        PaymentRecord payment = payments.find(request.paymentId()).orElseThrow();
        long durationMs = exchange.getClock().elapsed();
        meters.refund(payment.vendor(), outcome.status().name());
        DecisionLog.info(LOG, "refund", request.paymentId(), request.refundId(), payment.vendor(),
                outcome.status().name(), durationMs, "refund refundId={} paymentId={} vendor={} outcome={} durationMs={}",
                request.refundId(), request.paymentId(), payment.vendor(), outcome.status(), durationMs);
        if (outcome.status() == RefundOutcomeStatus.NOT_ATTEMPTED) {
            // forgotten and released together; a refund already decided elsewhere keeps its reservation
            payments.holding(payment.paymentId(), () -> {
                if (refunds.forget(request.refundId())) {
                    payments.releaseRefund(payment.paymentId(), request.amount());
                }
                return null;
            });
            throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-reached",
                    "Refund not attempted", 503, "The vendor did not process the refund ("
                    + outcome.failure().code() + "); refundId " + request.refundId() + " may be sent again", List.of()));
        }
        // the refund's row, its ledger entry and its reservation change together (one transaction); the
        // row goes first: if another route (reconcile, past the in-flight bound) decided it meanwhile,
        // nothing else changes here
        Overturn[] overturn = new Overturn[1];
        Failure[] failure = {outcome.failure()};
        RefundStatus status = payments.holding(payment.paymentId(), () -> switch (outcome.status()) {
            case REFUNDED -> {
                String claimedBy = claimedElsewhere(payment, request, outcome);
                if (claimedBy != null) {
                    // the answer names a return that is not this refund's (Toss ignores a second cancel
                    // within about a second and may answer it with the payment as it stands): open,
                    // the money reserved, and refund reconcile decides from the vendor's record
                    LOG.warn("refund refundId={} paymentId={}: the vendor's answer names return {}, which {}; left "
                            + "UNKNOWN for reconcile", request.refundId(), payment.paymentId(), outcome.cancellationId(),
                            claimedBy);
                    failure[0] = new Failure(RETURN_CLAIMED, "The vendor's answer names a return that " + claimedBy);
                    yield refunds.finish(request.refundId(), RefundState.UNKNOWN, null, failure[0])
                            ? RefundStatus.UNKNOWN : null;
                }
                if (unplaced(payment, request, outcome)) {
                    // its return may be inside a cumulative total recorded since it began (another return
                    // happened meanwhile): entered by its id it could count twice, so reconcile decides
                    // (a refund decided meanwhile is left to the answer's usual course below)
                    Failure unplaced = new Failure(RETURN_UNPLACED, "Refunded at the vendor; which recorded return "
                            + "holds it is not known yet");
                    if (refunds.finish(request.refundId(), RefundState.UNKNOWN, null, unplaced)) {
                        LOG.warn("refund refundId={} paymentId={}: refunded, but the vendor's answer gives no total and "
                                + "a return recorded since under a cumulative total may hold it; left UNKNOWN for "
                                + "reconcile", request.refundId(), payment.paymentId());
                        failure[0] = unplaced;
                        yield RefundStatus.UNKNOWN;
                    }
                }
                if (!refunds.finish(request.refundId(), RefundState.REFUNDED, outcome.cancellationId(), null)) {
                    // the vendor's answer wins over a "never refunded" concluded meanwhile (a stalled node)
                    overturn[0] = overturnNotRefunded(payment, request, outcome);
                    yield overturn[0] == null ? null : RefundStatus.REFUNDED;
                }
                recordReturn(payment, request, outcome);
                yield RefundStatus.REFUNDED;
            }
            case FAILED -> {
                if (!refunds.finish(request.refundId(), RefundState.FAILED, null, outcome.failure())) {
                    yield null;
                }
                payments.releaseRefund(payment.paymentId(), request.amount());
                yield RefundStatus.FAILED;
            }
            // the money stays reserved: the refund may have happened
            default -> refunds.finish(request.refundId(), RefundState.UNKNOWN, null, outcome.failure())
                    ? RefundStatus.UNKNOWN : null;
        });
        if (overturn[0] != null) {
            meters.notRefundedOverturned(payment.vendor());
            LOG.error("refund refundId={} paymentId={} vendor={}: concluded not refunded, but the vendor's answer shows "
                    + "it refunded; now REFUNDED with its ledger entry{}", request.refundId(), payment.paymentId(),
                    payment.vendor(), overturn[0] == Overturn.RESERVED ? ""
                            : " — MORE THAN REMAINED is now returned or reserved: check the payment with the vendor");
        }
        if (status == null) {
            RefundRecord decided = refunds.find(request.refundId()).orElseThrow();
            return (RefundResult) replay(exchange, decided, decided.requestHash(), payment);
        }
        long returned = ledger.returned(payment.paymentId());
        return new RefundResult(request.refundId(), payment.paymentId(), status, request.amount(), returned,
                payment.amount() - returned, failure[0]);
    }

    /**
     * Why the return a REFUNDED answer names cannot be this refund's, or null when it can: another refund
     * of the payment was decided with it, or it was accounted for before this refund's cancel was sent
     * (the request's claimed cancellations, read after the refund's row).
     */
    private String claimedElsewhere(PaymentRecord payment, RefundRequest request, RefundOutcome outcome) {
        String ref = outcome.cancellationId();
        if (ref == null) {
            return null;
        }
        if (refunds.refundedWithRefByAnother(payment.paymentId(), ref, request.refundId())) {
            return "another refund of the payment was decided with";
        }
        String keyed = outcome.ledgerCancellationId();
        if (keyed != null && request.claimedCancellations().contains(keyed)) {
            return "was accounted for before this refund was sent";
        }
        return null;
    }

    /**
     * Whether a REFUNDED answer without the payment's cumulative total (the lookup after the cancel failed)
     * cannot be entered by its cancellation's id: a return was recorded under a cumulative total after
     * the refund's ledger mark, and it is not the total this refund makes on its own (the ledger's sum at
     * its start plus itself, the case {@link #recordReturn} recognises), so that entry may hold this
     * return along with another one made meanwhile.
     */
    private boolean unplaced(PaymentRecord payment, RefundRequest request, RefundOutcome outcome) {
        return outcome.refundedTotal() < 0 && !outcome.keyedByTotal()
                && !ledger.has(returnEvent(payment, 0, null, ownTotal(payment, request, outcome)).eventKey())
                && totalRecordedSinceStart(payment, request);
    }

    /** The payment's returned total this refund makes on its own: the ledger's sum at its start, plus itself. */
    private static long ownTotal(PaymentRecord payment, RefundRequest request, RefundOutcome outcome) {
        return (payment.amount() - request.remainingBefore()) + outcome.refundedNow();
    }

    /** Whether a return was recorded under a cumulative total after the refund's ledger mark. */
    private boolean totalRecordedSinceStart(PaymentRecord payment, RefundRequest request) {
        Long mark = refunds.find(request.refundId()).map(RefundRecord::ledgerMark).orElse(null);
        return ledger.returnsByTotalAfter(payment.paymentId(), mark == null ? 0 : mark) > 0;
    }

    /** How a "never refunded" conclusion was overturned: its amount reserved again, or past what remains. */
    private enum Overturn { RESERVED, BEYOND_WHAT_REMAINS }

    /**
     * A REFUNDED answer for a refund concluded FAILED NOT_REFUNDED (its reservation released): the
     * money left all the same, so the refund becomes REFUNDED, its amount is reserved again and its
     * return entered — in the caller's transaction. When what remains no longer covers it (another
     * refund took the released amount), it is recorded all the same (the money is gone) and reported.
     * Null when the refund is in no such state (decided otherwise: nothing changes).
     */
    private Overturn overturnNotRefunded(PaymentRecord payment, RefundRequest request, RefundOutcome outcome) {
        // whether it still fits is read before the row counts as REFUNDED (the check subtracts those)
        boolean fits = refunds.find(request.refundId()).filter(r -> r.status() == RefundState.FAILED
                && RefundReconcileService.NOT_REFUNDED.equals(r.failureCode())).isPresent()
                && payments.reserveRefundWithinReturns(payment.paymentId(), request.amount());
        if (!refunds.overturnNotRefunded(request.refundId(), outcome.cancellationId())) {
            if (fits) {
                payments.releaseRefund(payment.paymentId(), request.amount());
            }
            return null;
        }
        if (!fits) {
            // the reservation still guards what later refunds may take, up to the payment's amount
            payments.reserveRefund(payment.paymentId(), request.amount());
        }
        recordReturn(payment, request, outcome);
        return fits ? Overturn.RESERVED : Overturn.BEYOND_WHAT_REMAINS;
    }

    /**
     * The ledger entry of a REFUNDED refund, keyed as the vendor's lookup shows the return (so the
     * webhook verified by that lookup makes the same entry, whichever comes first):
     * <ul>
     * <li>by the cancellation's id: one entry of this refund's amount (idempotent on the key);</li>
     * <li>by the payment's cumulative returned total (the vendor's lookup lists no cancellation ids):
     *     the ledger is brought up to that total. When it already shows it (the webhook, verified by a
     *     lookup that showed this return, came first; or a later total), nothing is added, so a return
     *     is never counted twice under two keys. The payment's row is held meanwhile so two finishes
     *     take turns reading the sum.</li>
     * <li>by the cancellation's id, its total known, when the ledger holds a return under a cumulative total
     *     at least as large: the vendor's returns up to that total were recorded by it, this one among
     *     them; nothing is added;</li>
     * <li>by the cancellation's id with the total unknown (the lookup after the cancel failed, or did
     *     not list it yet): a webhook verified by a history-less receipt may already have recorded this
     *     very return under the cumulative total it showed — the ledger's sum at the refund's start plus
     *     this refund. If the ledger holds that entry, nothing is added. (Matched by its key, not by the
     *     ledger's sum: another refund of the payment finishing meanwhile raises the sum too, and must
     *     not make this one vanish.)</li>
     * </ul>
     */
    private void recordReturn(PaymentRecord payment, RefundRequest request, RefundOutcome outcome) {
        // inside the finish's transaction, which holds the payment's row (the webhook's processing appends
        // under the same row), so the ledger's sum and keys read here are not changed meanwhile
        // unknown total: what the ledger had returned when the refund began, plus this refund
        long total = outcome.refundedTotal() >= 0 ? outcome.refundedTotal() : ownTotal(payment, request, outcome);
        long amount = outcome.refundedNow();
        if (outcome.keyedByTotal()) {
            amount = total - ledger.returned(payment.paymentId());
            if (amount <= 0) {
                return;
            }
        } else if (outcome.refundedTotal() > 0
                && ledger.largestTotalHeld(payment.paymentId()) >= outcome.refundedTotal()) {
            // the vendor's history puts this return within a total the ledger already holds returns under (a
            // webhook verified by a history-less receipt came first): that entry holds it
            LOG.info("refund refundId={} paymentId={}: its return is already in the ledger under a cumulative total"
                    + " of at least {} (learnt first from a record without its history); not added again",
                    request.refundId(), payment.paymentId(), outcome.refundedTotal());
            return;
        } else if (outcome.refundedTotal() < 0) {
            if (ledger.has(returnEvent(payment, 0, null, total).eventKey())) {
                LOG.info("refund refundId={} paymentId={}: its return is already in the ledger under the cumulative "
                        + "total {} (learnt first from its webhook); not added again", request.refundId(),
                        payment.paymentId(), total);
                return;
            }
            if (totalRecordedSinceStart(payment, request)) {
                // only a "never refunded" overturned gets here so (an open refund was left UNKNOWN instead)
                LOG.error("refund refundId={} paymentId={}: its return is not entered: a return recorded since it "
                        + "began under a cumulative total may hold it; check the ledger against the vendor console",
                        request.refundId(), payment.paymentId());
                return;
            }
        }
        ledger.append(returnEvent(payment, amount, outcome.ledgerCancellationId(), total), LedgerSource.API);
    }

    private static PaymentEvent returnEvent(PaymentRecord payment, long amount, String cancellationId, long total) {
        return new PaymentEvent(payment.vendor(), payment.paymentId(), payment.vendorPaymentRef(),
                payment.subscriptionId(), EventType.REFUNDED, -amount, payment.currency(), cancellationId, total,
                Instant.now());
    }

    public static int httpStatus(RefundResult result) {
        return result.status() == RefundStatus.UNKNOWN ? 202 : 200;
    }
}
