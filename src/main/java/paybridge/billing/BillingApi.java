package paybridge.billing;

import paybridge.canonical.ExchangeProperties;
import java.time.Instant;
import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import paybridge.api.JsonResponses;
import paybridge.canonical.CommandReader;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/** The /api verbs of billing (routes/api.camel.yaml hands them over through direct: routes in billing.camel.yaml). */
public final class BillingApi {
    private final SubscriptionService subscriptions;
    private final BillingRunService runs;

    public BillingApi(SubscriptionService subscriptions, BillingRunService runs) {
        this.subscriptions = subscriptions;
        this.runs = runs;
    }

    public void createSubscription(Exchange exchange) throws Exception {
        requireJson(exchange);
        SubscriptionService.Created c = subscriptions.create(exchange.getMessage().getBody(byte[].class));
        JsonResponses.write(exchange, c.created() ? 201 : 200, c.view());
    }

    public void getSubscription(Exchange exchange) throws Exception {
        JsonResponses.write(exchange, 200, subscriptions.get(exchange.getMessage().getHeader("subscriptionId", String.class)));
    }

    /** {@code GET /api/subscriptions?state=&customerId=&vendor=&after=&limit=}. */
    public void listSubscriptions(Exchange exchange) throws Exception {
        var m = exchange.getMessage();
        JsonResponses.write(exchange, 200, subscriptions.list(m.getHeader("state", String.class),
                m.getHeader("customerId", String.class), m.getHeader("vendor", String.class),
                m.getHeader("after", String.class), m.getHeader("limit", String.class)));
    }

    /** {@code PATCH /api/subscriptions/{id}}: a JSON merge patch ({@code application/merge-patch+json} or JSON). */
    public void patchSubscription(Exchange exchange) throws Exception {
        requireJson(exchange);
        JsonResponses.write(exchange, 200, subscriptions.patch(exchange.getMessage().getHeader("subscriptionId", String.class),
                exchange.getMessage().getBody(byte[].class)));
    }

    /** {@code POST /api/subscriptions/{id}/resume}; the body (optional) is a patch applied first. */
    public void resumeSubscription(Exchange exchange) throws Exception {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > 0 && !new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            requireJson(exchange);
        }
        JsonResponses.write(exchange, 200, subscriptions.resume(exchange.getMessage().getHeader("subscriptionId", String.class),
                body));
    }

    public void cancelSubscription(Exchange exchange) throws Exception {
        JsonResponses.write(exchange, 200, subscriptions.cancel(exchange.getMessage().getHeader("subscriptionId", String.class)));
    }

    /** Body: the optional {@code {asOf, dryRun}}. Out: the started run (409 while another runs). */
    public BillingRun startRun(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        Instant asOf = null; // now, on the database's clock (BillingRunService.start)
        boolean dryRun = false;
        if (body != null && body.length > 0 && !new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            requireJson(exchange);
            JsonNode node = CommandReader.parse(body);
            var errors = CommandReader.validate(node, "billing-run-request");
            if (!errors.isEmpty()) {
                throw new ProblemException(Problem.invalid(errors.size() + " invalid field(s)", errors));
            }
            if (node.hasNonNull("asOf")) {
                try {
                    asOf = OffsetDateTime.parse(node.get("asOf").asText()).toInstant();
                } catch (RuntimeException e) {
                    throw new ProblemException(Problem.invalid("1 invalid field(s)",
                            java.util.List.of(new FieldError("asOf", "not an ISO-8601 date-time with offset"))));
                }
            }
            dryRun = node.path("dryRun").asBoolean(false);
        }
        BillingRun run = runs.start(asOf, dryRun);
        exchange.setProperty(ExchangeProperties.BILLING_RUN, run);
        return run;
    }

    /** 202 with the run document and its Location. */
    public void runStarted(Exchange exchange) throws Exception {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        JsonResponses.write(exchange, 202, run);
        exchange.getMessage().setHeader("Location", "/api/billing-runs/" + run.runId());
    }

    public void getRun(Exchange exchange) throws Exception {
        JsonResponses.write(exchange, 200, runs.find(exchange.getMessage().getHeader("runId", String.class)));
    }

    private static void requireJson(Exchange exchange) {
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        if (!type.startsWith("application/json") && !type.contains("+json")) {
            throw ProblemException.of(415, "Unsupported media type",
                    "Send the body as application/json; got " + (type.isEmpty() ? "no Content-Type" : type));
        }
    }
}
