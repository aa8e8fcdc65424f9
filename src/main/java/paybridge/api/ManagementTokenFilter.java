package paybridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Problem;

/**
 * When {@code paybridge.management.token} is set, every request to the management port
 * ({@code /observe/health}, {@code /observe/metrics}...) must carry {@code Authorization: Bearer <token>},
 * else 401 problem+json. Off by default: Prometheus and the orchestrator's probes reach the port from
 * inside the network. Checked on the management server's router in front of its own routes; the
 * comparison takes the same time wherever the given value differs.
 */
public final class ManagementTokenFilter implements StartupListener {
    public static final String SETTING = "paybridge.management.token";
    private final byte[] expected;

    public ManagementTokenFilter(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        VertxPlatformHttpRouter router = server == null ? null : server.getRouter();
        if (router == null) {
            throw new IllegalStateException(SETTING + " is set but there is no management server (camel.management.enabled)");
        }
        router.route("/*").order(Integer.MIN_VALUE).handler(this::check);
    }

    void check(RoutingContext ctx) {
        if (authorized(ctx.request().getHeader("Authorization"))) {
            ctx.next();
            return;
        }
        String body;
        try {
            body = CanonicalJson.MAPPER.writeValueAsString(Problem.of(401, "Unauthorized",
                    "Send Authorization: Bearer <management token>"));
        } catch (Exception e) {
            body = "";
        }
        ctx.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"paybridge-management\"")
                .putHeader("Content-Type", ProblemResponder.CONTENT_TYPE)
                .end(body);
    }

    boolean authorized(String header) {
        return header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
    }
}
