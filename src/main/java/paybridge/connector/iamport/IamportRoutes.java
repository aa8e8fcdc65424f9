package paybridge.connector.iamport;

import paybridge.canonical.ExchangeProperties;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.http.NotSentException;
import paybridge.connector.http.OperationDeadline;
import paybridge.connector.http.VendorCall;
import paybridge.connector.http.VendorCallTemplates;
import paybridge.connector.http.VendorHttp;

/**
 * iamport (PortOne v1, Settlebank key-in) operations as {@code direct:} routes. Each takes a
 * canonical body and answers a canonical one (ChargeOutcome, RefundOutcome, VendorPayment).
 * <p>
 * Internal routes: {@code iamport-send} makes exactly one HTTP request; {@code iamport-call} adds the
 * token and the one permitted re-send after a 401 (a 401 means rejected, not processed);
 * {@code iamport-call-safe} retries a call that changes nothing (lookups) on 5xx/I-O errors;
 * {@code iamport-token} fetches a token, retried likewise. Charges and refunds use
 * {@code iamport-call}: they are never re-sent after a timeout, a lost connection or a 5xx.
 * {@code iamport-send}, {@code iamport-call-safe} and {@code iamport-token} are made from the shared
 * {@link VendorCallTemplates}; {@code iamport-call} is iamport's own.
 */
