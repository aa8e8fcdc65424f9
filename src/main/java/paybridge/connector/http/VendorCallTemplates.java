package paybridge.connector.http;

import org.apache.camel.Processor;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.TemplatedRouteDefinition;

/**
 * The two route shapes every connector's vendor calls share, as Camel route templates. A connector's
 * RouteBuilder creates its own routes from them ({@link #send}, {@link #safeCall}); the routes keep
 * the connector's names ({@code iamport-send}, {@code steppay-call-safe}...), which are also their
 * route ids (Camel's per-route meters).
 * <ul>
 *   <li>{@value #SEND}: exactly one HTTP request to the vendor. All headers are removed first, so
 *       nothing that came in can steer the request; the endpoint's HTTP client makes no automatic
 *       retry ({@link VendorHttp#component}). The request, its answer or the exception that stopped it
 *       are kept on the exchange ({@link VendorCall#captureAnswer}, {@link VendorCall#captureError}):
 *       the route never fails. The preparation runs inside the try, so a request refused because its
 *       operation's budget was spent ({@link OperationDeadline}) is recorded as not sent.</li>
 *   <li>{@value #SAFE_CALL}: for a call that changes nothing at the vendor (a lookup, a token): up
 *       to {@link VendorCall#SAFE_TRIES} tries of another route, 200 ms then 400 ms apart, while the
 *       failure is one worth retrying ({@link VendorCall#TRY_AGAIN}). Never for a charge or a refund:
 *       a request whose answer was lost may have been processed.</li>
 * </ul>
 * The templated routes have no error handler, as every vendor route: a failure travels back to the
 * calling route as the exception it is.
 * <p>
 * This RouteBuilder only defines the templates; {@link paybridge.connector.ConnectorRegistry#addRoutes}
 * adds it with the enabled connectors' builders, then creates their templated routes
 * ({@code addRoutes} alone creates no templated route).
 */
public class VendorCallTemplates extends RouteBuilder {
    /** Template id: one HTTP request. Parameters {@value #NAME}, {@value #VENDOR}, {@value #ENDPOINT}. */
    public static final String SEND = "vendor-send";
    /** Template id: a call that changes nothing, retried. Parameters {@value #NAME}, {@value #CALL}. */
    public static final String SAFE_CALL = "vendor-call-safe";

    /** The route's name: its {@code direct:} endpoint and its route id. */
    public static final String NAME = "name";
    /** The vendor's id, the {@code vendor} label of {@code paybridge_vendor_call_seconds}. */
    public static final String VENDOR = "vendor";
    /** The vendor's HTTP endpoint URI ({@link VendorHttp#endpointUri}). */
    public static final String ENDPOINT = "endpoint";
    /** The endpoint of the route that makes one try of a safe call. */
    public static final String CALL = "call";

    private static final String PREPARE = "prepare";

    @Override
    public void configure() throws Exception {
        errorHandler(noErrorHandler());

        routeTemplate(SEND)
                .templateParameter(NAME)
                .templateParameter(VENDOR)
                .templateParameter(ENDPOINT)
                // one preparing processor per created route, for its vendor (the call timer's label)
                .templateBean(PREPARE, Processor.class, template -> VendorCall.prepareFor(
                        template.getProperty(VENDOR, String.class)))
                .from("direct:{{" + NAME + "}}")
                .errorHandler(noErrorHandler())
                .removeHeaders("*")
                .doTry()
                    .process("{{" + PREPARE + "}}")
                    .to("{{" + ENDPOINT + "}}")
                    .process(VendorCall::captureAnswer)
                .doCatch(Exception.class)
                    .process(VendorCall::captureError)
                .end();

        routeTemplate(SAFE_CALL)
                .templateParameter(NAME)
                .templateParameter(CALL)
                .from("direct:{{" + NAME + "}}")
                .errorHandler(noErrorHandler())
                .process(VendorCall::resetAttempts)
                .loopDoWhile(VendorCall.TRY_AGAIN)
                    .delay(VendorCall.BACKOFF).syncDelayed()
                    .process(VendorCall::countAttempt)
                    .to("{{" + CALL + "}}")
                .end();
    }

    /**
     * Creates, in {@code routes}, the route {@code direct:<name>} (route id {@code name}) that sends
     * exactly one request to {@code endpoint}, timed as a call to {@code vendor}.
     */
    public static TemplatedRouteDefinition send(RouteBuilder routes, String name, String vendor, String endpoint) {
        return routes.templatedRoute(SEND).routeId(name)
                .parameter(NAME, name)
                .parameter(VENDOR, vendor)
                .parameter(ENDPOINT, endpoint);
    }

    /**
     * Creates, in {@code routes}, the route {@code direct:<name>} (route id {@code name}) that tries
     * {@code call} (a route that changes nothing at the vendor) up to {@link VendorCall#SAFE_TRIES} times.
     */
    public static TemplatedRouteDefinition safeCall(RouteBuilder routes, String name, String call) {
        return routes.templatedRoute(SAFE_CALL).routeId(name)
                .parameter(NAME, name)
                .parameter(CALL, call);
    }
}
