package paybridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
        if (profile != null && !"prod".equals(profile) && profile.toLowerCase(java.util.Locale.ROOT).startsWith("prod")) {
            // "production", "Prod": no settings file of its own, and none of prod's checks (an API open without
            // a key, real vendors behind it) — the likeliest slip, as Camel itself logs prod as "production"
            throw new IllegalStateException("Profile '" + profile + "' is not a paybridge profile: production runs"
                    + " with CAMEL_MAIN_PROFILE=prod (application-prod.properties and its checks)");
        }
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
                String address = settings.get(key, "");
                if (address.contains("/sandbox/")) {
                    throw new IllegalStateException("The prod profile refuses to start: " + key + " points at the sandbox");
                }
                if (plainHttpToAnotherHost(address)) {
                    throw new IllegalStateException("The prod profile refuses to start: " + key + " is plain http to"
                            + " another host (the vendor's credentials would cross the network in clear text): use https");
                }
            }
        }
        for (Connector connector : connectors.enabled()) {
            connector.productionWarnings().forEach(w -> LOG.warn("prod: {}", w));
        }
        databaseWarning(settings.get("paybridge.db.url", "")).ifPresent(w -> LOG.warn("prod: {}", w));
    }

    /** An {@code http://} address of a host other than this machine's loopback (a local proxy or simulator may be http). */
    static boolean plainHttpToAnotherHost(String address) {
        if (!address.regionMatches(true, 0, "http://", 0, 7)) {
            return false;
        }
        String host;
        try {
            host = java.net.URI.create(address.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return true;
        }
        return host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }

    /**
     * H2 is the embedded default for development and single-node trials, not for real money: it writes
     * its file in the background (paybridge.ledger.Database), so a crash of the process loses the commits
     * of its last moments, an in-memory one everything. Warned, not refused: benchmarks and trials run
     * the prod profile on H2 on purpose.
     */
    static Optional<String> databaseWarning(String url) {
        if (url.startsWith("jdbc:h2:mem:")) {
            return Optional.of("PAYBRIDGE_DB_URL is an in-memory H2 database: everything recorded is lost"
                    + " when this process ends; real money runs on PostgreSQL");
        }
        if (url.startsWith("jdbc:h2:")) {
            return Optional.of("PAYBRIDGE_DB_URL is an H2 database: a crash of this process loses what was"
                    + " committed in its last moments (H2 writes its file in the background); real money runs on PostgreSQL");
        }
        return Optional.empty();
    }
}
