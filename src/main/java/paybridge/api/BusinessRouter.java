package paybridge.api;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/** The Vert.x router of the business port ({@code camel.server.port}), once the server has started. */
final class BusinessRouter {
    private BusinessRouter() {
    }

    static VertxPlatformHttpRouter of(CamelContext context) {
        int port = Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"));
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("No HTTP router on port " + port);
        }
        return router;
    }
}
