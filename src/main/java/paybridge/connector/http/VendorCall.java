package paybridge.connector.http;

import paybridge.canonical.ExchangeProperties;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.component.http.HttpConstants;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.support.ExpressionAdapter;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import io.opentelemetry.api.trace.Span;
import paybridge.observe.PaybridgeMeters;
import paybridge.observe.Tracing;

/**
 * The processors and predicates the vendor routes share. The exchange carries the call in
 * properties: {@link ExchangeProperties#VENDOR_REQUEST} (what to send), {@link ExchangeProperties#VENDOR_BEARER} (iamport's token), {@link ExchangeProperties#VENDOR_REPLY}
 * (what came back) and {@link ExchangeProperties#VENDOR_TRIES} (tries of a safe call).
 */
public final class VendorCall {

    /** Tries of a safe call (token, lookups): the first and two retries, 200 ms then 400 ms apart. */
    public static final int SAFE_TRIES = 3;
    public static final long FIRST_BACKOFF_MS = 200;
    /** The open span of the call in progress (tracing on), ended with the call's timer. */
    private static final String CALL_SPAN = "paybridgeVendorCallSpan";

    private VendorCall() {
    }

    /**
     * {@link #prepare} for one vendor's send route, starting the call timer
     * ({@code paybridge_vendor_call_seconds}) that {@link #captureAnswer} or {@link #captureError} stops.
     * No request of an operation whose budget is spent is started ({@link NotSentException}
     * {@code OPERATION_DEADLINE}: the send route records it as a failure before anything was sent);
     * the call's own total timeout is cut to what remains ({@link TotalCallTimeout}).
     */
    public static Processor prepareFor(String vendor) {
        return exchange -> {
            Long deadline = OperationDeadline.deadlineNanos(exchange);
            if (deadline != null && deadline - System.nanoTime() <= 0) {
                throw new NotSentException(OperationDeadline.OPERATION_DEADLINE,
                        "The operation's time budget was spent before this request: it was not sent", null);
            }
            TotalCallTimeout.forNextCall(deadline);
            prepare(exchange);
            exchange.setProperty(ExchangeProperties.VENDOR, vendor);
            VendorRequest request = exchange.getProperty(ExchangeProperties.VENDOR_REQUEST, VendorRequest.class);
            Span span = Tracing.of(exchange.getContext()).startVendorCall(vendor,
                    request == null ? "other" : request.operation(), exchange.getMessage());
            if (span != null) {
                exchange.setProperty(CALL_SPAN, span);
            }
            exchange.setProperty(ExchangeProperties.VENDOR_CALL_STARTED, System.nanoTime());
        };
    }

    /**
     * Turns {@link ExchangeProperties#VENDOR_REQUEST} into the outgoing message. The route removes all headers first, so
     * nothing that came in (CamelHttpUri, CamelHttpQuery, a caller's Authorization...) can redirect
     * or decorate the call. The body is an {@link StringEntity}: camel-http sends it as is, and a
     * tracer or an error log prints the entity's description, never the JSON that may hold card data.
     */
    @SuppressWarnings("unchecked")
    public static void prepare(Exchange exchange) {
        VendorRequest request = exchange.getProperty(ExchangeProperties.VENDOR_REQUEST, VendorRequest.class);
        var message = exchange.getMessage();
        // as the enum camel-http reads: a String would go through a type-converter lookup on every call
        message.setHeader(HttpConstants.HTTP_METHOD, HttpMethods.valueOf(request.method()));
        message.setHeader(HttpConstants.HTTP_PATH, request.path());
        message.setHeader("Accept", "application/json");
        String bearer = exchange.getProperty(ExchangeProperties.VENDOR_BEARER, String.class);
        if (bearer != null) {
            message.setHeader("Authorization", "Bearer " + bearer);
        }
        java.util.Map<String, String> extra = exchange.getProperty(ExchangeProperties.VENDOR_HEADERS, java.util.Map.class);
        if (extra != null) {
            extra.forEach(message::setHeader);
        }
        message.setBody(request.json() == null ? null
                : new StringEntity(request.json(), ContentType.APPLICATION_JSON.withCharset(StandardCharsets.UTF_8)));
        exchange.removeProperty(ExchangeProperties.VENDOR_REPLY);
    }

