package paybridge.sandbox;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a simulated vendor webhook, asynchronously and once (as iamport does by default), in the
 * content type the vendor's console would be set to. Delivery failures are only counted: a real
 * vendor does not tell the merchant either. At most {@link #MAX_IN_FLIGHT} deliveries per receiving
 * host and port are on the wire at once (kept-alive HTTP/1.1 connections, as the vendors send), the
 * rest wait in the client's queue as at a vendor's sending workers: thousands of simultaneous
 * connections from a burst were refused on loopback and lost.
 *
 * <p>The sandbox's own Vert.x client, on its event loops: the JDK's {@code java.net.http} client cost
 * 14 % of the JVM's CPU in a billing benchmark with a webhook per charge, CPU the simulated vendor
 * would not take from paybridge in production.
 */
public final class WebhookSender {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_IN_FLIGHT = 32;

    private final HttpClient client;
    /** paybridge nodes' webhook base URLs; a delivery addressed to the first goes to them in turn. */
    private final List<String> targets;
    private final AtomicLong turn = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    public WebhookSender(Vertx vertx) {
        this(vertx, List.of());
    }

    /**
     * @param targets the webhook base URLs of several paybridge nodes (a chaos run): a delivery
     *                addressed under the first goes to the next node in turn, and to the one after it
     *                when that node does not answer or is not serving, as a load balancer in front of the
     *                nodes would do
     */
    public WebhookSender(Vertx vertx, List<String> targets) {
        this.targets = List.copyOf(targets);
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setKeepAlive(true)
                        .setConnectTimeout(5_000),
                new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    }

    /**
     * @param url         the paybridge webhook URL, e.g. {@code http://127.0.0.1:8080/webhooks/iamport}
     * @param contentType {@code application/json} or {@code application/x-www-form-urlencoded}
     * @param fields      the webhook body fields, in order
     * @return completes with the HTTP status, or -1 when the delivery failed
     */
    public CompletableFuture<Integer> send(String url, String contentType, Map<String, ?> fields) {
        if (targets.size() < 2 || !url.startsWith(targets.get(0))) {
            return deliver(url, contentType, fields);
        }
        String path = url.substring(targets.get(0).length());
        int first = (int) (turn.getAndIncrement() % targets.size());
        String next = targets.get((first + 1) % targets.size()) + path;
        return deliver(targets.get(first) + path, contentType, fields)
                .thenCompose(status -> notServing(status) ? deliver(next, contentType, fields) : CompletableFuture.completedFuture(status));
    }

    /**
     * No answer, or the answer of a node that is not serving yet (starting: routes not up) or any
     * more: what a load balancer's health check keeps from the vendor. A 500 is paybridge's own answer.
     */
    private static boolean notServing(int status) {
        return status == -1 || status == 404 || status == 503;
    }

    private CompletableFuture<Integer> deliver(String url, String contentType, Map<String, ?> fields) {
        String body = contentType.startsWith("application/x-www-form-urlencoded") ? form(fields) : json(fields);
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url)
                .setIdleTimeout(10_000)
                .putHeader("Content-Type", contentType + "; charset=utf-8");
        CompletableFuture<Integer> result = new CompletableFuture<>();
        pending.incrementAndGet();
        result.whenComplete((status, e) -> pending.decrementAndGet());
        try {
            client.request(request)
                    .compose(req -> req.send(Buffer.buffer(body, "UTF-8")))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(done -> {
                        if (done.succeeded()) {
                            sent.incrementAndGet();
                            result.complete(done.result());
                        } else {
                            failed.incrementAndGet();
                            LOG.debug("Sandbox webhook to {} not delivered: {}", url, done.cause().toString());
                            result.complete(-1);
                        }
                    });
        } catch (RuntimeException e) { // e.g. a malformed URL
            failed.incrementAndGet();
            result.complete(-1);
        }
        return result;
    }

    public long sentCount() {
        return sent.get();
    }

    /** Deliveries queued or on the wire, not yet answered. */
    public long pendingCount() {
        return pending.get();
    }

    public long failedCount() {
        return failed.get();
    }

    private static String form(Map<String, ?> fields) {
        return fields.entrySet().stream()
                .filter(e -> e.getValue() != null)
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String json(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
