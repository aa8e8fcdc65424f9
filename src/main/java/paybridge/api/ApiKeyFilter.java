package paybridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Problem;

/**
 * When {@code paybridge.api.key} is set, every {@code /api/**} request except the OpenAPI document
 * must carry {@code Authorization: Bearer <key>} (CONTRACT §2). It is checked in front of every route
 * on the HTTP router itself, so a route added later cannot forget it; the comparison takes the same
 * time wherever the given key differs. Webhooks are not behind it (they authenticate per vendor).
 */
public final class ApiKeyFilter implements StartupListener {
    private static final String OPENAPI = "/api/openapi.json";
    private final byte[] expected;

    public ApiKeyFilter(String apiKey) {
        this.expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        VertxPlatformHttpRouter router = BusinessRouter.of(context);
        router.route("/api/*").order(Integer.MIN_VALUE).handler(this::check);
    }

    void check(RoutingContext ctx) {
        if (OPENAPI.equals(ctx.normalizedPath()) || authorized(ctx.request().getHeader("Authorization"))) {
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

    boolean authorized(String header) {
        return header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
    }
}
