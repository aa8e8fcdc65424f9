package paybridge.api;

import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.TCPServerBase;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * Fails start-up when one of the HTTP servers (the API's, the management port's) is not listening.
 * Camel 4.18's Vert.x server logs a port it could not bind (already in use, not permitted) and lets
 * start-up go on: the node would run with no API, its health UP on the other port, while callers on
 * the API port reach whatever holds it.
 */
public final class HttpServersListening implements StartupListener {

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            if (!listening(server.getServer())) {
                throw new IllegalStateException("no HTTP server listens on " + server.getHost() + ":"
                        + server.getConfigurationPort() + " (paybridge.http.port / camel.management.port): the port is"
                        + " taken or not permitted, see the warning above");
            }
        }
    }

    // Vert.x 4.5's HttpServer tells only its implementation whether it is bound (actualPort() is the port
    // asked for, bound or not)
    private static boolean listening(HttpServer server) {
        return server != null && (!(server instanceof TCPServerBase tcp) || tcp.isListening());
    }
}
