package paybridge.connector.toss;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.Settings;
import paybridge.canonical.ExchangeProperties;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.BillingKeyOutcome;
import paybridge.connector.BillingKeyRequest;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.VendorCall;
import paybridge.connector.http.VendorCallTemplates;
import paybridge.connector.http.VendorHttp;
import paybridge.connector.http.VendorReply;

/**
 * Toss Payments operations as {@code direct:} routes: billing-key charges, billing-key issuance,
 * cancels and lookups (by paymentKey, by orderId).
 * <p>
 * Every charge, cancel and issuance carries an {@code Idempotency-Key} derived from what it is (the
 * attempt's paymentId, the refundId, the authKey), so {@code toss-ask} may ask again when an answer
 * was lost (a timeout, a connection lost after sending, a 5xx): Toss answers a repeated key with its
 * first answer instead of doing the work again (TOSS.md, "Idempotency"). Up to {@value #ASKS} asks,
 * 200 ms then 400 ms apart, each within the operation's budget; an answer still lost after them is
 * UNKNOWN, and reconcile's lookup settles it. A later ask that could not be sent never turns an earlier
 * lost answer into "not attempted", and a refusal of a later ask is read knowing an earlier one was lost
 * ({@link #LOST_BEFORE}).
 * <p>
 * A 5xx is not kept under the Idempotency-Key (Toss did not finish, or did and failed afterwards), so
 * a re-ask after it runs the work again. A charge may be re-asked: its orderId is used once
 * ({@code DUPLICATED_ORDER_ID}), so a charge the 5xx hid is refused and left UNKNOWN for the lookup by
 * orderId, never made twice. A cancel has no such guard (two cancels of a partial amount both return
 * money), so a cancel is asked once: an answer that never came may have been a 5xx after the money left
 * (a timeout, a connection reset), and a re-ask would then run it again. UNKNOWN, and reconcile's lookup
 * decides. An issuance may be re-asked: its authKey issues once. Lookups use {@code toss-call-safe} (retried on
 * 5xx/I-O errors); {@code toss-send} makes exactly one HTTP request.
 */
