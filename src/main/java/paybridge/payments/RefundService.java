package paybridge.payments;

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
import paybridge.canonical.RefundStatus;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.RefundRecord;
import paybridge.ledger.RefundStore;
import paybridge.observe.DecisionLog;
import paybridge.observe.PaybridgeMeters;
import paybridge.vendor.RefundOutcome;
import paybridge.vendor.RefundRequest;

/**
 * Refunds, exactly once and never more than was paid: the refund is recorded under its refundId,
 * its amount reserved on the payment by one conditional UPDATE (so concurrent refunds cannot
 * together exceed the amount), then sent; the vendor's answer settles or releases the reservation.
 */
public final class RefundService {
    private static final Logger LOG = LoggerFactory.getLogger(RefundService.class);
    public static final String REPLAY = "paybridgeReplay";
    public static final String VENDOR = "paybridgeVendor";
    private static final String REFUND = "paybridgeRefund";

    private final PaymentStore payments;
    private final RefundStore refunds;
    private final LedgerStore ledger;
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    public RefundService(PaymentStore payments, RefundStore refunds, LedgerStore ledger) {
        this.payments = payments;
        this.refunds = refunds;
        this.ledger = ledger;
    }

    /** Counts refund outcomes in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
    }

    /**
     * Body: the raw request. Out: a {@link RefundRequest} for the vendor route and the vendor's name
     * in {@link #VENDOR}; or, for a refundId seen before, its stored result and {@link #REPLAY}.
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
        if (payment.status() != PaymentStatus.PAID) {
            throw ProblemException.of(422, "Payment not refundable", "Payment " + payment.paymentId() + " is "
                    + payment.status() + "; only a PAID payment can be refunded");
        }
        long remaining = payment.amount() - payment.refundReserved();
        long amount = command.amount() == null ? remaining : command.amount();
        if (amount <= 0 || amount > remaining || !refunds.insert(command.refundId(), payment.paymentId(), hash, amount,
                command.reason())) {
            if (refunds.find(command.refundId()).isPresent()) {
                return replay(exchange, refunds.find(command.refundId()).get(), hash, payment);
            }
            throw tooMuch(amount, remaining);
        }
        if (!payments.reserveRefund(payment.paymentId(), amount)) {
            refunds.forget(command.refundId());
            throw tooMuch(amount, payment.amount() - payments.find(payment.paymentId()).orElseThrow().refundReserved());
        }
        exchange.setProperty(REPLAY, false);
        long confirmedRemaining = payment.amount() - ledger.returned(payment.paymentId());
        RefundRequest request = new RefundRequest(command.refundId(), payment.paymentId(), payment.vendorPaymentRef(),
                amount, confirmedRemaining, command.reason() == null ? "refund" : command.reason());
        exchange.setProperty(REFUND, request);
        return request;
    }

    private Object replay(Exchange exchange, RefundRecord existing, String hash, PaymentRecord payment) {
        if (!existing.requestHash().equals(hash)) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                    "Refund id already used", 409, "refundId " + existing.refundId()
                    + " was used for a different refund", List.of()));
        }
        exchange.setProperty(REPLAY, true);
        Failure failure = existing.failureCode() == null ? null : new Failure(existing.failureCode(), existing.failureMessage());
        RefundStatus status = switch (existing.status()) {
            case "REFUNDED" -> RefundStatus.REFUNDED;
            case "FAILED" -> RefundStatus.FAILED;
            default -> RefundStatus.UNKNOWN;
        };
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
        RefundRequest request = exchange.getProperty(REFUND, RefundRequest.class);
        RefundOutcome outcome = exchange.getMessage().getBody(RefundOutcome.class);
        PaymentRecord payment = payments.find(request.paymentId()).orElseThrow();
        long durationMs = exchange.getClock().elapsed();
        meters.refund(payment.vendor(), outcome.status().name());
        DecisionLog.info(LOG, "refund", request.paymentId(), request.refundId(), payment.vendor(),
                outcome.status().name(), durationMs, "refund refundId={} paymentId={} vendor={} outcome={} durationMs={}",
                request.refundId(), request.paymentId(), payment.vendor(), outcome.status(), durationMs);
        RefundStatus status;
        switch (outcome.status()) {
            case REFUNDED -> {
                // -1: the vendor's answer did not say the cumulative total; the ledger knows the rest
                long total = outcome.refundedTotal() >= 0 ? outcome.refundedTotal()
                        : ledger.returned(payment.paymentId()) + outcome.refundedNow();
                ledger.append(new PaymentEvent(payment.vendor(), payment.paymentId(), payment.vendorPaymentRef(),
                        payment.subscriptionId(), EventType.REFUNDED, -outcome.refundedNow(), payment.currency(),
                        outcome.cancellationId(), total, Instant.now()), LedgerSource.API);
                refunds.finish(request.refundId(), "REFUNDED", outcome.cancellationId(), null);
                status = RefundStatus.REFUNDED;
            }
            case FAILED -> {
                payments.releaseRefund(payment.paymentId(), request.amount());
                refunds.finish(request.refundId(), "FAILED", null, outcome.failure());
                status = RefundStatus.FAILED;
            }
            case UNKNOWN -> {
                // the money stays reserved: the refund may have happened
                refunds.finish(request.refundId(), "UNKNOWN", null, outcome.failure());
                status = RefundStatus.UNKNOWN;
            }
            default -> {
                payments.releaseRefund(payment.paymentId(), request.amount());
                refunds.forget(request.refundId());
                throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-reached",
                        "Refund not attempted", 503, "The vendor did not process the refund ("
                        + outcome.failure().code() + "); refundId " + request.refundId() + " may be sent again", List.of()));
            }
        }
        long returned = ledger.returned(payment.paymentId());
        return new RefundResult(request.refundId(), payment.paymentId(), status, request.amount(), returned,
                payment.amount() - returned, outcome.failure());
    }

    public static int httpStatus(RefundResult result) {
        return result.status() == RefundStatus.UNKNOWN ? 202 : 200;
    }
}
