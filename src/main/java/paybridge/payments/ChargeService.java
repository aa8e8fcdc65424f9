package paybridge.payments;

import paybridge.canonical.ExchangeProperties;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CommandReader;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStatus;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.http.OperationDeadline;

/**
 * The exactly-once part of a charge, around the vendor call that dispatch.camel.yaml chooses:
 * {@link #read} the command, {@link #begin} (record the attempt before the vendor hears of it, or
 * replay the stored outcome), then {@link #complete} (record the vendor's outcome).
 */
public final class ChargeService {
    private static final Logger LOG = LoggerFactory.getLogger(ChargeService.class);
    /**
     * Exchange property: {@link System#nanoTime()} when this charge started, for the decision line's
     * durationMs where the exchange is not the charge's own (a billing run's split hands every charge a
     * copy of the run's exchange, whose clock started with the run). Unset: the exchange's clock.
     */
    static final String NOT_CHARGED_MESSAGE = "The vendor has no payment for this paymentId: it was never charged";

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final PaymentView view;
    private final ConnectorRegistry connectors;
    private final OperationDeadline deadline;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    public ChargeService(PaymentStore payments, LedgerStore ledger, PaymentView view, ConnectorRegistry connectors,
                         OperationDeadline deadline) {
        this.payments = payments;
        this.ledger = ledger;
        this.view = view;
        this.connectors = connectors;
        this.deadline = deadline;
    }

    /** Counts charge outcomes in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /** Body: the raw request. Out: a valid {@link PaymentCommand} of an enabled vendor (or 400/422). */
    public PaymentCommand read(byte[] body) {
        PaymentCommand command = CommandReader.read(body, "payment-command", PaymentCommand.class);
        connectors.require(command.vendor());
        if (command.method() == PaymentMethod.KEY_IN && command.saveBillingKey()
                && (command.billingKey() == null || command.billingKey().isBlank())) {
            // a customer_uid of this payment's own, so two cards never share one (CONTRACT §2); derived
            // from the paymentId, so a re-send of the paymentId names the key its first send stored at the
            // vendor even when paybridge lost the first send's row (README, "Money safety")
            command = command.withBillingKey("cu_" + command.customer().id().replaceAll("[^A-Za-z0-9_-]", "")
                    + "_" + keySuffix(command.paymentId()));
        }
        return command;
    }

    /** 12 hex digits of the paymentId's SHA-256: a paymentId is unique, so is the key made from it. */
    /**
     * The paymentId's row was there when the insert ran and gone when it was read: another send of the same
     * id recorded it and then forgot it, as not attempted. Nothing of this send reached the vendor either.
     */
    public static final String CHANGED_CONCURRENTLY = "https://paybridge.dev/problems/payment-changed-concurrently";

    static String keySuffix(String paymentId) {
        return RequestHash.sha256(paymentId).substring(0, 12);
    }

