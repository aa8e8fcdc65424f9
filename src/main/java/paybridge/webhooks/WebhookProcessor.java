package paybridge.webhooks;

import paybridge.canonical.ExchangeProperties;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.InboxState;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.connector.ClaimCheck;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.VendorWebhook;
import paybridge.connector.WebhookRules;
import paybridge.webhooks.WebhookInbox.Claim;

/**
 * Verifies a claimed inbox entry against the vendor's record and records it (webhooks.camel.yaml
 * calls {@link #prepare}, routes to the vendor's lookup it names, then {@link #apply}; a failed lookup
 * goes to {@link #failed}). What the body claims and how it compares with the record are the
 * vendor's connector's ({@link WebhookRules}); the looked-up record decides, never the webhook body:
 * <ul>
 * <li>unknown at the vendor, or a claim the record contradicts (order id, amount, status), or a
 *     record that contradicts paybridge's payment (amount, order id, reference, decided state):
 *     REJECTED with the reason, nothing changed;</li>
 * <li>a claim the record does not show yet but may still (a deposit, a cancel the lookup does not
 *     reflect yet), or a payment the vendor has not finished: PENDING, retried with the backoff;
 *     a claim still not shown after the last retry is REJECTED with the reason;</li>
 * <li>otherwise every money fact the record shows is appended to the ledger (source ExchangeProperties.WEBHOOK):
 *     PAID, then one entry per cancellation; or AWAITING_DEPOSIT, FAILED, ABANDONED. Event keys
 *     make duplicates and out-of-order deliveries converge; an open attempt is settled, an
 *     AWAITING_DEPOSIT one moves on; a payment paybridge did not start is recorded as EXTERNAL.</li>
 * <li>an entry whose vendor is not enabled here (stored before it was disabled): PENDING with the
 *     reason, not counted as an attempt, looked at again every
 *     {@code paybridge.webhook.disabled-vendor-retry}, so it is verified once its vendor is enabled
 *     again. Never REJECTED for it: nothing is known against the delivery, and a vendor disabled for
 *     a while must not lose its deliveries.</li>
 * </ul>
 */