final class TossRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(TossRoutes.class);
    static final String COMPONENT = "tossHttp";
    /** Asks of one charge, cancel or issuance with its Idempotency-Key: the first and two re-asks. */
    static final int ASKS = 3;
    /** The lost reply of an earlier ask of this operation (a {@link VendorReply}). */
    private static final String LOST = "paybridgeTossLostReply";
    /** Set (true) after {@code toss-ask} when any ask of the operation had its answer lost. */
    static final String LOST_BEFORE = "paybridgeTossLostBefore";
    /** Set (false) before {@code toss-ask} for an operation that is asked once, never again (a cancel). */
    static final String ASK_AGAIN = "paybridgeTossAskAgain";

    /** Built by {@link TossConnector#routes()} only when the vendor is enabled. */
    TossRoutes(TossConnector connector) {
    }

    @Override
    public void configure() throws Exception {
        // no error handler: failures travel back to the calling route (see routes/errors.camel.yaml)
        errorHandler(noErrorHandler());
        Settings settings = new Settings(getContext().getPropertiesComponent());
        String baseUrl = settings.get("paybridge.toss.base-url", "https://api.tosspayments.com");
        String authorization = TossRequests.basicAuth(settings.get("paybridge.toss.secret-key", ""));
        var timeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));

        String endpoint = VendorHttp.install(getContext(), COMPONENT, timeout, baseUrl);
        Map<String, String> lookupHeaders = TossRequests.headers(authorization, null);

        from("direct:toss-billing-key").routeId("toss-billing-key")
                .process(e -> {
                    PaymentCommand cmd = e.getMessage().getMandatoryBody(PaymentCommand.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, cmd);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, TossRequests.billing(cmd));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS,
                            TossRequests.headers(authorization, TossRequests.chargeKey(cmd.paymentId())));
                })
                .to("direct:toss-ask")
                .process(e -> {
                    PaymentCommand cmd = e.getProperty(ExchangeProperties.VENDOR_COMMAND, PaymentCommand.class);
                    ChargeOutcome outcome = TossResponses.charge(VendorCall.reply(e), cmd.billingKey(), cmd.paymentId(),
                            cmd.amount(), e.getProperty(LOST_BEFORE, false, Boolean.class));
                    // DEBUG: the payment decision line (ChargeService) reports the outcome at INFO
                    LOG.debug("toss billing-key paymentId={} outcome={}{}", cmd.paymentId(), outcome.status(),
                            outcome.failure() == null ? "" : " code=" + outcome.failure().code());
                    e.getMessage().setBody(outcome);
                });

        from("direct:toss-issue-billing-key").routeId("toss-issue-billing-key")
                .process(e -> {
                    BillingKeyRequest request = e.getMessage().getMandatoryBody(BillingKeyRequest.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, request);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, TossRequests.issue(request));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS,
                            TossRequests.headers(authorization, request.idempotencyKey()));
                })
                .to("direct:toss-ask")
                .process(e -> {
                    BillingKeyRequest request = e.getProperty(ExchangeProperties.VENDOR_COMMAND, BillingKeyRequest.class);
                    BillingKeyOutcome outcome = TossResponses.issue(VendorCall.reply(e),
                            e.getProperty(LOST_BEFORE, false, Boolean.class) || request.askedBefore());
                    LOG.debug("toss billing key issuance outcome={}", outcome);
                    e.getMessage().setBody(outcome);
                });

        from("direct:toss-refund").routeId("toss-refund")
                .process(e -> {
                    RefundRequest refund = e.getMessage().getMandatoryBody(RefundRequest.class);
                    e.setProperty(ExchangeProperties.VENDOR_COMMAND, refund);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, TossRequests.cancel(refund));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS,
                            TossRequests.headers(authorization, TossRequests.cancelKey(refund.refundId())));
                    e.setProperty(ASK_AGAIN, false);
                })
                .to("direct:toss-ask")
                .process(e -> {
                    RefundRequest refund = e.getProperty(ExchangeProperties.VENDOR_COMMAND, RefundRequest.class);
                    RefundOutcome outcome = TossResponses.refund(VendorCall.reply(e), refund.amount(),
                            refund.claimedCancellations(), e.getProperty(LOST_BEFORE, false, Boolean.class));
                    LOG.debug("toss refund paymentId={} refundId={} outcome={}{}", refund.paymentId(), refund.refundId(),
                            outcome.status(), outcome.failure() == null ? "" : " code=" + outcome.failure().code());
                    e.getMessage().setBody(outcome);
                });

        from("direct:toss-lookup-ref").routeId("toss-lookup-ref")
                .process(e -> {
                    String ref = e.getMessage().getMandatoryBody(String.class);
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST, ref.startsWith(TossWebhooks.BY_ORDER)
                            ? TossRequests.byOrderId(ref.substring(TossWebhooks.BY_ORDER.length()))
                            : TossRequests.byPaymentKey(ref));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS, lookupHeaders);
                })
                .to("direct:toss-call-safe")
                .process(e -> e.getMessage().setBody(TossResponses.lookup(VendorCall.reply(e))));

        from("direct:toss-lookup-order").routeId("toss-lookup-order")
                .process(e -> {
                    e.setProperty(ExchangeProperties.VENDOR_REQUEST,
                            TossRequests.byOrderId(e.getMessage().getMandatoryBody(String.class)));
                    e.setProperty(ExchangeProperties.VENDOR_HEADERS, lookupHeaders);
                })
                .to("direct:toss-call-safe")
                .process(e -> e.getMessage().setBody(TossResponses.lookup(VendorCall.reply(e))));

        // ---- internal

        // a request with its Idempotency-Key: asked again, with the same key and body, while its answer is lost
        from("direct:toss-ask").routeId("toss-ask")
                .process(this::ask);

        // a call that changes nothing at Toss (lookups): up to 3 tries, 200 ms then 400 ms apart
        VendorCallTemplates.safeCall(this, "toss-call-safe", "direct:toss-send");
        // exactly one HTTP request: nothing that came in may steer it, no automatic retry
        VendorCallTemplates.send(this, "toss-send", TossWebhooks.VENDOR, endpoint);
    }

    /**
     * Sends the exchange's request to {@code toss-send} up to {@value #ASKS} times, 200 ms then 400 ms
     * apart, while the answer is lost (once when {@link #ASK_AGAIN} is false); each ask is one request,
     * bounded by the operation's budget. Leaves {@link #LOST_BEFORE} true when any ask was lost.
     */
    private void ask(Exchange exchange) throws InterruptedException {
        org.apache.camel.ProducerTemplate template = template();
        int asks = exchange.getProperty(ASK_AGAIN, true, Boolean.class) ? ASKS : 1;
        exchange.removeProperty(LOST);
        exchange.removeProperty(LOST_BEFORE);
        for (int asked = 0; asked < asks; asked++) {
            if (asked > 0) {
                Thread.sleep(VendorCall.FIRST_BACKOFF_MS << (asked - 1));
            }
            template.send("direct:toss-send", exchange);
            TossResponses.Reply sorted = TossResponses.sort(VendorCall.reply(exchange));
            rememberLost(exchange);
            if (sorted.ending() != TossResponses.Ending.LOST) {
                break;
            }
        }
        exchange.setProperty(LOST_BEFORE, exchange.getProperty(LOST) != null);
        neverLessThanLost(exchange);
    }

    private volatile org.apache.camel.ProducerTemplate template;

    private org.apache.camel.ProducerTemplate template() {
        org.apache.camel.ProducerTemplate t = template;
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

    private static void rememberLost(Exchange exchange) {
        VendorReply reply = VendorCall.reply(exchange);
        if (TossResponses.sort(reply).ending() == TossResponses.Ending.LOST) {
            exchange.setProperty(LOST, reply);
        }
    }

    /**
     * An ask that was not sent (the operation's budget spent, the connection refused) after an earlier
     * ask whose answer was lost proves nothing: the earlier one may have been processed, so its lost
     * reply stands.
     */
    private static void neverLessThanLost(Exchange exchange) {
        VendorReply lost = exchange.getProperty(LOST, VendorReply.class);
        exchange.removeProperty(LOST);
        if (lost != null && TossResponses.sort(VendorCall.reply(exchange)).ending() == TossResponses.Ending.NOT_PROCESSED) {
            exchange.setProperty(ExchangeProperties.VENDOR_REPLY, lost);
        }
    }
}