    /**
     * Body: a {@link PaymentCommand}. Its vendor must be enabled here (a 422 naming {@code vendor}
     * otherwise, before anything is recorded: a billing run's subscription may name a vendor disabled
     * since); sets {@link ExchangeProperties#VENDOR} and {@link ExchangeProperties#METHOD} for dispatch's choice.
     */
    public void vendor(Exchange exchange) {
        PaymentCommand command = exchange.getMessage().getBody(PaymentCommand.class);
        paybridge.connector.Connector connector = connectors.require(command.vendor());
        java.util.List<paybridge.canonical.FieldError> refused = connector.refuse(command);
        if (!refused.isEmpty()) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-refuses-command",
                    "Not acceptable to the vendor", 422, connector.id() + " cannot take this command", refused));
        }
        exchange.setProperty(ExchangeProperties.VENDOR, connector.id());
        exchange.setProperty(ExchangeProperties.METHOD, command.method().name());
    }

    /**
     * Body: a {@link PaymentCommand} no dispatch branch serves: always throws, before anything is
     * recorded. A 422 naming {@code method} and every vendor and method pair supported here, or
     * {@code vendor} when the vendor is not enabled.
     */
    public void unsupported(Exchange exchange) {
        PaymentCommand command = exchange.getMessage().getBody(PaymentCommand.class);
        throw connectors.unsupported(command.vendor(), command.method());
    }

    /**
     * Records the attempt (PENDING) before any vendor call. When the paymentId exists: same command
     * → the stored result and {@link ExchangeProperties#REPLAY}; another command → 409. An attempt concluded never
     * charged (NOT_CHARGED) is reopened for this send, unless it is a billing attempt (billing moves on
     * to the period's next attempt id instead). A reopened attempt stays a conclusion the vendor's
     * record may overturn: a refusal of its re-send is UNKNOWN, a re-send not attempted restores it.
     * <p>The operation's budget starts before the attempt is recorded, and the row's horizon
     * ({@code in_flight_until}) is counted by the database from the record: every request of the
     * operation starts within the budget and ends within one more call timeout, so at the horizon the
     * charge can no longer be in flight, whichever node's clock is off.
     */
    public void begin(Exchange exchange) {
        PaymentCommand command = exchange.getMessage().getBody(PaymentCommand.class);
        exchange.setProperty(ExchangeProperties.COMMAND, command);
        String hash = RequestHash.of(command);
        deadline.start(exchange);
        PaymentRecord inserted = payments.insert(command, hash, deadline.horizon()).orElse(null);
        if (inserted != null) {
            exchange.setProperty(ExchangeProperties.ATTEMPT, inserted);
            exchange.setProperty(ExchangeProperties.REPLAY, false);
            return;
        }
        PaymentRecord existing = payments.find(command.paymentId())
                .orElseThrow(() -> new ProblemException(new Problem(CHANGED_CONCURRENTLY, "Payment changed concurrently",
                        409, "Try again", java.util.List.of())));
        if (!existing.requestHash().equals(hash) && !sameKeyIn(existing, command)) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                    "Payment id already used", 409,
                    "paymentId " + command.paymentId() + " was used for a different command", java.util.List.of()));
        }
        // a billing attempt is never reopened: a stalled run could send it again after the period was
        // charged under its next attempt id; billing always moves on to the next id instead
        boolean billing = command.subscriptionId() != null || existing.subscriptionId() != null
                || exchange.getProperty(ExchangeProperties.LEDGER_SOURCE, LedgerSource.API, LedgerSource.class) == LedgerSource.BILLING_RUN;
        if (!billing && payments.reopenNotCharged(command.paymentId(), deadline.horizon())) { // RESENT_AFTER_NOT_CHARGED
            if (!existing.requestHash().equals(hash)) {
                // the same KEY_IN with a customer_uid generated anew for this request: sent with the one
                // its row holds (and keeps), so the vendor, the row, the answer and its event name one key
                command = command.withBillingKey(existing.billingKey());
                exchange.getMessage().setBody(command);
                exchange.setProperty(ExchangeProperties.COMMAND, command);
            }
            exchange.setProperty(ExchangeProperties.REPLAY, false);
            exchange.setProperty(ExchangeProperties.REOPENED, true);
            return;
        }
        exchange.setProperty(ExchangeProperties.REPLAY, true);
        exchange.getMessage().setBody(view.of(existing));
    }

    /** A generated customer_uid differs per request: compare the rest of the command then. */
    private static boolean sameKeyIn(PaymentRecord existing, PaymentCommand command) {
        return command.method() == PaymentMethod.KEY_IN && existing.billingKey() != null
                && RequestHash.of(command.withBillingKey(existing.billingKey())).equals(existing.requestHash());
    }

    /** Body: the vendor's {@link ChargeOutcome}. Out: the {@link PaymentResult} (or 502/503 when not attempted). */
    public PaymentResult complete(Exchange exchange) {
        PaymentCommand command = exchange.getProperty(ExchangeProperties.COMMAND, PaymentCommand.class);
        ChargeOutcome outcome = exchange.getMessage().getBody(ChargeOutcome.class);
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        if (attempt == null || !attempt.paymentId().equals(command.paymentId())) { // e.g. a reopened NOT_CHARGED attempt
            attempt = payments.find(command.paymentId()).orElseThrow();
        }
        if (exchange.getProperty(ExchangeProperties.REOPENED, false, Boolean.class) && outcome.status() == ChargeStatus.FAILED) {
            // the re-send of a NOT_CHARGED attempt refused: the refusal may be the vendor's answer to the
            // paymentId it did charge the first time (a vendor that refuses a duplicate order id), so it proves
            // nothing about the payment. It stays open (UNKNOWN, on reconcile's schedule, no reference of
            // the refusal's) until the vendor's record under the paymentId says charged, declined or nothing
            outcome = new ChargeOutcome(ChargeStatus.UNKNOWN, null, outcome.billingKey(),
                    outcome.failure());
        }
        return record(attempt, outcome, command.subscriptionId(),
                exchange.getProperty(ExchangeProperties.LEDGER_SOURCE, LedgerSource.API, LedgerSource.class), elapsedMillis(exchange));
    }

    private static long elapsedMillis(Exchange exchange) {
        // a billing item is a split's copy of the run's exchange: its route stamps its own start
        java.util.Date started = exchange.getProperty(ExchangeProperties.STARTED_AT, java.util.Date.class);
        return started == null ? exchange.getClock().elapsed() : System.currentTimeMillis() - started.getTime();
    }

    /**
     * Records a vendor outcome for the attempt. When this call settles the attempt, the answer is built
     * from the values just written, as of settling: a payment that was open until now has no money
     * returned yet (a webhook recording a cancellation in the next instant shows in GET). When
     * someone else settled it first (a webhook, reconcile), the answer is read back.
     * {@code durationMs} (since the request arrived, -1 unknown) goes to the decision log line.
     */
    private PaymentResult record(PaymentRecord attempt, ChargeOutcome outcome, String subscriptionId,
                                 LedgerSource source, long durationMs) {
        String paymentId = attempt.paymentId();
        meters.charge(attempt.vendor(), outcome.status().name());
        DecisionLog.info(LOG, "charge", paymentId, null, attempt.vendor(), outcome.status().name(), durationMs,
                "charge paymentId={} vendor={} method={} outcome={}{} durationMs={}", paymentId, attempt.vendor(),
                attempt.method(), outcome.status(), outcome.failure() == null ? "" : " code=" + outcome.failure().code(),
                durationMs);
        PaymentRecord settled = null;
        switch (outcome.status()) {
            case NOT_ATTEMPTED -> {
                if (!payments.forgetNotAttempted(paymentId)) { // NOT_ATTEMPTED
                    // a reopened NOT_CHARGED attempt (RESEND_NOT_ATTEMPTED): its conclusion (and the conclusion's
                    // ledger entry, and re-checks) again
                    payments.restoreNotCharged(paymentId, new PaymentEvent(attempt.vendor(), paymentId, null, null,
                            PaymentStates.only(Fact.NOT_CHARGED_PROVEN).ledgerEntry(), 0, attempt.currency(), null, 0,
                            null, PaymentEvent.NOT_CHARGED).eventKey(), NOT_CHARGED_MESSAGE);
                }
                int status = "VENDOR_AUTH_REJECTED".equals(outcome.failure().code()) ? 502 : 503;
                throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-reached",
                        "Charge not attempted", status, "The vendor did not process the charge ("
                        + outcome.failure().code() + "); nothing was charged and paymentId " + paymentId
                        + " may be sent again", java.util.List.of()));
            }
            case UNKNOWN -> settled = payments.inTransaction(() -> {
                // in one commit: a row the vendor says it is still processing never keeps the horizon that answer disproved
                PaymentRecord written = settle(attempt, Fact.ANSWER_LOST, outcome, outcome.failure(), subscriptionId, source);
                if (written != null && stillProcessing(outcome)) {
                    payments.stillInFlight(paymentId, deadline.horizon());
                }
                return written;
            });
            case PENDING -> settled = settle(attempt, Fact.VENDOR_PENDING, outcome, null, subscriptionId, source);
            case PAID -> settled = settle(attempt, Fact.VENDOR_PAID, outcome, null, subscriptionId, source);
            case AWAITING_DEPOSIT -> settled = settle(attempt, Fact.VENDOR_AWAITING_DEPOSIT, outcome, null, subscriptionId,
                    source);
            case FAILED -> settled = settle(attempt, Fact.VENDOR_DECLINED, outcome, outcome.failure(), subscriptionId, source);
            default -> throw new IllegalStateException("Unhandled outcome " + outcome.status());
        }
        if (settled == null && outcome.status() == ChargeStatus.PAID) {
            // decided meanwhile by a conclusion (never charged, an operator): the vendor's answer wins
            PaymentRecord now = payments.find(paymentId).orElseThrow();
            ConclusionOverturn.toPaid(payments, ledger, meters, now, outcome.vendorPaymentRef(), outcome.billingKey(),
                    Instant.now(), source);
        }
        if (settled == null && outcome.status() == ChargeStatus.FAILED && outcome.failure() != null) {
            // declined, and a lookup or webhook recorded the decline first: those only know the record's
            // status, the charge's own answer has the vendor's code, which the caller is told
            payments.refineDecline(paymentId, outcome.failure());
        }
        return settled != null ? view.ofUnrefunded(settled) : view.find(paymentId).orElseThrow();
    }

    /** The vendor answered that it is still processing the charge ({@link PaymentStates#STILL_PROCESSING}). */
    private static boolean stillProcessing(ChargeOutcome outcome) {
        return outcome.failure() != null && PaymentStates.STILL_PROCESSING.equals(outcome.failure().code());
    }

    /**
     * Settles the open attempt as the table says for {@code fact} and, for a decided outcome, appends its
     * ledger entry (none for UNKNOWN/PENDING: not a ledger fact) in the same transaction (one commit): no
     * decided payment without its money in the ledger, and no entry on an attempt someone else decided
     * meanwhile. Answers the row as written, or null when it was no longer open.
     */
    private PaymentRecord settle(PaymentRecord attempt, Fact fact, ChargeOutcome outcome, Failure failure,
                                 String subscriptionId, LedgerSource source) {
        // the attempt this charge recorded (or reopened) is PENDING; the statement settles it only if it still is open
        Transition move = PaymentStates.require(PaymentStatus.PENDING, fact);
        PaymentStatus status = move.to();
        EventType type = move.ledgerEntry();
        // as the statement writes it: never before the attempt's own time (this node may run behind the one
        // that wrote it; PaymentStore moves updated_at forward only)
        Instant clock = Sql.now();
        Instant now = attempt.updatedAt() != null && !clock.isAfter(attempt.updatedAt())
                ? attempt.updatedAt().plusNanos(1_000) : clock;
        // the row as the statement writes it; open until now, so nothing returned on it yet: the answer and
        // the entry's event carry it without reading it back
        PaymentRecord written = attempt.settled(status, outcome.vendorPaymentRef(), outcome.billingKey(), failure, now);
        if (type == null) {
            return payments.settleOpen(attempt.paymentId(), move, outcome.vendorPaymentRef(), outcome.billingKey(),
                    failure, now) ? written : null;
        }
        boolean settled = payments.inTransaction(() -> {
            if (!payments.settleOpen(attempt.paymentId(), move, outcome.vendorPaymentRef(), outcome.billingKey(),
                    failure, now)) {
                return false;
            }
            ledger.append(new PaymentEvent(attempt.vendor(), attempt.paymentId(), outcome.vendorPaymentRef(),
                    subscriptionId != null ? subscriptionId : attempt.subscriptionId(), type,
                    move.ledgerAmount(attempt.amount()), attempt.currency(), null, 0, now), source,
                    view.ofUnrefunded(written));
            return true;
        });
        return settled ? written : null;
    }

    /** {@code GET /api/payments/{paymentId}}. */
    public PaymentResult get(String paymentId) {
        return view.find(paymentId).orElseThrow(() -> ProblemException.of(404, "Payment not found",
                "No payment with paymentId " + paymentId));
    }

    /** 200 for an outcome, 202 while undecided (CONTRACT §2). */
    public static int httpStatus(PaymentResult result) {
        return result.status().isOpen() ? 202 : 200;
    }
}
