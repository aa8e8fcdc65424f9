package paybridge.api;

import java.util.Map;

import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Problem;

/**
 * Answers what never reaches a route (unknown path, wrong method, body over the server limit) with
 * problem+json instead of Vert.x's default HTML pages (CONTRACT §2: never an HTML page).
 */
public final class HttpErrorPages implements StartupListener {
    private static final Map<Integer, String> TITLES = Map.of(
            404, "Not found",
            405, "Method not allowed",
            413, "Payload too large",
            415, "Unsupported media type",
            400, "Bad request",
            500, "Internal error",
            504, "Not finished in time");

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = BusinessRouter.of(context);
        // Unmatched requests never reach the sub-router's error handlers (the root router answers
        // them), so a catch-all route placed last answers them instead; a failure handler on every
        // path covers what Vert.x itself fails (e.g. 413 from the body limit).
        router.route().last().handler(ctx -> answer(ctx, 404, TITLES.get(404)));
        router.route().failureHandler(ctx -> {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            answer(ctx, status, TITLES.getOrDefault(status, "Error"));
        });
    }

    private static void answer(RoutingContext ctx, int status, String title) {
        if (ctx.response().ended()) {
            return;
        }
        String detail = switch (status) {
            case 404 -> "No resource at " + ctx.request().path();
            case 405 -> ctx.request().method() + " is not allowed on " + ctx.request().path();
            case 413 -> "The request body is larger than this endpoint accepts";
            case 504 -> "paybridge did not finish in time; the outcome is recorded when it is known:"
                    + " read it with GET, or send the same command again (it replays, never charges twice)";
            default -> title;
        };
        try {
            String body = CanonicalJson.MAPPER.writeValueAsString(Problem.of(status, title, detail));
            ctx.response().setStatusCode(status).putHeader("Content-Type", ProblemResponder.CONTENT_TYPE).end(body);
        } catch (Exception e) {
            ctx.response().setStatusCode(status).end();
        }
    }
}
