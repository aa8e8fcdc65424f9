package paybridge.payments;

import java.time.Instant;
import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CommandReader;
import paybridge.canonical.Failure;
import paybridge.canonical.FieldError;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentEvent;
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

/** {@code POST /api/payments/{paymentId}/resolve}: an operator settles a stuck payment after checking the vendor. */
public final class OperatorService {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorService.class);

    /** The operator's decision (schemas/resolve-command.schema.json). */
    public record ResolveCommand(PaymentStatus status, String reason, String vendorPaymentRef) {
    }

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final PaymentView view;

    public OperatorService(PaymentStore payments, LedgerStore ledger, PaymentView view) {
        this.payments = payments;
        this.ledger = ledger;
        this.view = view;
    }

    /**
     * Settles a PENDING or UNKNOWN payment as the operator says: the state and its ledger entry in one
     * transaction. Refused (409) while the charge can still be in flight ({@code in_flight_until}, on
     * the database's clock): the vendor may yet charge it, and a FAILED now would let a billing run
     * charge the period again.
     */
    public PaymentResult resolve(Exchange exchange) {
        String paymentId = exchange.getMessage().getHeader("paymentId", String.class);
        ResolveCommand command = CommandReader.read(exchange.getMessage().getBody(byte[].class), "resolve-command",
                ResolveCommand.class);
        PaymentRecord attempt = payments.find(paymentId).orElseThrow(() -> ProblemException.of(404,
                "Payment not found", "No payment with paymentId " + paymentId));
        Fact fact = command.status() == PaymentStatus.PAID ? Fact.OPERATOR_RESOLVED_PAID : Fact.OPERATOR_RESOLVED_FAILED;
        // none for a payment already decided (or one the table does not let an operator move): 409 below
        Transition move = PaymentStates.find(attempt.status(), fact).orElse(null);
        Failure failure = move == null || move.failureCode() == null ? null
                : new Failure(keptCode(attempt, move.failureCode()), command.reason());
        String ref = command.vendorPaymentRef() != null ? command.vendorPaymentRef() : attempt.vendorPaymentRef();
        if (command.vendorPaymentRef() != null) {
            // a vendor's reference names one payment: pasted from another one, it is the operator's slip
            payments.findForVendorRecord(attempt.vendor(), command.vendorPaymentRef(), null)
                    .filter(other -> !other.paymentId().equals(paymentId))
                    .ifPresent(other -> {
                        throw referenceTaken(command.vendorPaymentRef(), attempt.vendor(), other.paymentId());
                    });
        }
        boolean settled;
        try {
            settled = move != null && payments.inTransaction(() -> {
                if (!payments.settleOpenLanded(paymentId, move, command.vendorPaymentRef(), failure)) {
                    return false;
                }
                ledger.append(new PaymentEvent(attempt.vendor(), paymentId, ref, attempt.subscriptionId(),
                        move.ledgerEntry(), move.ledgerAmount(attempt.amount()), attempt.currency(), null, 0,
                        Instant.now()), LedgerSource.OPERATOR);
                return true;
            });
        } catch (RuntimeException e) {
            if (command.vendorPaymentRef() != null && uniqueViolation(e)) {
                // recorded on another payment between the check and the update (its webhook, say)
                throw referenceTaken(command.vendorPaymentRef(), attempt.vendor(), "another payment");
            }
            throw e;
        }
        if (!settled) {
            PaymentRecord now = payments.find(paymentId).orElseThrow();
            if (now.status().isOpen()) {
                PaymentStore.InFlight flight = payments.inFlight(paymentId).orElseThrow();
                if (!flight.landed()) {
                    throw ProblemException.of(409, "Payment may still be in flight", "Payment " + paymentId + " is "
                            + now.status() + " and its charge may still be in flight at the vendor; it may be resolved from "
                            + flight.until());
                }
                throw ProblemException.of(409, "Payment changed concurrently", "Try again");
            }
            throw ProblemException.of(409, "Payment already decided", "Payment " + paymentId + " is "
                    + now.status() + "; only PENDING or UNKNOWN can be resolved");
        }
        LOG.info("resolve paymentId={} vendor={} outcome={} source=OPERATOR", paymentId, attempt.vendor(), command.status());
        return view.find(paymentId).orElseThrow();
    }

    /**
     * The failure code an operator's FAILED is stored with: {@code OPERATOR} (a conclusion the vendor's record
     * may overturn), except for a payment whose vendor record is known not to tell it apart from another
     * system's ({@link PaymentStates#ORDER_ID_IN_USE}): that code is kept, so no record under its order id
     * ever overturns the operator's decision.
     */
    private static String keptCode(PaymentRecord attempt, String code) {
        return PaymentStates.OPERATOR.equals(code) && PaymentStates.ORDER_ID_IN_USE.equals(attempt.failureCode())
                ? PaymentStates.ORDER_ID_IN_USE : code;
    }

    /** 422 naming the field: nothing was changed. */
    private static ProblemException referenceTaken(String ref, String vendor, String holder) {
        return new ProblemException(new Problem("https://paybridge.dev/problems/vendor-reference-taken",
                "Vendor reference belongs to another payment", 422, "vendorPaymentRef " + ref + " of " + vendor
                + " is recorded on " + holder + "; nothing was changed",
                List.of(new FieldError("vendorPaymentRef", "recorded on " + holder + ": check the vendor console"))));
    }

    private static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
