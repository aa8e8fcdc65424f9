package paybridge.payments;

import java.util.List;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.api.JsonResponses;
import paybridge.canonical.BillingKeyCommand;
import paybridge.canonical.BillingKeyResult;
import paybridge.canonical.CommandReader;
import paybridge.canonical.ExchangeProperties;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.connector.BillingKeyOutcome;
import paybridge.connector.BillingKeyRequest;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.http.OperationDeadline;
import paybridge.ledger.BillingKeyStore;

/**
 * {@code POST /api/billing-keys} (CONTRACT §2), exactly once per authorization: {@link #begin} records
 * the ask under the authKey's hash before the vendor hears of it (or answers the key issued the first
 * time, 200, without calling the vendor), the connector's issuance route asks the vendor (with an
 * Idempotency-Key derived from the authKey), {@link #complete} records the key and answers 201. Only
 * a connector whose capabilities say {@code billingKeyIssuance} issues keys; the others answer 422
 * with where their keys come from ({@link Connector#billingKeyOrigin()}).
 */
public final class BillingKeyService {
    private static final Logger LOG = LoggerFactory.getLogger(BillingKeyService.class);
    private static final String HASH = "paybridgeAuthKeyHash";
    private static final String ASKED_BEFORE = "paybridgeAuthKeyAskedBefore";

    private final BillingKeyStore store;
    private final ConnectorRegistry connectors;
    private final OperationDeadline deadline;

    public BillingKeyService(BillingKeyStore store, ConnectorRegistry connectors, OperationDeadline deadline) {
        this.store = store;
        this.connectors = connectors;
        this.deadline = deadline;
    }

