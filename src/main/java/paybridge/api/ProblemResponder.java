package paybridge.api;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/**
 * Writes the exception an exchange failed with as an RFC 9457 problem (errors.camel.yaml calls it).
 * A {@link ProblemException} says what to answer; anything else is a 500 whose detail names only the
 * exchange id to look up in the log: never a stack trace, never a message that might carry data.
 */
public final class ProblemResponder implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemResponder.class);
    public static final String CONTENT_TYPE = "application/problem+json";

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Problem problem;
        if (cause instanceof ProblemException pe) {
            problem = pe.problem();
        } else {
            LOG.error("Unexpected failure in route {} (exchange {})", exchange.getFromRouteId(), exchange.getExchangeId(), cause);
            problem = Problem.of(500, "Internal error",
                    "paybridge could not complete the request; reference " + exchange.getExchangeId());
        }
        write(exchange, problem);
    }

    public static void write(Exchange exchange, Problem problem) throws Exception {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, problem.status());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        exchange.getMessage().setBody(CanonicalJson.MAPPER.writeValueAsString(problem));
    }
}
