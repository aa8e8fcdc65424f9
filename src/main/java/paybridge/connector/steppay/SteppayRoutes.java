package paybridge.connector.steppay;

import paybridge.canonical.ExchangeProperties;
import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundOutcomeStatus;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.OperationDeadline;
import paybridge.connector.http.VendorCall;
import paybridge.connector.http.VendorCallTemplates;
import paybridge.connector.http.VendorHttp;

/**
 * Steppay "Self" payment operations as {@code direct:} routes: billing-key charges, refunds and
 * receipt lookups. Internal: {@code steppay-send} makes exactly one HTTP request (charges and
 * refunds: never re-sent); {@code steppay-call-safe} retries a receipt lookup on 5xx/I-O errors. Both
 * are made from the shared {@link VendorCallTemplates}.
 * Steppay has no idempotency key, so a billing call whose answer is lost stays UNKNOWN until a
 * webhook or a lookup settles it.
 */
final class SteppayRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(SteppayRoutes.class);
    static final String COMPONENT = "steppayHttp";

    /**
     * Built by {@link SteppayConnector#routes()} only when the vendor is enabled (the constructor's
     * parameter keeps camel-main's package scan from adding these routes on its own).
     */
    SteppayRoutes(SteppayConnector connector) {
    }

    @Override
    public void configure() throws Exception {
        // no error handler: failures travel back to the calling route (see routes/errors.camel.yaml)
        errorHandler(noErrorHandler());
        Settings settings = new Settings(getContext().getPropertiesComponent());
        String baseUrl = settings.get("paybridge.steppay.base-url", "https://api.steppay.kr");
        String secretToken = settings.get("paybridge.steppay.secret-token", "");
        // the refund document spells the header Secret-Key, most likely a typo: configurable
        String refundHeader = settings.get("paybridge.steppay.refund-header", "Secret-Token");
        var timeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));

        String endpoint = VendorHttp.install(getContext(), COMPONENT, timeout, baseUrl);
        Map<String, String> auth = Map.of("Secret-Token", secretToken);
        Map<String, String> refundAuth = Map.of(refundHeader, secretToken);

        from("direct:steppay-billing-key").routeId("steppay-billing-key")
                .process(e -> {
                    PaymentCommand cmd = e.getMessage().getMandatoryBody(PaymentCommand.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, cmd);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, SteppayRequests.billing(cmd));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS, auth);
                })
                .to("direct:steppay-send")
                .process(e -> {
                    PaymentCommand cmd = e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class);
                    ChargeOutcome outcome = SteppayResponses.billing(VendorCall.reply(e), cmd.billingKey());
                    // DEBUG: the payment decision line (ChargeService) reports the outcome at INFO
                    LOG.debug("steppay billing-key paymentId={} outcome={}{}", cmd.paymentId(), outcome.status(),
                            outcome.failure() == null ? "" : " code=" + outcome.failure().code());
                    e.getMessage().setBody(outcome);
                });

        from("direct:steppay-refund").routeId("steppay-refund")
                .process(e -> {
                    RefundRequest refund = e.getMessage().getMandatoryBody(RefundRequest.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, refund);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, SteppayRequests.cancel(refund));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS, refundAuth);
                })
                .to("direct:steppay-send")
                .process(e -> e.setProperty(ExchangeProperties.VENDOR_OUTCOME, SteppayResponses.refund(VendorCall.reply(e))))
                // Steppay's cancel answer has no cumulative total: read it from the receipt (safe, retried)
                .filter(e -> e.getProperty(ExchangeProperties.VENDOR_OUTCOME, RefundOutcome.class).status() == RefundOutcomeStatus.REFUNDED)
                    .process(e -> {
                        RefundRequest refund = e.getProperty(ExchangeProperties.VENDOR_COMMAND, RefundRequest.class);
                        // the operation's budget bounds the cancel, not this read after it: a cancel answered
                        // at the budget's end still gets its receipt (else its return is keyed apart)
                        e.removeProperty(ExchangeProperties.OPERATION_DEADLINE);
                        e.setProperty(ExchangeProperties.VENDOR_REQUEST, SteppayRequests.receipt(refund.vendorPaymentRef()));
                        e.setProperty(ExchangeProperties.VENDOR_HEADERS, auth);
                    })
                    .to("direct:steppay-call-safe")
                    .process(e -> {
                        RefundRequest refund = e.getProperty(ExchangeProperties.VENDOR_COMMAND, RefundRequest.class);
                        VendorPayment receipt;
                        try {
                            receipt = SteppayResponses.lookup(VendorCall.reply(e));
                        } catch (VendorUnavailableException unavailable) {
                            receipt = null; // the refund happened all the same
                        }
                        e.setProperty(ExchangeProperties.VENDOR_OUTCOME, SteppayResponses.withTotal(e.getProperty(ExchangeProperties.VENDOR_OUTCOME, RefundOutcome.class),
                                receipt, refund.remainingBefore()));
                    })
                .end()
                .process(e -> {
                    RefundRequest refund = e.getProperty(ExchangeProperties.VENDOR_COMMAND, RefundRequest.class);
                    RefundOutcome outcome = e.getProperty(ExchangeProperties.VENDOR_OUTCOME, RefundOutcome.class);
                    LOG.debug("steppay refund paymentId={} refundId={} outcome={}{}", refund.paymentId(), refund.refundId(),
                            outcome.status(), outcome.failure() == null ? "" : " code=" + outcome.failure().code());
                    e.getMessage().setBody(outcome);
                });

        from("direct:steppay-lookup-ref").routeId("steppay-lookup-ref")
                .process(e -> {
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, SteppayRequests.receipt(e.getMessage().getMandatoryBody(String.class)));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS, auth);
                })
                .to("direct:steppay-call-safe")
                .process(e -> e.getMessage().setBody(SteppayResponses.lookup(VendorCall.reply(e))));

        // ---- internal

        // a call that changes nothing at the vendor (receipt lookups): up to 3 tries, 200 ms then 400 ms apart
        VendorCallTemplates.safeCall(this, "steppay-call-safe", "direct:steppay-send");
        // exactly one HTTP request: nothing that came in may steer it, no automatic retry
        VendorCallTemplates.send(this, "steppay-send", SteppayWebhooks.VENDOR, endpoint);
    }
}
