package paybridge.api;

import java.util.Map;

import org.apache.camel.Exchange;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.ProblemException;
import paybridge.canonical.RefundResult;
import paybridge.payments.ChargeService;
import paybridge.payments.RefundService;

/** Writes the body as the JSON answer with the status CONTRACT §2 gives it (api.camel.yaml calls these). */
public final class JsonResponses {
    public static final String JSON = "application/json; charset=utf-8";

    /** Refuses a body that is not JSON before anything reads it (415). */
    public void requireJson(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        if (!type.startsWith("application/json") && !type.contains("+json")) {
            throw ProblemException.of(415, "Unsupported media type",
                    "Send the body as application/json; got " + (type.isEmpty() ? "no Content-Type" : type));
        }
    }

    /** A {@link PaymentResult}: 200 for an outcome, 202 while PENDING or UNKNOWN. */
    public void payment(Exchange exchange) throws Exception {
        PaymentResult result = exchange.getMessage().getBody(PaymentResult.class);
        write(exchange, ChargeService.httpStatus(result), result);
    }

    /** A {@link RefundResult}: 200 decided, 202 UNKNOWN. */
    public void refund(Exchange exchange) throws Exception {
        RefundResult result = exchange.getMessage().getBody(RefundResult.class);
        write(exchange, RefundService.httpStatus(result), result);
    }

    /** Any other body, 200. */
    public void ok(Exchange exchange) throws Exception {
        write(exchange, 200, exchange.getMessage().getBody());
    }

    public static void write(Exchange exchange, int status, Object body) throws Exception {
        String json = CanonicalJson.MAPPER.writeValueAsString(body instanceof java.util.List<?> list
                ? Map.of("entries", list) : body);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, JSON);
        exchange.getMessage().setBody(json);
    }
}
