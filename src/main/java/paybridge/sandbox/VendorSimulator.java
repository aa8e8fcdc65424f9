package paybridge.sandbox;

import io.vertx.ext.web.Router;

/**
 * One vendor's API as the sandbox simulates it (profile {@code dev}), served by {@link SandboxServer}
 * under {@code /sandbox/<VENDOR>/}. The server finds every implementation in {@code paybridge.sandbox}
 * and its sub-packages (one package per vendor): a public class declaring
 * {@code public static final String VENDOR} (the connector's id) with a public constructor
 * {@code (Vertx, SandboxSettings, WebhookSender)}. A new vendor's simulator is its own package and
 * nothing else.
 * <p>
 * Handlers must never block (latency and hangs are Vert.x timers): the sandbox's event loops serve
 * every simulator.
 */
public interface VendorSimulator {

    /** The simulated API, its test hooks ({@code /_stats}, {@code /_control/...}) included. */
    Router router();
}
