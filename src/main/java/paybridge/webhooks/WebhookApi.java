package paybridge.webhooks;

import paybridge.canonical.ExchangeProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import org.apache.camel.Exchange;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.FieldError;
import paybridge.canonical.InboxState;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.connector.ConnectorRegistry;
import paybridge.webhooks.WebhookInbox.Claim;

/**
 * {@code GET /api/webhooks?status=&vendor=&limit=} (newest first) and
 * {@code POST /api/webhooks/{inboxId}/replay} (re-process one entry now, idempotently: the ledger's
 * event keys make a second recording of the same fact a no-op).
 */
public final class WebhookApi {
    private static final String STATUSES = String.join(", ",
            java.util.Arrays.stream(InboxState.values()).map(Enum::name).toList());
    /**
     * Header names never shown, whatever the vendor: credentials, cookies (each known connector adds
     * its own secret headers, {@code WebhookRules.secretHeaders()}).
     */
    static final Set<String> HIDDEN = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-api-key");
    private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {
    };

    private final WebhookInbox inbox;
    private final Supplier<ConnectorRegistry> connectors;
    private volatile Set<String> hidden;

    /** @param connectors the enabled connectors (bound by another configuration: asked for per request) */
    public WebhookApi(WebhookInbox inbox, Supplier<ConnectorRegistry> connectors) {
        this.inbox = inbox;
        this.connectors = connectors;
    }

    public List<Map<String, Object>> list(Exchange exchange) {
        String statusText = blankToNull(exchange.getMessage().getHeader("status", String.class));
        String vendor = blankToNull(exchange.getMessage().getHeader("vendor", String.class));
        String limitText = blankToNull(exchange.getMessage().getHeader("limit", String.class));
        List<FieldError> errors = new ArrayList<>();
        InboxState status = statusText == null ? null : inboxState(statusText);
        if (statusText != null && status == null) {
            errors.add(new FieldError("status", "one of " + STATUSES));
        }
        List<String> vendors = connectors.get().ids();
        if (vendor != null && !vendors.contains(vendor)) {
            errors.add(new FieldError("vendor", "one of the enabled vendors: " + String.join(", ", vendors)));
        }
        int limit = 100;
        if (limitText != null) {
            if (!limitText.matches("\\d{1,4}") || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > 1000) {
                errors.add(new FieldError("limit", "a whole number from 1 to 1000"));
            } else {
                limit = Integer.parseInt(limitText);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid("Invalid query parameters", errors));
        }
        Set<String> hiddenHeaders = hidden();
        return inbox.list(status, vendor, limit).stream().map(e -> view(e, hiddenHeaders)).toList();
    }

    /** Claims the entry for a replay; 404 when unknown, 409 while another node is processing it. */
    public Claim replayClaim(String inboxId) {
        if (inboxId == null || !inboxId.matches("[0-9a-fA-F-]{1,36}")) {
            throw ProblemException.of(404, "Webhook not found", "No stored webhook delivery " + inboxId);
        }
        return inbox.claimForReplay(inboxId).orElseThrow(() -> inbox.find(inboxId).isPresent()
                ? ProblemException.of(409, "Webhook being processed", "inboxId " + inboxId
                        + " is being processed right now; replay it again in a moment")
                : ProblemException.of(404, "Webhook not found", "No stored webhook delivery " + inboxId));
    }

    /** {@code {inboxId, status}} after the replay. */
    public Map<String, Object> replayResult(Exchange exchange) {
        Claim claim = exchange.getProperty(ExchangeProperties.WEBHOOK_CLAIM, Claim.class);
        InboxEntry entry = inbox.find(claim.entry().inboxId()).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inboxId", entry.inboxId());
        out.put("status", entry.status());
        return out;
    }

    /** The generic hidden headers and every known connector's secret headers. */
    private Set<String> hidden() {
        Set<String> names = hidden;
        if (names == null) {
            names = WebhookIntake.secretHeaders(HIDDEN, connectors.get());
            hidden = names;
        }
        return names;
    }

    static Map<String, Object> view(InboxEntry e, Set<String> hiddenHeaders) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inboxId", e.inboxId());
        m.put("vendor", e.vendor());
        m.put("receivedAt", e.receivedAt());
        m.put("sourceIp", e.sourceIp());
        m.put("contentType", e.contentType());
        m.put("headers", visibleHeaders(e.headers(), hiddenHeaders));
        m.put("body", e.body());
        if (e.binary()) {
            // a body that is not text, exactly as received
            m.put("bodyBase64", java.util.Base64.getEncoder().encodeToString(e.bodyBytes()));
        }
        m.put("status", e.status());
        m.put("reason", e.reason());
        m.put("paymentId", e.paymentId());
        m.put("eventType", e.eventType());
        m.put("attempts", e.attempts());
        m.put("nextAttemptAt", e.nextAttemptAt());
        m.put("flagged", e.flagged());
        m.put("processedAt", e.processedAt());
        return m;
    }

    static Map<String, String> visibleHeaders(String json, Set<String> hiddenHeaders) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            Map<String, String> all = CanonicalJson.MAPPER.readValue(json, HEADERS);
            all.forEach((name, value) -> {
                String n = name.toLowerCase(Locale.ROOT);
                if (!hiddenHeaders.contains(n) && !WebhookIntake.secretByName(n)) {
                    out.put(name, value);
                }
            });
        } catch (Exception unreadable) {
            // stored by an older version or damaged: show none rather than risk a secret
        }
        return out;
    }

    private static InboxState inboxState(String text) {
        for (InboxState s : InboxState.values()) {
            if (s.name().equals(text)) {
                return s;
            }
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
