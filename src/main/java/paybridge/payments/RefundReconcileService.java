package paybridge.payments;

import paybridge.canonical.ExchangeProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.canonical.RefundState;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.observe.DecisionLog;
import paybridge.connector.VendorPayment;

/**
 * Settles open refunds — UNKNOWN (the vendor's answer was lost) and PENDING (the node stopped between
 * the refund's row and its finish) — once past their in-flight bound (database clock), from the
 * payment's record at the vendor (reconcile.camel.yaml does the lookup). It never sends a cancel: it
 * compares the vendor's cancellations with what is accounted for: the payment's decided API refunds
 * (matched by the vendor's cancellation id), and the returns the ledger held before the open refunds were
 * asked (their ledger mark: those happened before any of them could). The ledger's later returns are
 * not accounted for: a webhook may have recorded this refund's own return.
 * <ul>
 * <li>the vendor returned no more than is accounted for: this refund never happened,
 *     FAILED ({@value #NOT_REFUNDED}), its reserved amount released — but only once the vendor's own
 *     settle horizon ({@link ExchangeProperties#NOT_REFUNDED_AFTER}, its connector's {@code notRefundedAfter}; none: at
 *     the in-flight bound) has passed too, and never while the vendor shows a cancel in progress;</li>
 * <li>the vendor returned exactly this refund's amount more, in one cancellation of that amount that
 *     nothing accounts for: REFUNDED, its ledger entry keyed by that cancellation (so its webhook,
 *     if one came, is the same entry);</li>
 * <li>anything else (a console cancel too, another refund of the payment still open, no cancellation
 *     ids): left for an operator (logged), because the money cannot be attributed to this refund.</li>
 * </ul>
 * Each decision (row, ledger entry, reservation) is one transaction, and only the one that moves the
 * row out of PENDING/UNKNOWN changes anything (a late answer on the refund's own node may race it).
 */
public final class RefundReconcileService {
    private final ConnectorRegistry connectors;
    private static final Logger LOG = LoggerFactory.getLogger(RefundReconcileService.class);
    public static final String NOT_REFUNDED = "NOT_REFUNDED";

    private final PaymentStore payments;
    private final RefundStore refunds;
    private final LedgerStore ledger;

    public RefundReconcileService(PaymentStore payments, RefundStore refunds, LedgerStore ledger,
                                  ConnectorRegistry connectors) {
        this.connectors = connectors;
        this.payments = payments;
        this.refunds = refunds;
        this.ledger = ledger;
    }

    /** The open (PENDING, UNKNOWN) refunds past their in-flight bound, least recently looked at first. */
    public List<RefundRecord> due() {
        return refunds.openPastInFlight(100);
    }

