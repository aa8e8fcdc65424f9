package paybridge.webhooks;

import paybridge.canonical.ExchangeProperties;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.api.JsonResponses;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.InboxState;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.WebhookRules;
import paybridge.ledger.RandomIds;
import paybridge.ledger.Sql;

/**
 * {@code POST /webhooks/{vendor}} (webhooks.camel.yaml): answers 404 for an id no connector serves
 * (nothing read, nothing stored); a known vendor that is not enabled here is handled by its own rules
 * like an enabled one and stored (nothing is lost: processing keeps it PENDING until the vendor is
 * enabled). Then it refuses what must not be stored, by the vendor's
 * {@link WebhookRules} (source IP not allowed: 403; body over the limit: 413; signature missing or
 * wrong where the vendor's deliveries must be signed: 401 — each counted), then stores the raw
 * delivery (exact body text — or, when the body is not readable text, its exact bytes —, headers
 * without secrets, the connection's address, time) in the inbox, committed, and only then answers:
 * 200 {@code {"inboxId"}}, or 400 for a body that cannot be read (stored as REJECTED).
 * <p>
 * The route consumes with {@code useBodyHandler=false}, so the body arrives here unread as the
 * Vert.x request: form bodies are not parsed into fields and headers, and the bytes stored and
 * signature-checked are exactly the bytes sent.
 */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
    /** Bodies up to this size travel with the fast-path nudge (vendor webhooks are ~100 bytes). */
    static final int QUEUED_BODY_MAX_CHARS = 4096;
    /**
     * Header values never stored, whatever the vendor (nothing downstream needs them); every known
     * connector, enabled or not, adds its own ({@link WebhookRules#secretHeaders()}), and any name
     * {@link #secretByName} is never stored either.
     */
    static final Set<String> NEVER_STORED = Set.of("authorization", "proxy-authorization", "cookie", "x-api-key");

    private final WebhookInbox inbox;
    private final WebhookMetrics metrics;
    private final WebhookSettings settings;
    private final Supplier<ConnectorRegistry> connectors;
    private volatile Set<String> neverStored;

    /** @param connectors the connectors (bound by another configuration: asked for when a delivery comes) */
    public WebhookIntake(WebhookInbox inbox, WebhookMetrics metrics, WebhookSettings settings,
                         Supplier<ConnectorRegistry> connectors) {
        this.inbox = inbox;
        this.metrics = metrics;
        this.settings = settings;
        this.connectors = connectors;
    }

    public void accept(Exchange exchange) throws Exception {
        Instant receivedAt = Sql.now(); // as stored
        if (!(exchange.getMessage() instanceof HttpMessage http)) {
            throw new IllegalStateException("webhook intake needs the platform-http request");
        }
        HttpServerRequest request = http.getRequest();
        // the vendor is the path's, never the "vendor" header: platform-http merges a request header of
        // that name with the path parameter
        String vendor = vendorOf(request.path());
        Optional<WebhookRules> known = connectors.get().webhookRules(vendor);
        if (known.isEmpty()) {
            // as any other unknown path: the sender learns nothing of which vendors exist
            metrics.countUnknownVendor();
            discard(request);
            LOG.debug("webhook refused: no connector serves this path");
            throw ProblemException.of(404, "Not found", "No resource at " + request.path());
        }
        // a vendor not enabled here is still checked by its own rules and stored: processing keeps it
        // PENDING until the vendor is enabled again, so none of its deliveries is lost
        WebhookRules rules = known.get();
        exchange.setProperty(ExchangeProperties.VENDOR, vendor);
        SocketAddress remote = request.remoteAddress(); // the connection's peer, never X-Forwarded-For
        String sourceIp = remote == null ? null : remote.hostAddress();

        if (!rules.sources().allows(sourceIp)) {
            metrics.count(vendor, WebhookMetrics.Outcome.REFUSED_IP);
            discard(request);
            LOG.warn("webhook {} refused: source address not in the allow list", vendor);
            throw ProblemException.of(403, "Forbidden", "This source address may not deliver " + vendor + " webhooks");
        }
        long declared = declaredLength(request);
        if (declared > settings.maxBytes()) {
            tooLarge(vendor, request);
        }
        byte[] raw = read(request, settings.maxBytes());
        if (raw == null) {
            tooLarge(vendor, null);
        }
        String badSignature = rules.refuseSignature(request::getHeader, raw);
        if (badSignature != null) {
            metrics.count(vendor, WebhookMetrics.Outcome.REFUSED_SIGNATURE);
            LOG.warn("webhook {} refused: {} missing or not valid", vendor, badSignature);
            throw ProblemException.of(401, "Unauthorized", "Missing or invalid " + badSignature);
        }

        String contentType = request.getHeader("Content-Type");
        String body;
        byte[] bodyBytes = null;
        String malformed = null;
        String malformedField = "body";
        String vendorRef = null;
        try {
            body = decode(raw, charset(contentType));
            if (body.indexOf('\0') >= 0) {
                // decodable, but a text column cannot hold NUL (PostgreSQL refuses it): keep the bytes
                body = null;
                bodyBytes = raw;
                malformed = "body contains NUL bytes (stored as bytes)";
            }
        } catch (CharacterCodingException e) {
            // not text: kept byte for byte, so nothing the sender sent is lost or altered
            body = null;
            bodyBytes = raw;
            malformed = "body is not valid " + charset(contentType).name() + " text (stored as bytes)";
        }
        if (malformed == null) {
            // a secret inside the body is kept out of the inbox like a secret header
            body = rules.storedBody(contentType, body);
            try {
                vendorRef = WebhookProcessor.parse(rules, contentType, body).vendorRef();
            } catch (MalformedWebhookException e) {
                malformed = e.getMessage();
                malformedField = e.field() == null ? "body" : e.field();
            }
        }
        String inboxId = RandomIds.timeOrdered().toString();
        InboxEntry stored = inbox.insert(inboxId, vendor, receivedAt, sourceIp, contentType,
                headers(request, neverStored()), body, bodyBytes, malformed == null ? InboxState.RECEIVED : InboxState.REJECTED,
                malformed == null ? null : "malformed: " + malformed, vendorRef);
        exchange.setProperty(ExchangeProperties.INBOX_ID, inboxId);
        if (body != null && body.length() <= QUEUED_BODY_MAX_CHARS) {
            exchange.setProperty(ExchangeProperties.INBOX_ENTRY, stored);
        }
        if (malformed != null) {
            metrics.count(vendor, WebhookMetrics.Outcome.MALFORMED);
            LOG.info("webhook {} inboxId={} stored, malformed: {}", vendor, inboxId, malformed);
            throw new ProblemException(new Problem("https://paybridge.dev/problems/malformed-webhook",
                    "Malformed webhook", 400, "The body cannot be read (" + malformed + "); stored as inboxId " + inboxId,
                    java.util.List.of(new paybridge.canonical.FieldError(malformedField, malformed))));
        }
        metrics.count(vendor, WebhookMetrics.Outcome.ACCEPTED);
        exchange.setProperty(ExchangeProperties.WEBHOOK_QUEUED, true);
        JsonResponses.write(exchange, 200, Map.of("inboxId", inboxId));
    }

    private void tooLarge(String vendor, HttpServerRequest unread) {
        metrics.count(vendor, WebhookMetrics.Outcome.TOO_LARGE);
        if (unread != null) {
            discard(unread);
        }
        LOG.warn("webhook {} refused: body over {} bytes", vendor, settings.maxBytes());
        throw ProblemException.of(413, "Payload too large",
                "A webhook body may have at most " + settings.maxBytes() + " bytes");
    }

    private static long declaredLength(HttpServerRequest request) {
        String v = request.getHeader("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The whole body, or null when it is longer than {@code max} bytes (the rest is discarded). */
    static byte[] read(HttpServerRequest request, int max) throws Exception {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean[] over = {false};
        request.handler(buffer -> {
            synchronized (out) {
                if (!over[0] && out.size() + buffer.length() <= max) {
                    out.write(buffer.getBytes(), 0, buffer.length());
                } else {
                    over[0] = true;
                }
            }
        });
        request.exceptionHandler(done::completeExceptionally);
        request.endHandler(v -> {
            synchronized (out) {
                done.complete(over[0] ? null : out.toByteArray());
            }
        });
        request.resume();
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw ProblemException.of(400, "Bad request", "The request body did not arrive in time");
        }
    }

    /** Lets an unread body flow into nothing, so the connection can carry the answer. */
    private static void discard(HttpServerRequest request) {
        try {
            if (!request.isEnded()) {
                request.handler(b -> { });
                request.resume();
            }
        } catch (RuntimeException ignored) {
            // the connection is gone: nothing to drain
        }
    }

    static Charset charset(String contentType) {
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String p = part.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    try {
                        return Charset.forName(p.substring(8).trim().replace("\"", ""));
                    } catch (RuntimeException unknown) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    static String decode(byte[] raw, Charset charset) throws CharacterCodingException {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    }

    /**
     * The vendor a webhook path names: its last segment, percent-decoded as the router decodes path
     * parameters; null when there is none.
     */
    static String vendorOf(String path) {
        if (path == null) {
            return null;
        }
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String segment = p.substring(p.lastIndexOf('/') + 1);
        try {
            String decoded = new URI("/" + segment).getPath();
            return decoded == null || decoded.length() < 2 ? null : decoded.substring(1);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** The generic secret headers and every known connector's ({@link WebhookRules#secretHeaders()}). */
    private Set<String> neverStored() {
        Set<String> names = neverStored;
        if (names == null) {
            names = secretHeaders(NEVER_STORED, connectors.get());
            neverStored = names;
        }
        return names;
    }

    /**
     * The generic names and every known connector's secret headers (enabled or not), lower-case: a
     * secret of any vendor is one whichever vendor's path it arrived at.
     */
    static Set<String> secretHeaders(Set<String> generic, ConnectorRegistry connectors) {
        return Stream.concat(generic.stream(), connectors.secretHeaders().stream())
                .map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a header's lower-case name says it carries a secret (a signature, a secret, a token):
     * never stored nor shown, whichever vendor sent it and whatever is enabled.
     */
    static boolean secretByName(String lowerCaseName) {
        return lowerCaseName.contains("signature") || lowerCaseName.contains("secret") || lowerCaseName.contains("token");
    }

    /** The request headers as a JSON object (repeated headers joined by ", "), secrets as "[not stored]". */
    static String headers(HttpServerRequest request, Set<String> neverStored) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (neverStored.contains(name) || secretByName(name)) {
                out.put(name, "[not stored]");
                continue;
            }
            out.merge(name, h.getValue(), (a, b) -> a + ", " + b);
        }
        return CanonicalJson.MAPPER.writeValueAsString(out);
    }
}