    /**
     * Body: the raw request. Sets {@link ExchangeProperties#REPLAY} (the answer written: the key issued
     * before) or the vendor's issuance route in {@link ExchangeProperties#VENDOR_ROUTE} with a
     * {@link BillingKeyRequest} as the body.
     */
    public void begin(Exchange exchange) throws Exception {
        BillingKeyCommand command = CommandReader.read(exchange.getMessage().getBody(byte[].class),
                "billing-key-command", BillingKeyCommand.class);
        Connector connector = connectors.require(command.vendor());
        if (!connector.capabilities().billingKeyIssuance()) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/no-billing-key-issuance",
                    "Billing keys are not issued here", 422, connector.billingKeyOrigin(),
                    List.of(new FieldError("vendor", connector.billingKeyOrigin()))));
        }
        List<FieldError> refused = connector.refuse(command);
        if (!refused.isEmpty()) {
            // before the row: nothing is recorded for a command the vendor cannot take
            throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-refuses-command",
                    "Not acceptable to the vendor", 422, connector.id() + " cannot take this command", refused));
        }
        String vendor = connector.id();
        String customerId = command.customer().id();
        String hash = RequestHash.sha256(command.authKey());
        exchange.setProperty(ExchangeProperties.COMMAND, command);
        exchange.setProperty(ExchangeProperties.VENDOR, vendor);
        exchange.setProperty(HASH, hash);
        deadline.start(exchange);
        boolean askedBefore = false;
        if (!store.insert(vendor, hash, customerId, deadline.horizon())) {
            BillingKeyStore.Row row = store.find(vendor, hash)
                    .orElseThrow(() -> ProblemException.of(409, "Billing key changed concurrently", "Try again"));
            if (!row.customerId().equals(customerId)) {
                throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                        "authKey already used", 409, "This authKey was sent for another customer",
                        List.of(new FieldError("customer.id", "the authKey was sent for another customer"))));
            }
            if (row.issued()) {
                exchange.setProperty(ExchangeProperties.REPLAY, true);
                JsonResponses.write(exchange, 200, result(row));
                return;
            }
            if (!store.reclaim(vendor, hash, deadline.horizon())) {
                throw ProblemException.of(409, "Billing key being issued",
                        "The vendor is being asked for this authKey's billing key; send the same request again shortly");
            }
            // a PENDING row: an earlier ask's answer was lost (or its node died), and it may have issued the key
            askedBefore = true;
        }
        exchange.setProperty(ExchangeProperties.REPLAY, false);
        exchange.setProperty(ASKED_BEFORE, askedBefore);
        exchange.setProperty(ExchangeProperties.VENDOR_ROUTE, connector.issueBillingKeyRoute());
        // the vendor's idempotency key: the same for every ask of this authKey for this customer, and no secret
        // in it. The customer is in it: an authKey refused for the wrong customer (nothing kept here) and sent
        // again for its own would otherwise be answered the first refusal for as long as the vendor keeps keys
        String idempotencyKey = RequestHash.sha256(command.authKey() + "\n" + customerId).substring(0, 48);
        exchange.getMessage().setBody(new BillingKeyRequest(vendor, customerId, command.authKey(),
                "paybridge-billing-key-" + idempotencyKey, askedBefore));
    }

    /** Body: the connector's {@link BillingKeyOutcome}. Answers 201 with the key, or a problem. */
    public void complete(Exchange exchange) throws Exception {
        BillingKeyOutcome outcome = exchange.getMessage().getMandatoryBody(BillingKeyOutcome.class);
        BillingKeyCommand command = exchange.getProperty(ExchangeProperties.COMMAND, BillingKeyCommand.class);
        String vendor = exchange.getProperty(ExchangeProperties.VENDOR, String.class);
        String hash = exchange.getProperty(HASH, String.class);
        LOG.info("billing key vendor={} customerId={} outcome={}{}", vendor, command.customer().id(), outcome.status(),
                outcome.failure() == null ? "" : " code=" + outcome.failure().code());
        switch (outcome.status()) {
            case ISSUED -> {
                store.issued(vendor, hash, outcome.billingKey(), outcome.cardNumber(), outcome.cardIssuer());
                BillingKeyStore.Row row = store.find(vendor, hash).orElseThrow();
                JsonResponses.write(exchange, row.billingKey().equals(outcome.billingKey()) ? 201 : 200, result(row));
            }
            case REFUSED -> {
                store.forget(vendor, hash);
                String reason = outcome.failure().code() + ": " + outcome.failure().message();
                throw new ProblemException(new Problem("https://paybridge.dev/problems/authorization-refused",
                        "Authorization refused by the vendor", 422, reason, List.of(new FieldError("authKey", reason))));
            }
            case NOT_ATTEMPTED -> {
                // nothing processed now; but after an earlier ask whose answer was lost the row stays PENDING:
                // that ask may have issued the key, and a re-send must still be asked as a re-ask
                if (!exchange.getProperty(ASKED_BEFORE, false, Boolean.class)) {
                    store.forget(vendor, hash);
                } else {
                    store.release(vendor, hash);
                }
                boolean credentials = "VENDOR_AUTH_REJECTED".equals(outcome.failure().code());
                throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-reached",
                        "Billing key not issued", credentials ? 502 : 503, "The vendor did not process the request ("
                        + outcome.failure().code() + "); the same request may be sent again", List.of()));
            }
            case UNKNOWN -> throw new ProblemException(new Problem("https://paybridge.dev/problems/answer-lost",
                    "Billing key answer lost", 503, "The vendor's answer was lost (" + outcome.failure().code()
                    + "); send the same request again later: the vendor is asked again with the same idempotency key"
                    + " and answers the key it issued, never a second one", List.of()));
            default -> throw new IllegalStateException("Unhandled outcome " + outcome.status());
        }
    }

    private static BillingKeyResult result(BillingKeyStore.Row row) {
        return new BillingKeyResult(row.vendor(), row.billingKey(), new BillingKeyResult.CustomerRef(row.customerId()),
                new BillingKeyResult.CardRef(row.cardNumber(), row.cardIssuer()), row.issuedAt());
    }
}