    /**
     * Body: an open refund. Keeps it as {@link ExchangeProperties#REFUND} and its payment, sets {@link ExchangeProperties#VENDOR}, and from
     * the payment's connector {@link ExchangeProperties#LOOKUP_ROUTE} (its lookup by the vendor's reference) and
     * {@link ExchangeProperties#NOT_REFUNDED_AFTER}; answers the payment's vendor reference to look up (our paymentId
     * when it has none and the vendor can be asked by it). No lookup route when the vendor is not enabled here or
     * the payment can be looked up by neither: {@link #cannotLook}.
     */
    public String prepare(Exchange exchange) {
        RefundRecord refund = exchange.getMessage().getBody(RefundRecord.class);
        PaymentRecord payment = payments.find(refund.paymentId()).orElseThrow();
        // looked at now: the next rounds take the others first (a refund left open stays in the list)
        refunds.lookedAt(refund.refundId());
        exchange.setProperty(ExchangeProperties.REFUND, refund);
        exchange.setProperty(ExchangeProperties.PAYMENT, payment);
        exchange.setProperty(ExchangeProperties.VENDOR, payment.vendor());
        exchange.removeProperty(ExchangeProperties.LOOKUP_ROUTE);
        Connector connector = connectors.find(payment.vendor()).orElse(null);
        // by the vendor's reference; without one (an operator's PAID that gave none, refunded at a vendor
        // that cancels by our order id), by our paymentId where the vendor can be asked so
        boolean byRef = payment.vendorPaymentRef() != null;
        String route = connector == null ? null : byRef ? connector.lookupByVendorRefRoute()
                : connector.lookupByPaymentIdRoute();
        if (route != null) {
            exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, route);
            // a vendor that may apply a cancel late says how long "not refunded" must wait
            exchange.setProperty(ExchangeProperties.NOT_REFUNDED_AFTER, connector.notRefundedAfter());
            // what the record shows is as of the lookup's start: conclusions are drawn as of then
            exchange.setProperty(ExchangeProperties.LOOKED_UP_AT, refunds.databaseNow());
        }
        return byRef ? payment.vendorPaymentRef() : payment.paymentId();
    }

    /** Properties {@link ExchangeProperties#REFUND}, {@link ExchangeProperties#PAYMENT}: a refund whose payment cannot be looked up; left open and logged. */
    public void cannotLook(Exchange exchange) {
        RefundRecord refund = exchange.getProperty(ExchangeProperties.REFUND, RefundRecord.class);
        PaymentRecord payment = exchange.getProperty(ExchangeProperties.PAYMENT, PaymentRecord.class);
        LOG.warn("reconcile refundId={} paymentId={} vendor={}: {}; left for an operator", refund.refundId(),
                payment.paymentId(), payment.vendor(), connectors.find(payment.vendor()).isEmpty()
                        ? "its vendor is not enabled here (paybridge.vendors), so it cannot be looked up"
                        : "the payment has no vendor reference to look up");
    }

    /**
     * Body: the vendor's record of the payment; properties {@link ExchangeProperties#REFUND}, {@link ExchangeProperties#PAYMENT} and
     * optionally {@link ExchangeProperties#NOT_REFUNDED_AFTER}.
     */
    public void settle(Exchange exchange) {
        Duration notRefundedAfter = exchange.getProperty(ExchangeProperties.NOT_REFUNDED_AFTER, Duration.class);
        settle(exchange.getProperty(ExchangeProperties.REFUND, RefundRecord.class), exchange.getProperty(ExchangeProperties.PAYMENT, PaymentRecord.class),
                exchange.getMessage().getBody(VendorPayment.class), notRefundedAfter == null ? Duration.ZERO : notRefundedAfter,
                exchange.getProperty(ExchangeProperties.LOOKED_UP_AT, Instant.class));
    }

    /** As {@link #settle(RefundRecord, PaymentRecord, VendorPayment, Duration, Instant)}: a vendor without a settle delay, looked up now. */
    public boolean settle(RefundRecord refund, PaymentRecord payment, VendorPayment found) {
        return settle(refund, payment, found, Duration.ZERO, null);
    }

    /**
     * Settles one open refund from the vendor's record looked up at {@code lookedUpAt} (the database's time
     * before the lookup; null: now); false when it was left as it is. Only refunds past their bounds at that
     * time are concluded: another open refund of the payment whose bound passed while the lookup ran may have
     * been applied after the record was read.
     *
     * @param notRefundedAfter how long past the refund's in-flight bound "never refunded" must wait
     */
    public boolean settle(RefundRecord refund, PaymentRecord payment, VendorPayment found, Duration notRefundedAfter,
                          Instant lookedUpAt) {
        Bounds bounds = new Bounds(notRefundedAfter, lookedUpAt);
        if (!found.found()) {
            LOG.warn("reconcile refundId={} paymentId={}: the vendor does not know the payment; left for an operator",
                    refund.refundId(), payment.paymentId());
            return false;
        }
        if (found.cancelInProgress()) {
            // money may still leave: neither "not refunded" nor an attribution can be drawn yet
            LOG.info("reconcile refundId={} paymentId={}: the vendor shows a cancel in progress; looked up again later",
                    refund.refundId(), payment.paymentId());
            return false;
        }
        List<RefundRecord> open = refunds.openRefundsOnPayment(payment.paymentId());
        // what the vendor returned that neither a decided API refund of this payment accounts for, nor a
        // return the ledger held before the open refunds were asked (a console cancel learnt by its webhook)
        List<RefundStore.Refunded> decided = refunds.refundedOnPayment(payment.paymentId());
        Set<String> prior = priorReturns(payment, open, found);
        if (prior == null) {
            return leftUnordered(payment, open);
        }
        Accounted accounted = accounted(decided, prior, found);
        if (itemized(found, decided)) {
            return attributeByCancellation(refund, open, payment, found, accounted.refs(), bounds);
        }
        if (open.size() > 1) {
            return settleTogether(refund, open, payment, found, accounted, bounds);
        }
        if (found.cancelledAmount() == accounted.amount()) {
            // (this refund was past its bound before the lookup: due() reads only those)
            if (!notRefundedAfter.isZero() && !settledBy(refund, bounds)) {
                LOG.debug("reconcile refundId={} paymentId={}: nothing returned yet; the vendor may still apply it "
                        + "until {} past the in-flight bound", refund.refundId(), payment.paymentId(), notRefundedAfter);
                return false;
            }
            return concludeNotRefunded(refund, payment);
        }
        // exactly one cancellation of this amount that nothing accounts for: this refund's
        // (a console cancel of the same amount would make two, or none: then an operator decides)
        List<String> candidates = found.cancellations().stream()
                .filter(c -> c.amount() == refund.amount() && c.cancellationId() != null
                        && !accounted.refs().contains(c.cancellationId()))
                .map(VendorPayment.Cancellation::cancellationId)
                .toList();
        if (candidates.size() != 1 || found.cancelledAmount() - accounted.amount() != refund.amount()) {
            LOG.warn("reconcile refundId={} paymentId={}: the vendor returned {} KRW nothing recorded accounts for, "
                    + "in {} matching cancellation(s); the refund is {} KRW; left for an operator", refund.refundId(),
                    payment.paymentId(), found.cancelledAmount() - accounted.amount(), candidates.size(), refund.amount());
            return false;
        }
        String cancellationId = candidates.get(0);
        boolean settled = payments.holding(payment.paymentId(), () -> {
            if (heldUnderATotal(payment) || !finishWith(payment, refund, cancellationId)) {
                return false;
            }
            // keyed by the cancellation: if its webhook recorded it already, this is the same entry
            ledger.append(event(payment, refund, cancellationId, found), LedgerSource.RECONCILE);
            return true;
        });
        if (settled) {
            log(refund, payment, "REFUNDED");
        }
        return settled;
    }

    /**
     * The record's moment and how long past a refund's in-flight bound "never refunded" must wait.
     *
     * @param lookedUpAt the database's time before the record was looked up (null: now)
     */
    record Bounds(Duration notRefundedAfter, Instant lookedUpAt) {
    }

    /** Past its bound and the vendor's settle horizon when the record was looked up: "never refunded" may be drawn. */
    private boolean settledBy(RefundRecord r, Bounds b) {
        return refunds.pastInFlightBy(r.refundId(), b.notRefundedAfter(), b.lookedUpAt());
    }

    /** Past its bound when the record was looked up: it can no longer have been in flight. */
    private boolean landedBy(RefundRecord r, Bounds b) {
        return refunds.pastInFlightBy(r.refundId(), Duration.ZERO, b.lookedUpAt());
    }

    /**
     * The returns at the vendor that are none of the open refunds: those decided API refunds name, and
     * those the ledger held before the open refunds were asked (ids, and what they returned in all).
     */
    record Accounted(Set<String> refs, long amount) {
    }

    /**
     * A return the ledger held before the open refunds were asked is never one of theirs, so its id is
     * accounted for. Its amount counts too, unless a decided refund does not name its return: that
     * refund's money may be this very return (its webhook recorded it), and counting both would make a
     * refund the vendor did return look never sent.
     */
    private static Accounted accounted(List<RefundStore.Refunded> decided, Set<String> prior, VendorPayment found) {
        Set<String> refs = decided.stream().map(RefundStore.Refunded::vendorRefundRef).filter(java.util.Objects::nonNull)
                .collect(Collectors.toCollection(java.util.HashSet::new));
        long amount = decided.stream().mapToLong(RefundStore.Refunded::amount).sum();
        boolean everyDecidedNamed = decided.stream().allMatch(d -> d.vendorRefundRef() != null);
        Set<String> counted = new java.util.HashSet<>(refs);
        for (VendorPayment.Cancellation c : found.cancellations()) {
            if (everyDecidedNamed && c.cancellationId() != null && prior.contains(c.cancellationId())
                    && counted.add(c.cancellationId())) {
                amount += c.amount();
            }
        }
        refs.addAll(prior);
        return new Accounted(refs, amount);
    }

    /**
     * The cancellation ids of the returns the ledger held before every open refund of the payment was
     * asked (up to the lowest of their ledger marks): each happened before any of these refunds could.
     * None when a refund has no mark (asked before paybridge kept one). A return the ledger then held
     * under a cumulative total (a record without a history) has no id there: the record's oldest returns up
     * to that total are those ({@link VendorRecordFacts#returnedBy}); null when the record cannot say which
     * are its oldest.
     */
    private Set<String> priorReturns(PaymentRecord payment, List<RefundRecord> open, VendorPayment found) {
        long mark = Long.MAX_VALUE;
        for (RefundRecord r : open) {
            if (r.ledgerMark() == null) {
                return Set.of();
            }
            mark = Math.min(mark, r.ledgerMark());
        }
        if (open.isEmpty()) {
            return Set.of();
        }
        paybridge.ledger.LedgerStore.Returns held = ledger.returns(payment.paymentId(), mark);
        Set<String> prior = new java.util.HashSet<>(held.cancellationIds());
        if (held.largestTotalKey() > 0) {
            java.util.Optional<Set<String>> byTotal = VendorRecordFacts.returnedBy(found, held.largestTotalKey());
            if (byTotal.isEmpty()) {
                return null;
            }
            prior.addAll(byTotal.get());
        }
        return prior;
    }

    /**
     * The ledger held returns under a total before the open refunds were asked, and the record cannot say
     * which of its returns those were: any of them may be a refund's, or none; nothing is concluded.
     */
    private static boolean leftUnordered(PaymentRecord payment, List<RefundRecord> refunds) {
        LOG.warn("reconcile paymentId={} refundIds={}: the ledger held returns under a cumulative total before these"
                + " refunds were asked, and the vendor's record cannot say which of its returns those were (one without"
                + " a time, or returns of one time on both sides of that total); left for an operator (compare with"
                + " the vendor console)", payment.paymentId(), refunds.stream().map(RefundRecord::refundId).toList());
        return false;
    }

    /**
     * The record lists every return with its own id (a vendor's cancel history, where its lookup
     * gives one) and every decided refund names the return it was: each return can then
     * be told apart, whatever else happened to the payment (a console cancel beside the refund).
     */
    private static boolean itemized(VendorPayment found, List<RefundStore.Refunded> decided) {
        long listed = 0;
        for (VendorPayment.Cancellation c : found.cancellations()) {
            if (c.cancellationId() == null) {
                return false;
            }
            listed += c.amount();
        }
        return listed == found.cancelledAmount() && decided.stream().allMatch(d -> d.vendorRefundRef() != null);
    }

    /**
     * The open refunds of a payment against an itemized record, amount by amount: a refund returns
     * exactly its amount in one return, so for the open refunds of amount {@code a} and the returns of
     * amount {@code a} nothing accounts for —
     * <ul>
     * <li>no such return: none of those refunds happened, each past its bound (and the vendor's settle
     *     horizon) is FAILED NOT_REFUNDED, its reservation released;</li>
     * <li>as many returns as refunds, all past their bounds: each REFUNDED with one of them (equal
     *     amounts are interchangeable: the money and the keys are the same), in one transaction;</li>
     * <li>otherwise (more returns of that amount than refunds: a console cancel of the same amount; or
     *     fewer): left for an operator.</li>
     * </ul>
     * Returns of other amounts are not these refunds' (console cancels, learnt by their webhooks).
     * True when {@code refund} itself was decided.
     */
    private boolean attributeByCancellation(RefundRecord refund, List<RefundRecord> open, PaymentRecord payment,
                                            VendorPayment found, Set<String> accountedRefs, Bounds bounds) {
        boolean thisOne = false;
        java.util.Map<Long, List<RefundRecord>> byAmount = open.stream()
                .collect(Collectors.groupingBy(RefundRecord::amount, java.util.LinkedHashMap::new, Collectors.toList()));
        for (var group : byAmount.entrySet()) {
            if (attributeAmount(group.getKey(), group.getValue(), payment, found, accountedRefs, bounds)
                    && group.getValue().stream().anyMatch(r -> r.refundId().equals(refund.refundId()))) {
                thisOne = refunds.find(refund.refundId()).map(r -> !r.status().isOpen()).orElse(false);
            }
        }
        return thisOne;
    }

    /**
     * One amount's open refunds against the unclaimed returns of that amount; true when any was decided.
     * A return the ledger held before the earliest of these refunds was asked is none of theirs, even when
     * an older open refund of another amount keeps it out of {@code accountedRefs} (a console cancel
     * learnt by its webhook between that refund and these).
     */
    private boolean attributeAmount(long amount, List<RefundRecord> same, PaymentRecord payment, VendorPayment found,
                                    Set<String> accountedRefs, Bounds bounds) {
        Set<String> beforeThese = priorReturns(payment, same, found);
        if (beforeThese == null) {
            return leftUnordered(payment, same);
        }
        java.util.Map<String, VendorPayment.Cancellation> returns = new java.util.LinkedHashMap<>();
        for (VendorPayment.Cancellation c : found.cancellations()) {
            if (c.amount() == amount && !accountedRefs.contains(c.cancellationId())
                    && !beforeThese.contains(c.cancellationId())) {
                returns.putIfAbsent(c.cancellationId(), c);
            }
        }
        if (returns.isEmpty()) {
            boolean any = false;
            for (RefundRecord r : same) {
                any |= settledBy(r, bounds) && concludeNotRefunded(r, payment);
            }
            return any;
        }
        boolean allPastBound = same.stream().allMatch(r -> landedBy(r, bounds));
        if (returns.size() != same.size() || !allPastBound) {
            LOG.warn("reconcile paymentId={}: {} open refund(s) of {} KRW, {} unclaimed return(s) of that amount at the "
                    + "vendor{}; left for an operator", payment.paymentId(), same.size(), amount, returns.size(),
                    allPastBound ? "" : " (one of the refunds may still be in flight)");
            return false;
        }
        List<VendorPayment.Cancellation> free = new java.util.ArrayList<>(returns.values());
        try {
            payments.holding(payment.paymentId(), () -> {
                if (heldUnderATotal(payment)) {
                    throw new DecidedMeanwhile();
                }
                for (RefundRecord r : same) {
                    VendorPayment.Cancellation c = free.remove(0);
                    if (!finishWith(payment, r, c.cancellationId())) {
                        throw new DecidedMeanwhile(); // an answer settled one: the next round sees the rest anew
                    }
                    // keyed by the return: if its webhook recorded it already, this is the same entry
                    ledger.append(event(payment, r, c.cancellationId(), found), LedgerSource.RECONCILE);
                }
                return null;
            });
        } catch (DecidedMeanwhile e) {
            return false;
        }
        same.forEach(r -> log(r, payment, "REFUNDED"));
        return true;
    }

    /**
     * Inside a transaction holding the payment's row: {@code refund} REFUNDED with the vendor's return
     * {@code cancellationId}, unless another refund's answer claimed that return since the decided refunds
     * were read, or the refund was decided meanwhile (false).
     */
    private boolean finishWith(PaymentRecord payment, RefundRecord refund, String cancellationId) {
        return !refunds.refundedWithRefByAnother(payment.paymentId(), cancellationId, refund.refundId())
                && refunds.finish(refund.refundId(), RefundState.REFUNDED, cancellationId, null);
    }

    /**
     * Inside a transaction holding the payment's row: whether a return was recorded under a cumulative
     * total (a lookup that listed no return ids, such as a Steppay receipt without {@code cancelHistory})
     * since the open refunds were asked. Such an entry may already hold their money, so crediting a
     * return by its id now could count it twice: the refunds are left for an operator.
     */
    private boolean heldUnderATotal(PaymentRecord payment) {
        long mark = refunds.openRefundsOnPayment(payment.paymentId()).stream()
                .mapToLong(r -> r.ledgerMark() == null ? 0 : r.ledgerMark()).min().orElse(Long.MAX_VALUE);
        if (ledger.returnsByTotalAfter(payment.paymentId(), mark) == 0) {
            return false;
        }
        LOG.warn("reconcile paymentId={}: a return recorded since the open refunds were asked is known only by the "
                + "payment's cumulative total and may hold their money; left for an operator (compare with the vendor "
                + "console)", payment.paymentId());
        return true;
    }

    /** FAILED NOT_REFUNDED and its reservation released, one transaction; false when decided meanwhile. */
    private boolean concludeNotRefunded(RefundRecord refund, PaymentRecord payment) {
        boolean settled = payments.holding(payment.paymentId(), () -> {
            if (!refunds.finish(refund.refundId(), RefundState.FAILED, null, new Failure(NOT_REFUNDED,
                    "The vendor returned nothing for this refund: it never happened"))) {
                return false;
            }
            payments.releaseRefund(payment.paymentId(), refund.amount());
            return true;
        });
        if (settled) {
            log(refund, payment, "FAILED " + NOT_REFUNDED);
        }
        return settled;
    }

    /**
     * Several refunds of one payment open at once (e.g. all left UNKNOWN by an outage): settled
     * together, since the vendor's record shows only what was returned in all.
     * <ul>
     * <li>nothing returned beyond what is accounted for: none of them happened — each one past its bound
     *     (and the vendor's settle horizon) is concluded FAILED NOT_REFUNDED, its reservation released
     *     (one still in flight waits for its answer or a later round);</li>
     * <li>once all are past their bounds, the vendor's unclaimed cancellations (distinct ids nothing
     *     accounts for) pair one-to-one by amount with the open refunds, and add up to exactly what
     *     was returned beyond what is accounted for: each refund REFUNDED with its cancellation, all in
     *     one transaction (equal amounts are interchangeable: the money and the keys are the same);</li>
     * <li>anything else: left for an operator (WARN).</li>
     * </ul>
     * True when {@code refund} itself was decided.
     */
    private boolean settleTogether(RefundRecord refund, List<RefundRecord> open, PaymentRecord payment,
                                   VendorPayment found, Accounted accounted, Bounds bounds) {
        Set<String> accountedRefs = accounted.refs();
        long accountedAmount = accounted.amount();
        if (found.cancelledAmount() == accountedAmount) {
            boolean thisOne = false;
            for (RefundRecord r : open) {
                if (settledBy(r, bounds) && concludeNotRefunded(r, payment)
                        && r.refundId().equals(refund.refundId())) {
                    thisOne = true;
                }
            }
            return thisOne;
        }
        java.util.Map<String, VendorPayment.Cancellation> unclaimed = new java.util.LinkedHashMap<>();
        for (VendorPayment.Cancellation c : found.cancellations()) {
            if (c.cancellationId() != null && !accountedRefs.contains(c.cancellationId())) {
                unclaimed.putIfAbsent(c.cancellationId(), c);
            }
        }
        long unclaimedSum = unclaimed.values().stream().mapToLong(VendorPayment.Cancellation::amount).sum();
        List<Long> cancelAmounts = unclaimed.values().stream().map(VendorPayment.Cancellation::amount).sorted().toList();
        List<Long> refundAmounts = open.stream().map(RefundRecord::amount).sorted().toList();
        boolean allPastBound = open.stream().allMatch(r -> landedBy(r, bounds));
        if (!allPastBound || unclaimedSum != found.cancelledAmount() - accountedAmount
                || !cancelAmounts.equals(refundAmounts)) {
            LOG.warn("reconcile refundId={} paymentId={}: {} refunds of the payment open ({} KRW), the vendor returned {} "
                    + "KRW nothing recorded accounts for, in {} unclaimed cancellation(s){}; left for an operator",
                    refund.refundId(), payment.paymentId(), open.size(), refundAmounts.stream().mapToLong(Long::longValue).sum(),
                    found.cancelledAmount() - accountedAmount, unclaimed.size(),
                    allPastBound ? "" : " (one of them may still be in flight)");
            return false;
        }
        List<VendorPayment.Cancellation> free = new java.util.ArrayList<>(unclaimed.values());
        try {
            payments.holding(payment.paymentId(), () -> {
                if (heldUnderATotal(payment)) {
                    throw new DecidedMeanwhile();
                }
                for (RefundRecord r : open) {
                    VendorPayment.Cancellation c = free.stream().filter(x -> x.amount() == r.amount()).findFirst()
                            .orElseThrow();
                    free.remove(c);
                    if (!finishWith(payment, r, c.cancellationId())) {
                        throw new DecidedMeanwhile(); // an answer settled one: the next round sees the rest anew
                    }
                    ledger.append(event(payment, r, c.cancellationId(), found), LedgerSource.RECONCILE);
                }
                return null;
            });
        } catch (DecidedMeanwhile e) {
            return false;
        }
        open.forEach(r -> log(r, payment, "REFUNDED"));
        return true;
    }

    /** Rolls a joint settlement back when one of its refunds was decided meanwhile. */
    private static final class DecidedMeanwhile extends RuntimeException {
        DecidedMeanwhile() {
            super("decided meanwhile", null, false, false);
        }
    }

    private static PaymentEvent event(PaymentRecord payment, RefundRecord refund, String cancellationId,
                                      VendorPayment found) {
        return new PaymentEvent(payment.vendor(), payment.paymentId(), payment.vendorPaymentRef(),
                payment.subscriptionId(), EventType.REFUNDED, -refund.amount(), payment.currency(), cancellationId,
                found.cancelledAmount(), Instant.now());
    }

    private static void log(RefundRecord refund, PaymentRecord payment, String outcome) {
        DecisionLog.info(LOG, "reconcile", payment.paymentId(), refund.refundId(), payment.vendor(), outcome, -1,
                "reconcile refundId={} paymentId={} vendor={} outcome={}", refund.refundId(), payment.paymentId(),
                payment.vendor(), outcome);
    }
}