final class IamportRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(IamportRoutes.class);
    static final String COMPONENT = "iamportHttp";

    private volatile ProducerTemplate template;

    /**
     * Built by {@link IamportConnector#routes()} only when the vendor is enabled (the constructor's
     * parameter keeps camel-main's package scan from adding these routes on its own).
     */
    IamportRoutes(IamportConnector connector) {
    }

    private static final String REFUSAL = "paybridgeIamportRefusal";

    @Override
    public void configure() throws Exception {
        // no error handler: failures travel back to the calling route (see routes/errors.camel.yaml)
        errorHandler(noErrorHandler());
        Settings settings = new Settings(getContext().getPropertiesComponent());
        String baseUrl = settings.get("paybridge.iamport.base-url", "https://api.iamport.kr");
        String apiKey = settings.get("paybridge.iamport.api-key", "");
        String apiSecret = settings.get("paybridge.iamport.api-secret", "");
        String pg = settings.get("paybridge.iamport.pg", "settle");
        var timeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));

        String endpoint = VendorHttp.install(getContext(), COMPONENT, timeout, baseUrl);

        IamportTokenCache tokens = new IamportTokenCache(() -> {
            // the token's tries count against the operation that needs the token (OperationDeadline.carry)
            Exchange done = template().send("direct:iamport-token", e -> {
                e.setProperty(ExchangeProperties.VENDOR_REQUEST, IamportRequests.getToken(apiKey, apiSecret));
                OperationDeadline.inherit(e);
            });
            return IamportResponses.token(VendorCall.reply(done));
        });
        getContext().getRegistry().bind("iamportTokenCache", tokens);

        // ---- operations (the exchange contract of the dispatch route)

        from("direct:iamport-keyin").routeId("iamport-keyin")
                .process(e -> {
                    PaymentCommand cmd = e.getMessage().getMandatoryBody(PaymentCommand.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, cmd);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, IamportRequests.keyIn(cmd, pg));
                })
                .to("direct:iamport-call")
                .process(e -> {
                    PaymentCommand cmd = e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class);
                    ChargeOutcome outcome = IamportResponses.keyIn(VendorCall.reply(e),
                            cmd.saveBillingKey() ? cmd.billingKey() : null);
                    logCharge("keyin", cmd, outcome);
                    e.getMessage().setBody(outcome);
                })
                .filter(e -> IamportResponses.refused(e.getMessage().getBody(ChargeOutcome.class)))
                    .to("direct:iamport-refusal-check")
                .end();

        from("direct:iamport-billing-key").routeId("iamport-billing-key")
                .process(e -> {
                    PaymentCommand cmd = e.getMessage().getMandatoryBody(PaymentCommand.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, cmd);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, IamportRequests.again(cmd));
                })
                .to("direct:iamport-call")
                .process(e -> {
                    PaymentCommand cmd = e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class);
                    ChargeOutcome outcome = IamportResponses.again(VendorCall.reply(e), cmd.billingKey());
                    logCharge("billing-key", cmd, outcome);
                    e.getMessage().setBody(outcome);
                })
                .filter(e -> IamportResponses.refused(e.getMessage().getBody(ChargeOutcome.class)))
                    .to("direct:iamport-refusal-check")
                .end();

        // a refused charge (IamportResponses.afterRefusal): iamport's record under the paymentId decides
        // whether the refusal stands; within the operation's deadline, like every call of the charge
        from("direct:iamport-refusal-check").routeId("iamport-refusal-check")
                .setProperty(REFUSAL, body())
                .process(e -> e.getMessage().setBody(
                        e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class).paymentId()))
                .doTry()
                    .to("direct:iamport-lookup-order")
                    .process(e -> {
                        PaymentCommand cmd = e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class);
                        VendorPayment record = e.getMessage().getBody(VendorPayment.class);
                        if (IamportResponses.holdsAnotherPayment(record, cmd.amount(), cmd.billingKey())) {
                            LOG.error("iamport refused paymentId={} and holds payment {} ({} {} KRW) under it that is not"
                                    + " this charge: an operator should look at it", cmd.paymentId(),
                                    record.vendorPaymentRef(), record.status(), record.amount());
                        }
                        e.getMessage().setBody(IamportResponses.afterRefusal(e.getProperty(REFUSAL, ChargeOutcome.class),
                                record, cmd.amount(), cmd.billingKey()));
                    })
                .doCatch(Exception.class)
                    .process(e -> {
                        e.getMessage().setBody(IamportResponses.refusalUnchecked(
                                e.getProperty(REFUSAL, ChargeOutcome.class), e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
                        // handled here: nothing after this route may take it for the charge's failure
                        e.removeProperty(Exchange.EXCEPTION_CAUGHT);
                    })
                .end()
                .removeProperty(REFUSAL);

        from("direct:iamport-refund").routeId("iamport-refund")
                .process(e -> {
                    RefundRequest refund = e.getMessage().getMandatoryBody(RefundRequest.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, refund);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, IamportRequests.cancel(refund));
                })
                .to("direct:iamport-call")
                .process(e -> {
                    RefundRequest refund = e.getProperty(ExchangeProperties.VENDOR_COMMAND, RefundRequest.class);
                    RefundOutcome outcome = IamportResponses.refund(VendorCall.reply(e), refund.amount(),
                            refund.claimedCancellations());
                    LOG.debug("iamport refund paymentId={} refundId={} outcome={}{}", refund.paymentId(), refund.refundId(),
                            outcome.status(), outcome.failure() == null ? "" : " code=" + outcome.failure().code());
                    e.getMessage().setBody(outcome);
                });

        from("direct:iamport-lookup-order").routeId("iamport-lookup-order")
                .process(e -> e.setProperty(ExchangeProperties.VENDOR_REQUEST,
                        IamportRequests.findByMerchantUid(e.getMessage().getMandatoryBody(String.class))))
                .to("direct:iamport-call-safe")
                .process(e -> e.getMessage().setBody(lookup(e)));

        from("direct:iamport-lookup-ref").routeId("iamport-lookup-ref")
                .process(e -> e.setProperty(ExchangeProperties.VENDOR_REQUEST,
                        IamportRequests.byImpUid(e.getMessage().getMandatoryBody(String.class))))
                .to("direct:iamport-call-safe")
                .process(e -> e.getMessage().setBody(lookup(e)));

        // ---- internal

        // one authenticated call; a 401 is answered by one re-send with a fresh token
        from("direct:iamport-call").routeId("iamport-call")
                .doTry()
                    .process(e -> e.setProperty(ExchangeProperties.VENDOR_BEARER, OperationDeadline.carry(e, tokens::token)))
                    .to("direct:iamport-send")
                    .filter(VendorCall.UNAUTHORIZED)
                        .process(e -> e.setProperty(ExchangeProperties.VENDOR_BEARER, OperationDeadline.carry(e,
                                () -> tokens.renew(e.getProperty(ExchangeProperties.VENDOR_BEARER, String.class)))))
                        .to("direct:iamport-send")
                    .endDoTry()
                .doCatch(NotSentException.class)
                    .process(VendorCall::captureError)
                .end()
                .removeProperty(ExchangeProperties.VENDOR_BEARER);

        // a call that changes nothing at the vendor (lookups, the token): up to 3 tries, 200 ms then 400 ms apart
        VendorCallTemplates.safeCall(this, "iamport-call-safe", "direct:iamport-call");
        VendorCallTemplates.safeCall(this, "iamport-token", "direct:iamport-send");
        // exactly one HTTP request: nothing that came in may steer it, no automatic retry
        VendorCallTemplates.send(this, "iamport-send", IamportWebhooks.VENDOR, endpoint);
    }

    private VendorPayment lookup(Exchange e) {
        return IamportResponses.lookup(VendorCall.reply(e));
    }

    // DEBUG: the payment decision line (ChargeService, RefundService) reports every outcome at INFO
    private static void logCharge(String operation, PaymentCommand cmd, ChargeOutcome outcome) {
        LOG.debug("iamport {} paymentId={} outcome={}{}", operation, cmd.paymentId(), outcome.status(),
                outcome.failure() == null ? "" : " code=" + outcome.failure().code());
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    template = getContext().createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }
}
