package paybridge.payments;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CommandReader;
import paybridge.canonical.EventType;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.PaymentStatus;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.vendor.ChargeOutcome;

/**
 * The exactly-once part of a charge, around the vendor call that dispatch.camel.yaml chooses:
 * {@link #read} the command, {@link #begin} (record the attempt before the vendor hears of it, or
 * replay the stored outcome), then {@link #complete} (record the vendor's outcome).
 */
public final class ChargeService {
    private static final Logger LOG = LoggerFactory.getLogger(ChargeService.class);
    /** Exchange property: true when the command was seen before and the body already holds its result. */
    public static final String REPLAY = "paybridgeReplay";
    public static final String COMMAND = "paybridgeCommand";
    /** Exchange property: who is charging ({@link LedgerSource}); API unless a billing run says BILLING_RUN. */
    public static final String LEDGER_SOURCE = "paybridgeLedgerSource";

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final PaymentView view;
    private final EnabledVendors vendors;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    public ChargeService(PaymentStore payments, LedgerStore ledger, PaymentView view, EnabledVendors vendors) {
        this.payments = payments;
        this.ledger = ledger;
        this.view = view;
        this.vendors = vendors;
    }

    /** Counts charge outcomes in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /** Body: the raw request. Out: a valid {@link PaymentCommand} of an enabled vendor (or 400/422). */
    public PaymentCommand read(byte[] body) {
        PaymentCommand command = CommandReader.read(body, "payment-command", PaymentCommand.class);
        vendors.require(command.vendor());
        if (command.method() == PaymentMethod.KEY_IN && command.saveBillingKey()
                && (command.billingKey() == null || command.billingKey().isBlank())) {
            // a fresh customer_uid, so two cards never share one (CONTRACT §2)
            command = command.withBillingKey("cu_" + command.customer().id().replaceAll("[^A-Za-z0-9_-]", "")
                    + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        }
        return command;
    }

    /**
     * Records the attempt (PENDING) before any vendor call. When the paymentId exists: same command
     * → the stored result and {@link #REPLAY}; another command → 409. An attempt that was certainly
     * never charged (NOT_CHARGED) is reopened for this send.
     */
    public void begin(Exchange exchange) {
        PaymentCommand command = exchange.getMessage().getBody(PaymentCommand.class);
        exchange.setProperty(COMMAND, command);
        String hash = RequestHash.of(command);
        if (payments.insertAttempt(command, hash)) {
            exchange.setProperty(REPLAY, false);
            return;
        }
        PaymentRecord existing = payments.find(command.paymentId())
                .orElseThrow(() -> ProblemException.of(409, "Payment changed concurrently", "Try again"));
        if (!existing.requestHash().equals(hash) && !sameKeyIn(existing, command)) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                    "Payment id already used", 409,
                    "paymentId " + command.paymentId() + " was used for a different command", java.util.List.of()));
        }
        if (payments.reopenNotCharged(command.paymentId())) {
            exchange.setProperty(REPLAY, false);
            return;
        }
        exchange.setProperty(REPLAY, true);
        exchange.getMessage().setBody(view.of(existing));
    }

    /** A generated customer_uid differs per request: compare the rest of the command then. */
    private static boolean sameKeyIn(PaymentRecord existing, PaymentCommand command) {
        return command.method() == PaymentMethod.KEY_IN && existing.billingKey() != null
                && RequestHash.of(command.withBillingKey(existing.billingKey())).equals(existing.requestHash());
    }

    /** Body: the vendor's {@link ChargeOutcome}. Out: the {@link PaymentResult} (or 502/503 when not attempted). */
    public PaymentResult complete(Exchange exchange) {
        PaymentCommand command = exchange.getProperty(COMMAND, PaymentCommand.class);
        ChargeOutcome outcome = exchange.getMessage().getBody(ChargeOutcome.class);
        return record(command.paymentId(), outcome, command.subscriptionId(),
                exchange.getProperty(LEDGER_SOURCE, LedgerSource.API, LedgerSource.class), exchange.getClock().elapsed());
    }

    /** Records a vendor outcome for an attempt; used by the API and by billing runs. */
    public PaymentResult record(String paymentId, ChargeOutcome outcome, String subscriptionId, LedgerSource source) {
        return record(paymentId, outcome, subscriptionId, source, -1);
    }

    /** As above; {@code durationMs} (since the request arrived, -1 unknown) goes to the decision log line. */
    public PaymentResult record(String paymentId, ChargeOutcome outcome, String subscriptionId, LedgerSource source,
                                long durationMs) {
        PaymentRecord attempt = payments.find(paymentId).orElseThrow();
        meters.charge(attempt.vendor(), outcome.status().name());
        DecisionLog.info(LOG, "charge", paymentId, null, attempt.vendor(), outcome.status().name(), durationMs,
                "charge paymentId={} vendor={} method={} outcome={}{} durationMs={}", paymentId, attempt.vendor(),
                attempt.method(), outcome.status(), outcome.failure() == null ? "" : " code=" + outcome.failure().code(),
                durationMs);
        switch (outcome.status()) {
            case NOT_ATTEMPTED -> {
                payments.forgetNotAttempted(paymentId);
                int status = "VENDOR_AUTH_REJECTED".equals(outcome.failure().code()) ? 502 : 503;
                throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-reached",
                        "Charge not attempted", status, "The vendor did not process the charge ("
                        + outcome.failure().code() + "); nothing was charged and paymentId " + paymentId
                        + " may be sent again", java.util.List.of()));
            }
            case UNKNOWN -> payments.settleOpen(paymentId, PaymentStatus.UNKNOWN, outcome.vendorPaymentRef(),
                    outcome.billingKey(), outcome.failure());
            case PENDING -> payments.settleOpen(paymentId, PaymentStatus.PENDING, outcome.vendorPaymentRef(),
                    outcome.billingKey(), null);
            case PAID -> settle(attempt, PaymentStatus.PAID, EventType.PAID, attempt.amount(), outcome, subscriptionId, source);
            case AWAITING_DEPOSIT -> settle(attempt, PaymentStatus.AWAITING_DEPOSIT, EventType.AWAITING_DEPOSIT, 0, outcome,
                    subscriptionId, source);
            case FAILED -> settle(attempt, PaymentStatus.FAILED, EventType.FAILED, 0, outcome, subscriptionId, source);
            default -> throw new IllegalStateException("Unhandled outcome " + outcome.status());
        }
        return view.find(paymentId).orElseThrow();
    }

    private void settle(PaymentRecord attempt, PaymentStatus status, EventType type, long amount, ChargeOutcome outcome,
                        String subscriptionId, LedgerSource source) {
        if (payments.settleOpen(attempt.paymentId(), status, outcome.vendorPaymentRef(), outcome.billingKey(),
                status == PaymentStatus.FAILED ? outcome.failure() : null)) {
            ledger.append(new PaymentEvent(attempt.vendor(), attempt.paymentId(), outcome.vendorPaymentRef(),
                    subscriptionId != null ? subscriptionId : attempt.subscriptionId(), type, amount, attempt.currency(),
                    null, 0, java.time.Instant.now()), source);
        }
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
