package paybridge.connector.fake;

import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpConstants;
import org.apache.camel.component.http.HttpMethods;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import paybridge.Settings;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.VendorHttp;

/**
 * The fake vendor's operations as {@code direct:} routes: a charge on a billing key, a refund, and
 * lookups by our paymentId (its order id) and by its charge id. {@code fake-send} makes exactly one
 * HTTP request (never retried: a lost charge answer is settled by reconcile, never re-sent).
 */
final class FakeRoutes extends RouteBuilder {
    static final String COMPONENT = "fakeHttp";
    private static final String CALL = "paybridge.fake.call";
    private static final String REPLY = "paybridge.fake.reply";
    private static final String COMMAND = "paybridge.fake.command";

    private final FakeConnector connector;

    /** Built by {@link FakeConnector#routes()} only when the vendor is enabled. */
    FakeRoutes(FakeConnector connector) {
        this.connector = connector;
    }

    @Override
    public void configure() throws Exception {
        // no error handler: failures travel back to the calling route (see routes/errors.camel.yaml)
        errorHandler(noErrorHandler());
        Settings settings = new Settings(getContext().getPropertiesComponent());
        var timeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));
        if (getContext().hasComponent(COMPONENT) != null) {
            getContext().removeComponent(COMPONENT);
        }
        getContext().addComponent(COMPONENT, VendorHttp.component(timeout));
        String endpoint = VendorHttp.endpointUri(COMPONENT, settings.require("paybridge.fake.base-url"));

        from(connector.chargeRoute(paybridge.canonical.PaymentMethod.BILLING_KEY)).routeId("fake-billing-key")
                .process(e -> {
                    PaymentCommand command = e.getMessage().getMandatoryBody(PaymentCommand.class);
                    e.setProperty(COMMAND, command);
                    e.setProperty(CALL, FakeWire.charge(command));
                })
                .to("direct:fake-send")
                .process(e -> e.getMessage().setBody(FakeWire.chargeOutcome(reply(e),
                        e.getProperty(COMMAND, PaymentCommand.class).billingKey())));

        from(connector.refundRoute()).routeId("fake-refund")
                .process(e -> e.setProperty(CALL, FakeWire.refund(e.getMessage().getMandatoryBody(RefundRequest.class))))
                .to("direct:fake-send")
                .process(e -> e.getMessage().setBody(FakeWire.refundOutcome(reply(e))));

        from(connector.lookupByPaymentIdRoute()).routeId("fake-lookup-order")
                .process(e -> e.setProperty(CALL, FakeWire.lookupByOrder(e.getMessage().getMandatoryBody(String.class))))
                .to("direct:fake-send")
                .process(e -> e.getMessage().setBody(FakeWire.lookup(reply(e))));

        from(connector.lookupByVendorRefRoute()).routeId("fake-lookup-ref")
                .process(e -> e.setProperty(CALL, FakeWire.lookupByRef(e.getMessage().getMandatoryBody(String.class))))
                .to("direct:fake-send")
                .process(e -> e.getMessage().setBody(FakeWire.lookup(reply(e))));

        // exactly one HTTP request: nothing that came in may steer it
        from("direct:fake-send").routeId("fake-send")
                .removeHeaders("*")
                .doTry()
                    .process(e -> prepare(e, connector.apiKey()))
                    .to(endpoint)
                    .process(e -> e.setProperty(REPLY, new FakeWire.Reply(
                            e.getMessage().getHeader(HttpConstants.HTTP_RESPONSE_CODE, 0, Integer.class),
                            e.getMessage().getBody(String.class), null)))
                .doCatch(Exception.class)
                    .process(e -> e.setProperty(REPLY, new FakeWire.Reply(0, null,
                            e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class))))
                .end()
                .process(e -> {
                    e.getMessage().removeHeaders("*");
                    e.getMessage().setBody(null);
                });
    }

    private static void prepare(Exchange e, String apiKey) {
        FakeWire.Call call = e.getProperty(CALL, FakeWire.Call.class);
        var message = e.getMessage();
        message.setHeader(HttpConstants.HTTP_METHOD, HttpMethods.valueOf(call.method()));
        message.setHeader(HttpConstants.HTTP_PATH, call.path());
        if (call.query() != null) {
            message.setHeader(HttpConstants.HTTP_QUERY, call.query());
        }
        message.setHeader("Accept", "application/json");
        message.setHeader("Authorization", "Bearer " + apiKey);
        message.setBody(call.json() == null ? null
                : new StringEntity(call.json(), ContentType.APPLICATION_JSON.withCharset(StandardCharsets.UTF_8)));
        e.removeProperty(REPLY);
    }

    private static FakeWire.Reply reply(Exchange e) {
        return e.getProperty(REPLY, FakeWire.Reply.class);
    }
}
