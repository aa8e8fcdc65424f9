package paybridge;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.connector.Connector;
import paybridge.connector.ConnectorRegistry;

/**
 * The {@code prod} profile refuses to start without what real money needs (CONTRACT §6): the API
 * key (PAYBRIDGE_API_KEY or PAYBRIDGE_API_KEYS), each enabled vendor's credentials (as its connector names them), and no sandbox. One message
 * names everything missing, by its environment variable, so an operator fixes it in one go. What a
 * connector reports as a protection left off ({@link Connector#productionWarnings()}) is logged as a
 * warning, never refused.
 */
public final class ProfileGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileGuard.class);

    private ProfileGuard() {
    }

    public static void check(String profile, Settings settings, ConnectorRegistry connectors) {
        if (!"prod".equals(profile)) {
            return;
        }
        List<String> missing = new ArrayList<>();
        // either the unnamed key or named ones (paybridge.api.ApiKeys)
        if (settings.find("paybridge.api.key").isEmpty() && settings.find("paybridge.api.keys").isEmpty()) {
            missing.add("PAYBRIDGE_API_KEY (or PAYBRIDGE_API_KEYS)");
        }
        for (Connector connector : connectors.enabled()) {
            missing.addAll(connector.missingForProduction());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The prod profile refuses to start: missing " + String.join(", ", missing));
        }
        if (settings.bool("paybridge.sandbox.enabled", false)) {
            throw new IllegalStateException("The prod profile refuses to start: paybridge.sandbox.enabled is true"
                    + " (the vendor sandbox is never served in prod)");
        }
        for (Connector connector : connectors.enabled()) {
            for (String key : connector.addressSettings()) {
                if (settings.get(key, "").contains("/sandbox/")) {
                    throw new IllegalStateException("The prod profile refuses to start: " + key + " points at the sandbox");
                }
            }
        }
        for (Connector connector : connectors.enabled()) {
            connector.productionWarnings().forEach(w -> LOG.warn("prod: {}", w));
        }
    }
}
