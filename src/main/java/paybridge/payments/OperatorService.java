package paybridge.payments;

import java.time.Instant;
import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CommandReader;
import paybridge.canonical.ExchangeProperties;
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
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.VendorPayment;
import paybridge.ledger.LedgerStore;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;

/** {@code POST /api/payments/{paymentId}/resolve}: an operator settles a stuck payment after checking the vendor. */
public final class OperatorService {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorService.class);

    /** The operator's decision (schemas/resolve-command.schema.json). */
    public record ResolveCommand(PaymentStatus status, String reason, String vendorPaymentRef) {
    }

    /** The command, read once by {@link #prepareCheck}, and the request's headers (paymentId, who, why), kept while the vendor's lookup runs. */
    private static final String COMMAND = "paybridgeResolveCommand";
    private static final String HEADERS = "paybridgeResolveHeaders";
    /** The vendor's record under the typed reference, once checked: its money facts are what the resolve records. */
    private static final String RECORD = "paybridgeResolveRecord";

    private final PaymentStore payments;
    private final LedgerStore ledger;
    private final PaymentView view;
    private final ConnectorRegistry connectors;

    public OperatorService(PaymentStore payments, LedgerStore ledger, PaymentView view, ConnectorRegistry connectors) {
        this.payments = payments;
        this.ledger = ledger;
        this.view = view;
        this.connectors = connectors;
    }

    /**
     * Before anything is written: a reference the operator types for a PAID is one the vendor must show as this
     * payment, charged (a refund later cancels whatever the vendor holds under it: pasted from another payment,
     * it would return that payment's money). Sets the lookup for the route to make ({@code paybridgeLookupRoute},
     * {@code paybridgeLookupKey}) when there is one to make; none for a reference the payment already holds
     * (the vendor's own answer) or a resolve without one. A FAILED names no vendor payment: one typed with it
     * would be held as this payment's, and every later record of the real one refused as another payment's.
     */
    public void prepareCheck(Exchange exchange) {
        ResolveCommand command = CommandReader.read(exchange.getMessage().getBody(byte[].class), "resolve-command",
                ResolveCommand.class);
        exchange.setProperty(COMMAND, command);
        String ref = command.vendorPaymentRef();
        if (ref == null) {
            return;
        }
        if (command.status() != PaymentStatus.PAID) {
            throw invalidRef("only a PAID resolve names the vendor's payment: leave it out of a FAILED one");
        }
        String paymentId = exchange.getMessage().getHeader("paymentId", String.class);
        PaymentRecord attempt = payments.find(paymentId).orElse(null);
        if (attempt == null || !attempt.status().isOpen() || ref.equals(attempt.vendorPaymentRef())) {
            return; // 404, 409, or the reference the vendor answered with: resolve decides
        }
        if (ref.equals(attempt.billingKey())) {
            throw notThisPayment(ref, attempt, "it is the billing key this payment was charged on, not a payment");
        }
        Connector connector = connectors.find(attempt.vendor()).orElseThrow(() -> notThisPayment(ref, attempt,
                "it cannot be checked: " + attempt.vendor() + " is not enabled on this node"));
        exchange.setProperty(ExchangeProperties.ATTEMPT, attempt);
        exchange.setProperty(HEADERS, new java.util.HashMap<>(exchange.getMessage().getHeaders()));
        exchange.setProperty(ExchangeProperties.LOOKUP_ROUTE, connector.lookupByVendorRefRoute());
        exchange.setProperty(ExchangeProperties.LOOKUP_KEY, ref);
    }

    /** The vendor's record under the typed reference (the body) must be this payment, charged; the request's headers are back. */
    public void checkRecord(Exchange exchange) {
        VendorPayment found = exchange.getMessage().getBody(VendorPayment.class);
        PaymentRecord attempt = exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class);
        String ref = exchange.getProperty(ExchangeProperties.LOOKUP_KEY, String.class);
        String why = recordContradicts(attempt, ref, found);
        if (why != null) {
            LOG.warn("resolve paymentId={} vendor={}: the typed vendorPaymentRef is refused: {}", attempt.paymentId(),
                    attempt.vendor(), why);
            throw notThisPayment(ref, attempt, why);
        }
        exchange.setProperty(RECORD, found);
        exchange.getMessage().setHeaders(exchange.getProperty(HEADERS, java.util.Map.class));
    }

    /** The lookup could not be made: nothing changed, the operator may try again. */
    public void lookupFailed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof IllegalArgumentException) {
            // the connector's own rule for its references (characters, length): never sent
            throw invalidRef("not a reference " + exchange.getProperty(ExchangeProperties.ATTEMPT, PaymentRecord.class)
                    .vendor() + " uses");
        }
        throw ProblemException.of(503, "Vendor unavailable", "The vendor could not be asked for the payment under"
                + " vendorPaymentRef; nothing was changed, try again");
    }

    /** Why the vendor's record under a typed reference is not this payment charged; null when it is. */
    static String recordContradicts(PaymentRecord attempt, String ref, VendorPayment found) {
        if (!found.found()) {
            return "the vendor has no payment under it";
        }
        // a lookup route may find a payment by something else than its reference (Toss's "order:" form, by
        // order id): what is stored must be the vendor's own reference, or a later webhook under the real
        // one would be another payment
        if (!ref.equals(found.vendorPaymentRef())) {
            return "the vendor's payment found by it is " + found.vendorPaymentRef();
        }
        if (found.orderId() != null && !found.orderId().equals(attempt.paymentId())) {
            return "the vendor's payment under it is order " + found.orderId();
        }
        if (found.amount() != attempt.amount()) {
            return "the vendor's payment under it is of " + found.amount() + ", this one of " + attempt.amount();
        }
        if (ReconcileService.decided(found.status()) != PaymentStatus.PAID) {
            return "the vendor's payment under it is " + (found.status() == null ? "not finished" : found.status());
        }
        return null;
    }

    /**
     * Settles a PENDING or UNKNOWN payment as the operator says: the state and its ledger entry in one
     * transaction. Refused (409) while the charge can still be in flight ({@code in_flight_until}, on
     * the database's clock): the vendor may yet charge it, and a FAILED now would let a billing run
     * charge the period again.
     */
    public PaymentResult resolve(Exchange exchange) {
        String paymentId = exchange.getMessage().getHeader("paymentId", String.class);
        ResolveCommand command = exchange.getProperty(COMMAND, ResolveCommand.class); // read by prepareCheck
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
        // the vendor's record checked under the typed reference: every money fact it shows (a return made
        // meanwhile too), as reconcile would record them; else the operator's word, one entry
        VendorPayment record = command.status() == PaymentStatus.PAID ? exchange.getProperty(RECORD, VendorPayment.class) : null;
        boolean settled;
        try {
            settled = move != null && payments.inTransaction(() -> {
                payments.lock(paymentId);
                if (!payments.settleOpenLanded(paymentId, move, command.vendorPaymentRef(), failure)) {
                    return false;
                }
                if (record != null) {
                    for (PaymentEvent event : VendorRecordFacts.events(attempt.vendor(), paymentId, attempt.subscriptionId(),
                            record, attempt.amount(), () -> ledger.returns(paymentId))) {
                        ledger.append(event, LedgerSource.OPERATOR);
                    }
                } else {
                    ledger.append(new PaymentEvent(attempt.vendor(), paymentId, ref, attempt.subscriptionId(),
                            move.ledgerEntry(), move.ledgerAmount(attempt.amount()), attempt.currency(), null, 0,
                            Instant.now()), LedgerSource.OPERATOR);
                }
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

    private static ProblemException invalidRef(String message) {
        return new ProblemException(Problem.invalid("1 invalid field(s)", List.of(new FieldError("vendorPaymentRef", message))));
    }

    /** 422 naming the field: the vendor's record under the reference is not this payment charged; nothing was changed. */
    private static ProblemException notThisPayment(String ref, PaymentRecord attempt, String why) {
        return new ProblemException(new Problem("https://paybridge.dev/problems/vendor-reference-not-this-payment",
                "Vendor reference is not this payment", 422, "vendorPaymentRef " + ref + " of " + attempt.vendor()
                + " is not payment " + attempt.paymentId() + " charged: " + why + "; nothing was changed",
                List.of(new FieldError("vendorPaymentRef", why))));
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
