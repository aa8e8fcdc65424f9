package paybridge.audit;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.auth.User;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import paybridge.api.ApiKeys;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/**
 * Who changed what, called by the entry routes of every state-changing API call (routes/*.camel.yaml).
 *
 * <ul>
 * <li>{@link #capture}: the caller (the API key's name) and the optional {@code X-Reason} header,
 *     checked (422 naming it) before anything changes, kept in exchange properties because the answer
 *     writers clear the headers.</li>
 * <li>{@link #record}: appends the row. Inside a {@code policy: {ref: oneTransaction}} it commits with
 *     the change (operator actions and subscription changes: each is one transaction); elsewhere
 *     (a charge, a refund, a replay, a billing run: vendor calls or background work between their
 *     statements) it is its own statement, written once the call has answered.</li>
 * </ul>
 */
public final class AuditTrail {
    public static final String REASON_HEADER = "X-Reason";
    /** The longest reason kept (characters); a longer one is refused, never cut. */
    public static final int REASON_MAX = 500;
    static final String ACTOR = "paybridgeAuditActor";
    static final String REASON = "paybridgeAuditReason";

    private final AuditStore store;

    public AuditTrail(AuditStore store) {
        this.store = store;
    }

    /** Takes the caller and the reason from the request (once); 422 naming {@code X-Reason} when it is invalid. */
    public void capture(Exchange exchange) {
        if (exchange.getProperty(ACTOR) != null) {
            return;
        }
        exchange.setProperty(REASON, reason(exchange.getMessage().getHeader(REASON_HEADER, String.class)));
        exchange.setProperty(ACTOR, actor(exchange));
    }

    /** Appends who did {@code action} to {@code target}, with the captured (or current request's) caller and reason. */
    public void record(Exchange exchange, String action, String target) {
        capture(exchange);
        store.append(exchange.getProperty(ACTOR, String.class), action, bounded(target),
                exchange.getProperty(REASON, String.class));
    }

    /** As {@link #record}, the target read from a field of the JSON body (e.g. the answer's id). */
    public void recordBodyField(Exchange exchange, String action, String field) {
        JsonNode node;
        try {
            node = CanonicalJson.MAPPER.readTree(exchange.getMessage().getBody(String.class));
        } catch (Exception e) {
            node = null;
        }
        record(exchange, action, node == null ? null : node.path(field).asText(null));
    }

    /**
     * The caller: the name of the API key the request carried (the authenticated user {@code ApiKeyFilter}
     * set on the request, an object no header or form field can forge), or {@code anonymous} while no key
     * is configured.
     */
    public static String actor(Exchange exchange) {
        Object user = exchange.getMessage().getHeader(VertxPlatformHttpConstants.AUTHENTICATED_USER);
        if (user instanceof User u && u.principal() != null && u.principal().getString("username") != null) {
            return u.principal().getString("username");
        }
        return ApiKeys.ANONYMOUS;
    }

    static String reason(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String reason = header.strip();
        if (reason.length() > REASON_MAX) {
            throw invalidReason("at most " + REASON_MAX + " characters (got " + reason.length() + ")");
        }
        if (reason.chars().anyMatch(Character::isISOControl)) {
            throw invalidReason("no control characters");
        }
        return reason;
    }

    private static ProblemException invalidReason(String message) {
        return new ProblemException(new Problem("https://paybridge.dev/problems/invalid-header", "Invalid header",
                422, "The X-Reason header must be " + message, List.of(new FieldError(REASON_HEADER, message))));
    }

    private static String bounded(String target) {
        return target == null || target.length() <= 200 ? target : target.substring(0, 200);
    }
}