    /** Keeps the HTTP answer as {@link ExchangeProperties#VENDOR_REPLY}; the body is read as text (charset from Content-Type). */
    public static void captureAnswer(Exchange exchange) {
        TotalCallTimeout.forNextCall(null);
        Integer status = exchange.getMessage().getHeader(HttpConstants.HTTP_RESPONSE_CODE, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        exchange.setProperty(ExchangeProperties.VENDOR_REPLY, VendorReply.answer(status == null ? 0 : status, body));
        clearMessage(exchange);
        timed(exchange);
    }

    /** Keeps the exception that prevented an answer as {@link ExchangeProperties#VENDOR_REPLY}, and clears it from the exchange. */
    public static void captureError(Exchange exchange) {
        TotalCallTimeout.forNextCall(null);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = exchange.getException();
        }
        exchange.setException(null);
        exchange.setProperty(ExchangeProperties.VENDOR_REPLY, VendorReply.failed(error));
        clearMessage(exchange);
        timed(exchange);
    }

    /** Records the call just answered (or failed) when {@link #prepareFor} started its timer. */
    private static void timed(Exchange exchange) {
        Long started = exchange.getProperty(ExchangeProperties.VENDOR_CALL_STARTED, Long.class);
        if (started == null) {
            return; // no request of ours was sent (e.g. no token): nothing to time
        }
        exchange.removeProperty(ExchangeProperties.VENDOR_CALL_STARTED);
        VendorRequest request = exchange.getProperty(ExchangeProperties.VENDOR_REQUEST, VendorRequest.class);
        String outcome = outcome(reply(exchange));
        PaybridgeMeters.of(exchange.getContext()).vendorCall(exchange.getProperty(ExchangeProperties.VENDOR, String.class),
                request == null ? "other" : request.operation(), outcome, System.nanoTime() - started);
        Tracing.endVendorCall(exchange.getProperty(CALL_SPAN, Span.class), outcome);
        exchange.removeProperty(CALL_SPAN);
    }

    /** The call's outcome label: the answer's status class, or what prevented an answer. */
    static String outcome(VendorReply reply) {
        if (reply == null) {
            return "error";
        }
        if (!reply.failed()) {
            int s = reply.status();
            return s >= 200 && s < 600 ? (s / 100) + "xx" : "other";
        }
        if (reply.notSent()) {
            return "not_sent";
        }
        for (Throwable t = reply.error(); t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return "timeout";
            }
        }
        return "io_error";
    }

    /** The vendor's response headers are of no use to the callers of the vendor routes. */
    private static void clearMessage(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
    }

    public static VendorReply reply(Exchange exchange) {
        return exchange.getProperty(ExchangeProperties.VENDOR_REPLY, VendorReply.class);
    }

    /** The last answer was a 401: the request was rejected before anything was processed. */
    public static final Predicate UNAUTHORIZED = exchange -> {
        VendorReply reply = reply(exchange);
        return reply != null && reply.status() == 401;
    };

    /** Loop condition of a safe call: the first try, or a retryable failure with tries left. */
    public static final Predicate TRY_AGAIN = exchange -> {
        int attempt = exchange.getProperty(ExchangeProperties.VENDOR_TRIES, 0, Integer.class);
        if (attempt == 0) {
            return true;
        }
        VendorReply reply = reply(exchange);
        return attempt < SAFE_TRIES && reply != null && reply.retryable();
    };

    /** Counts a try of a safe call. */
    public static void countAttempt(Exchange exchange) {
        exchange.setProperty(ExchangeProperties.VENDOR_TRIES, exchange.getProperty(ExchangeProperties.VENDOR_TRIES, 0, Integer.class) + 1);
    }

    /** Delay before a try: none before the first, then 200 ms, 400 ms... */
    public static final Expression BACKOFF = new ExpressionAdapter() {
        @Override
        public Object evaluate(Exchange exchange) {
            int attempt = exchange.getProperty(ExchangeProperties.VENDOR_TRIES, 0, Integer.class); // tries already made
            return attempt == 0 ? 0L : FIRST_BACKOFF_MS << (attempt - 1);
        }
    };

    /** Resets the try counter so a route can run another safe call on the same exchange. */
    public static void resetAttempts(Exchange exchange) {
        exchange.removeProperty(ExchangeProperties.VENDOR_TRIES);
    }
}
