package paybridge.api;

import java.util.Optional;

import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Problem;

/**
 * When an API key is configured ({@link ApiKeys}), every {@code /api/**} request except the OpenAPI
 * document must carry {@code Authorization: Bearer <key>} of one of them (CONTRACT §2). It is checked in
 * front of every route on the HTTP router itself, so a route added later cannot forget it. The key's
 * name becomes the request's authenticated user, which platform-http hands to the route as the header
 * {@code CamelVertxPlatformHttpAuthenticatedUser} (a Vert.x {@link User} object, which no request
 * header or form field can forge): the audit trail's actor ({@code paybridge.audit.AuditTrail.actor}). Webhooks are not
 * behind it (they authenticate per vendor).
 */
public final class ApiKeyFilter implements StartupListener {
    private static final String OPENAPI = "/api/openapi.json";
    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = BusinessRouter.of(context);
        router.route("/api/*").order(Integer.MIN_VALUE).handler(this::check);
    }

    void check(RoutingContext ctx) {
        if (OPENAPI.equals(ctx.normalizedPath())) {
            ctx.next();
            return;
        }
        Optional<String> actor = keys.actorOf(ctx.request().getHeader("Authorization"));
        if (actor.isPresent()) {
            ctx.setUser(User.fromName(actor.get()));
            ctx.next();
            return;
        }
        try {
            String body = CanonicalJson.MAPPER.writeValueAsString(Problem.of(401, "Unauthorized",
                    "Send Authorization: Bearer <API key>"));
            ctx.response().setStatusCode(401)
                    .putHeader("WWW-Authenticate", "Bearer realm=\"paybridge\"")
                    .putHeader("Content-Type", ProblemResponder.CONTENT_TYPE)
                    .end(body);
        } catch (Exception e) {
            ctx.response().setStatusCode(401).end();
        }
    }
}