public final class WebhookProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookProcessor.class);
    /**
     * How many lookups of a delivery naming a payment the vendor does not know must answer so before it is
     * REJECTED (lookups that failed do not count).
     */
    static final int UNKNOWN_ATTEMPTS = 4;
    private static final Pattern PAYMENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    private final WebhookInbox inbox;
    private final PaymentStore payments;
    private final ExternalPayments external;
    private final LedgerStore ledger;
    private final WebhookMetrics metrics;
    private final WebhookSettings settings;
    private final Supplier<ConnectorRegistry> connectors;
    private final CamelContext context;

    /** @param connectors the enabled connectors (bound by another configuration: asked for per entry) */
    public WebhookProcessor(WebhookInbox inbox, PaymentStore payments, ExternalPayments external, LedgerStore ledger,
                            WebhookMetrics metrics, WebhookSettings settings, Supplier<ConnectorRegistry> connectors,
                            CamelContext context) {
        this.connectors = connectors;
        this.context = context;
        this.inbox = inbox;
        this.payments = payments;
        this.external = external;
        this.ledger = ledger;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Reads a stored body as the vendor's webhook; {@link MalformedWebhookException} when it cannot. */
    public static VendorWebhook parse(WebhookRules rules, String contentType, String body) {
        return rules.parse(WebhookBody.fields(contentType, body));
    }

    // ---- the queue

    /** Due entries claimed for this node (the poll route). */
    public List<Claim> claimDue() {
        return inbox.claimDue(settings.batchSize());
    }

    /**
     * The fast path right after intake: the entry just stored, claimed if still due; null when someone
     * else has it. The intake hands over the stored entry when its body is small, else only its id
     * (the queue in between would otherwise hold up to its size in webhook bodies).
     */
    public Claim claimNew(Exchange exchange) {
        InboxEntry stored = exchange.getProperty(ExchangeProperties.INBOX_ENTRY, InboxEntry.class);
        if (stored == null) {
            stored = inbox.find(exchange.getProperty(ExchangeProperties.INBOX_ID, String.class)).orElse(null);
        }
        return stored == null ? null : inbox.claimSeen(stored).orElse(null);
    }

    // ---- one entry

    /**
     * Body: a {@link Claim}. Out: the vendor reference to look up as the body and the vendor's lookup
     * route in {@link ExchangeProperties#LOOKUP_ROUTE}; or {@link ExchangeProperties#WEBHOOK_SKIP} when the entry is finished or left for later here (an
     * unreadable body: REJECTED; a vendor not enabled here: PENDING).
     */
    public void prepare(Exchange exchange) throws Exception {
        Claim claim = exchange.getMessage().getMandatoryBody(Claim.class);
        exchange.setProperty(ExchangeProperties.WEBHOOK_CLAIM, claim);
        InboxEntry entry = claim.entry();
        if (!inbox.holdToStart(claim)) {
            LOG.info("webhook {} inboxId={}: its claim ran out before a worker was free and another node has it now;"
                    + " left to that node", entry.vendor(), entry.inboxId());
            exchange.setProperty(ExchangeProperties.WEBHOOK_SKIP, true);
            return;
        }
        Optional<Connector> connector = connectors.get().find(entry.vendor());
        if (connector.isEmpty()) {
            String reason = "vendor " + entry.vendor() + " is not enabled here (paybridge.vendors): kept until it is";
            inbox.park(claim, reason, settings.disabledVendorRetry());
            LOG.warn("webhook {} inboxId={} left PENDING: {}; looked at again in {}", entry.vendor(), entry.inboxId(),
                    reason, settings.disabledVendorRetry());
            exchange.setProperty(ExchangeProperties.WEBHOOK_SKIP, true);
            return;
        }
        try {
            VendorWebhook webhook = parse(connector.get().webhooks(), entry.contentType(), entry.body());
            if (!entry.vendor().equals(webhook.vendor())) {
                // a connector's parse names its own vendor: anything else would match another vendor's payments
                throw new IllegalStateException("the " + entry.vendor() + " connector read a webhook of " + webhook.vendor());
            }
            if (webhook.isIgnored()) {
                inbox.finish(claim, InboxState.PROCESSED, "not about a payment (" + webhook.claimedStatus() + "): stored only",
                        null, null, null);
                exchange.setProperty(ExchangeProperties.WEBHOOK_SKIP, true);
                return;
            }
            exchange.setProperty(ExchangeProperties.WEBHOOK, webhook);
            exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, connector.get().lookupByVendorRefRoute());
            exchange.setProperty(ExchangeProperties.WEBHOOK_SKIP, false);
            exchange.getMessage().setBody(webhook.vendorRef());
        } catch (MalformedWebhookException e) {
            inbox.finish(claim, InboxState.REJECTED, "malformed: " + e.getMessage(), null, null, null);
            metrics.count(entry.vendor(), WebhookMetrics.Outcome.REJECTED);
            exchange.setProperty(ExchangeProperties.WEBHOOK_SKIP, true);
        }
    }

    /** Body: the vendor's record ({@link VendorPayment}). Verifies, records, and finishes the entry. */
    public void apply(Exchange exchange) {
        Claim claim = exchange.getProperty(ExchangeProperties.WEBHOOK_CLAIM, Claim.class);
        VendorWebhook webhook = exchange.getProperty(ExchangeProperties.WEBHOOK, VendorWebhook.class);
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof VendorPayment found)) {
            throw new VendorUnavailableException("the vendor lookup gave no answer", null);
        }
        InboxEntry entry = claim.entry();
        Outcome outcome = decide(webhook, found, connectors.get().require(entry.vendor()).webhooks());
        if (outcome.retry()) {
            // a cap on looks answered "unknown" counts those answers only (this one too): a lookup that failed
            // (the vendor unreachable) was an attempt, but said nothing about the payment
            int looks = outcome.unknownLook() ? entry.unknownLooks() + 1 : entry.attempts();
            boolean scheduleLeft = settings.retryDelay(entry.attempts()) != null;
            boolean looksLeft = !outcome.unknownLook() || looks < outcome.attemptsAtMost();
            // retried; or, when an outage used up the schedule before the vendor answered "unknown" often
            // enough to reject it, flagged for an operator (retry() flags when no delay is left)
            if (!outcome.rejectWhenExhausted() || looksLeft && (scheduleLeft || outcome.unknownLook())) {
                retry(claim, outcome.reason(), outcome.unknownLook());
                return;
            }
            // the vendor's record never caught up with the claim on any retry: now it is rejected
            outcome = Outcome.rejected(outcome.reason() + (outcome.unknownLook()
                    ? "; still unknown after " + looks + " lookups that answered (" + entry.attempts() + " attempts)"
                    : "; still not shown after " + looks + " attempts"), null);
        }
        boolean finished = inbox.finish(claim, outcome.status(), outcome.reason(), outcome.paymentId(),
                outcome.eventType() == null ? null : outcome.eventType().name(), webhook.vendorRef());
        if (outcome.status() == InboxState.REJECTED) {
            metrics.count(entry.vendor(), WebhookMetrics.Outcome.REJECTED);
            LOG.warn("webhook {} inboxId={} REJECTED: {}", entry.vendor(), entry.inboxId(), outcome.reason());
        } else {
            metrics.count(entry.vendor(), WebhookMetrics.Outcome.PROCESSED);
            LOG.info("webhook {} inboxId={} PROCESSED paymentId={} event={}{}", entry.vendor(), entry.inboxId(),
                    outcome.paymentId(), outcome.eventType(), finished ? "" : " (claim lost meanwhile)");
        }
    }

    /** The lookup (or anything else) failed: PENDING with backoff, flagged after the last retry. */
    public void failed(Exchange exchange) {
        Claim claim = exchange.getProperty(ExchangeProperties.WEBHOOK_CLAIM, Claim.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason;
        if (cause instanceof VendorUnavailableException) {
            reason = "vendor lookup failed: " + cause.getMessage();
            LOG.warn("webhook {} inboxId={}: {}", claim.entry().vendor(), claim.entry().inboxId(), reason);
        } else {
            reason = "processing failed (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")";
            LOG.error("webhook {} inboxId={}: processing failed", claim.entry().vendor(), claim.entry().inboxId(), cause);
        }
        retry(claim, reason, false);
    }

    /** @param unknownLook the lookup answered that the vendor does not know the payment */
    private void retry(Claim claim, String reason, boolean unknownLook) {
        int attempts = claim.entry().attempts();
        Duration delay = settings.retryDelay(attempts);
        if (delay == null) {
            inbox.retryLater(claim, reason + "; flagged after " + attempts + " attempts: replay it when the cause is fixed",
                    null, true, unknownLook);
            metrics.count(claim.entry().vendor(), WebhookMetrics.Outcome.FLAGGED);
            LOG.warn("webhook {} inboxId={} flagged after {} attempts", claim.entry().vendor(), claim.entry().inboxId(), attempts);
        } else {
            inbox.retryLater(claim, reason, delay, false, unknownLook);
            metrics.count(claim.entry().vendor(), WebhookMetrics.Outcome.RETRIED);
        }
    }

    // ---- verification and normalization

    /**
     * @param retry               look again later (PENDING, with the backoff)
     * @param rejectWhenExhausted after the last retry: REJECTED with the reason (a claim the record
     *                            never showed), rather than flagged for an operator
     * @param attemptsAtMost      rejected (as when exhausted) once the entry was tried this often; 0: every retry
     */
    record Outcome(InboxState status, String reason, String paymentId, EventType eventType, boolean retry,
                   boolean rejectWhenExhausted, int attemptsAtMost) {
        Outcome(InboxState status, String reason, String paymentId, EventType eventType, boolean retry) {
            this(status, reason, paymentId, eventType, retry, false, 0);
        }

        static Outcome rejected(String reason, String paymentId) {
            return new Outcome(InboxState.REJECTED, reason, paymentId, null, false);
        }

        static Outcome retryLater(String reason) {
            return new Outcome(InboxState.PENDING, reason, null, null, true);
        }

        /** The record does not show the claim yet but may still: retried, rejected if it never does. */
        static Outcome notShownYet(String reason) {
            return new Outcome(InboxState.PENDING, reason, null, null, true, true, 0);
        }

        /**
         * The vendor's lookup does not know the payment at all: retried only over the first few retries (a
         * lookup lagging its own notification catches up in minutes), so a forged reference costs a few lookups,
         * not one per retry over two days.
         */
        static Outcome unknownYet(String reason) {
            return new Outcome(InboxState.PENDING, reason, null, null, true, true, UNKNOWN_ATTEMPTS);
        }

        /** The lookup answered that the vendor does not know the payment (counted against the cap). */
        boolean unknownLook() {
            return attemptsAtMost > 0;
        }
    }

    Outcome decide(VendorWebhook webhook, VendorPayment found, WebhookRules rules) {
        String vendor = webhook.vendor();
        if (!found.found()) {
            // a vendor's lookup may lag behind its own notification (and vendors do not send it again after
            // our 200): retried like a claim not shown yet; still unknown after the last retry, REJECTED
            return Outcome.unknownYet("unknown at the vendor: its lookup does not show this payment (not shown yet?)");
        }
        if (found.status() == PaymentStatus.PENDING) {
            return Outcome.retryLater("the vendor has not finished this payment yet");
        }
        ClaimCheck check = rules.check(webhook, found);
        if (check.behind()) {
            return Outcome.notShownYet(check.reason());
        }
        if (!check.isConsistent()) {
            return Outcome.rejected(check.reason(), null);
        }
        PaymentStatus state = decided(found.status());
        EventType headline = headline(found.status());

        // which paybridge payment: the vendor reference it was answered with, else the vendor's order id
        String orderId = found.orderId() != null && PAYMENT_ID.matcher(found.orderId()).matches() ? found.orderId() : null;
        Optional<PaymentRecord> ours = found.vendorPaymentRef() == null && orderId == null ? Optional.empty()
                : payments.findForVendorRecord(vendor, found.vendorPaymentRef(), orderId);
        if (ours.isPresent() && anotherUnderTheSameOrderId(ours.get(), found)) {
            // the vendor holds another payment under an order id one of ours holds under its own reference (a
            // checkout tried again after one was abandoned, an order number used twice): a payment of its own,
            // recorded under its reference, never merged into ours nor dropped
            LOG.warn("webhook {}: order id {} is held by payment {} under another reference; the vendor's payment {} is"
                    + " recorded as a payment of its own (a second charge of that order? check it)", vendor, orderId,
                    ours.get().paymentId(), found.vendorPaymentRef());
            ours = Optional.empty();
            orderId = null;
        }
        if (ours.isPresent()) {
            String known = ours.get().paymentId();
            // the payment's new state and every money fact the record shows commit together, decided from
            // the row as it is under its lock: an operator's FAILED or reconcile's "never charged" committed
            // since the read above is overturned, never left FAILED beside the PAID entry recorded here
            return payments.holding(known, () -> {
                PaymentRecord now = payments.find(known).orElse(null);
                if (now == null) {
                    // forgotten meanwhile (its charge was never attempted): what the record names is looked at again
                    return Outcome.retryLater("the payment was forgotten meanwhile");
                }
                String changed = mismatch(vendor, now, found, state);
                if (changed != null) {
                    return Outcome.rejected(changed, now.paymentId());
                }
                settle(now, found, state);
                record(vendor, now.paymentId(), now.subscriptionId(), found, now.amount());
                return new Outcome(InboxState.PROCESSED, null, now.paymentId(), headline, false);
            });
        }

        // a payment paybridge did not start: under the vendor's order id, else <vendor>-<reference>
        String paymentId = orderId != null ? orderId : externalPaymentId(vendor, found.vendorPaymentRef());
        if (found.amount() <= 0) {
            record(vendor, paymentId, null, found, found.amount());
            return new Outcome(InboxState.PROCESSED, "a 0-won payment: no money to record", paymentId, headline, false);
        }
        // its row, its ledger entries and their events commit together
        return payments.inTransaction(() -> {
            boolean inserted = external.insert(paymentId, vendor, found.amount(),
                    PaymentStates.require(null, PaymentStates.vendorSays(state)), found.vendorPaymentRef(),
                    found.billingKey(), state == PaymentStatus.FAILED ? new Failure("VENDOR_DECLINED", found.failureReason()) : null);
            if (!inserted) {
                // a concurrent duplicate has the id first, or another payment the reference
                Optional<PaymentRecord> now = payments.find(paymentId);
                if (now.isEmpty()) {
                    return Outcome.retryLater("the vendor reference was recorded on another payment meanwhile");
                }
                String mismatch = mismatch(vendor, now.get(), found, state);
                if (mismatch != null) {
                    return Outcome.rejected(mismatch, paymentId);
                }
                // recorded first by another delivery (an earlier state: the account's issue): moved as this
                // record says, never left behind the money recorded below
                settle(now.get(), found, state);
            }
            record(vendor, paymentId, null, found, found.amount());
            return new Outcome(InboxState.PROCESSED, null, paymentId, headline, false);
        });
    }

    /** A record found by its order id alone, while the payment holding that id is bound to another reference. */
    private static boolean anotherUnderTheSameOrderId(PaymentRecord p, VendorPayment found) {
        return p.vendor().equals(found.vendor()) && p.vendorPaymentRef() != null && found.vendorPaymentRef() != null
                && !p.vendorPaymentRef().equals(found.vendorPaymentRef());
    }

    /**
     * The paymentId of a payment paybridge did not start and whose order id is none of paybridge's:
     * {@code <vendor>-<reference>}, or, when that is no paymentId (a reference too long, such as Toss's
     * paymentKeys, or with other characters), {@code <vendor>-} and a digest of the reference: the same
     * reference always names the same payment.
     */
    static String externalPaymentId(String vendor, String vendorPaymentRef) {
        String id = vendor + "-" + vendorPaymentRef;
        return PAYMENT_ID.matcher(id).matches() ? id
                : vendor + "-" + paybridge.payments.RequestHash.sha256(vendorPaymentRef).substring(0, 24);
    }

    /** Why the vendor's record cannot be this paybridge payment, or null when it can. */
    private static String mismatch(String vendor, PaymentRecord p, VendorPayment found, PaymentStatus state) {
        if (!vendor.equals(p.vendor())) {
            return "paymentId " + p.paymentId() + " is a " + p.vendor() + " payment";
        }
        if (p.vendorPaymentRef() != null && !p.vendorPaymentRef().equals(found.vendorPaymentRef())) {
            return "the payment is known under another vendor reference";
        }
        if (p.orderIdHeldElsewhere() && p.status().isOpen()) {
            return "the vendor answered paymentId " + p.paymentId() + "'s first ask that its order id is in use: the"
                    + " record may be another system's payment; an operator resolves it";
        }
        // an external payment whose vendor order id could not be a paymentId is kept under its reference
        // (only one recorded as external and bound to it: a caller may choose any paymentId for its own)
        boolean underVendorRef = "EXTERNAL".equals(p.method()) && p.vendorPaymentRef() != null
                && p.paymentId().equals(externalPaymentId(vendor, found.vendorPaymentRef()));
        if (found.orderId() != null && !found.orderId().equals(p.paymentId()) && !underVendorRef) {
            return "order id in the vendor's record differs from paymentId " + p.paymentId();
        }
        if (p.amount() != found.amount()) {
            return "amount differs: the vendor says " + found.amount() + ", paybridge expects " + p.amount();
        }
        PaymentStatus ourState = p.status();
        boolean compatible = switch (ourState) {
            case PENDING, UNKNOWN, AWAITING_DEPOSIT -> true;
            case PAID, PARTIALLY_REFUNDED, CANCELLED -> state == PaymentStatus.PAID;
            // a FAILED that paybridge (or an operator) concluded, not the vendor: its record showing the
            // payment charged is not a contradiction but the fact that wins (settle overturns it)
            case FAILED -> state == ourState
                    || state == PaymentStatus.PAID && paybridge.payments.ConclusionOverturn.overturnable(p);
            case ABANDONED -> state == ourState;
        };
        return compatible ? null
                : "the vendor's record (" + found.status() + ") contradicts paybridge's state " + ourState;
    }

    /**
     * Moves the payment's state where the record allows: open → decided, AWAITING_DEPOSIT → paid/failed,
     * a concluded FAILED (never charged, an operator's) the record shows charged → PAID with its entry
     * and an alert.
     */
    private void settle(PaymentRecord p, VendorPayment found, PaymentStatus state) {
        if (state == PaymentStatus.PAID && paybridge.payments.ConclusionOverturn.overturnable(p)) {
            paybridge.payments.ConclusionOverturn.toPaid(payments, ledger,
                    paybridge.observe.PaybridgeMeters.of(context), p, found.vendorPaymentRef(),
                    found.billingKey(), found.occurredAt(), LedgerSource.WEBHOOK);
        } else if (p.status().isOpen()) {
            payments.settleOpen(p.paymentId(), PaymentStates.require(p.status(), PaymentStates.vendorSays(state)),
                    found.vendorPaymentRef(), found.billingKey(),
                    state == PaymentStatus.FAILED ? new Failure("VENDOR_DECLINED", found.failureReason()) : null);
        } else if (p.status() == PaymentStatus.AWAITING_DEPOSIT) {
            // the deposit, or the account's end; a record still awaiting it moves nothing
            PaymentStates.depositMove(state).ifPresent(t -> payments.changeDecided(p.paymentId(), t,
                    found.vendorPaymentRef(), paybridge.payments.VendorRecordFacts.failure(t, found)));
        }
    }

    /** Appends every money fact of the record (idempotent on the event keys). */
    private void record(String vendor, String paymentId, String subscriptionId, VendorPayment found, long amount) {
        // with the payment's row held: a return keyed by the cumulative amount is computed from the ledger's
        // returned sum, and an API refund finishing at the same moment reads that sum under the same lock
        payments.inTransaction(() -> {
            payments.lock(paymentId);
            for (PaymentEvent event : events(vendor, paymentId, subscriptionId, found, amount,
                    () -> ledger.returns(paymentId))) {
                ledger.append(event, LedgerSource.WEBHOOK);
            }
            return null;
        });
    }

    /**
     * The ledger facts a looked-up record shows (the mapping is shared with reconcile:
     * {@link paybridge.payments.VendorRecordFacts#events}).
     */
    static List<PaymentEvent> events(String vendor, String paymentId, String subscriptionId, VendorPayment found,
                                     long amount, java.util.function.Supplier<paybridge.ledger.LedgerStore.Returns> recorded) {
        return paybridge.payments.VendorRecordFacts.events(vendor, paymentId, subscriptionId, found, amount, recorded);
    }

    /** The payment's state from the record: anything once paid is PAID (returns are ledger facts). */
    static PaymentStatus decided(PaymentStatus vendorStatus) {
        return switch (vendorStatus) {
            case PAID, PARTIALLY_REFUNDED, CANCELLED -> PaymentStatus.PAID;
            default -> vendorStatus;
        };
    }

    /** The canonical event the delivery stands for (CONTRACT §4 mapping), from the record. */
    static EventType headline(PaymentStatus vendorStatus) {
        return switch (vendorStatus) {
            case PAID -> EventType.PAID;
            case PARTIALLY_REFUNDED -> EventType.PARTIALLY_REFUNDED;
            case CANCELLED -> EventType.CANCELLED;
            case AWAITING_DEPOSIT -> EventType.AWAITING_DEPOSIT;
            case FAILED -> EventType.FAILED;
            case ABANDONED -> EventType.ABANDONED;
            default -> null;
        };
    }
}
