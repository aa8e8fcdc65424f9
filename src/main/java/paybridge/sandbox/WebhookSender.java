package paybridge.sandbox;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a simulated vendor webhook, asynchronously and once (as iamport does by default), in the
 * content type the vendor's console would be set to. Delivery failures are only counted: a real
 * vendor does not tell the merchant either. At most {@link #MAX_IN_FLIGHT} deliveries are on the
 * wire at once, the rest wait their turn (as a vendor's sending workers do): thousands of
 * simultaneous connections from a burst were refused on loopback and lost.
 */
public final class WebhookSender {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            // as the vendors do: HTTP/1.1 connections (java.net.http would otherwise upgrade to HTTP/2 and
            // multiplex every delivery over one connection, i.e. one of paybridge's event loops)
            .version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    static final int MAX_IN_FLIGHT = 32;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
    private final java.util.Queue<Runnable> waiting = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * @param url         the paybridge webhook URL, e.g. {@code http://127.0.0.1:8080/webhooks/iamport}
     * @param contentType {@code application/json} or {@code application/x-www-form-urlencoded}
     * @param fields      the webhook body fields, in order
     * @return completes with the HTTP status, or -1 when the delivery failed
     */
    public CompletableFuture<Integer> send(String url, String contentType, Map<String, ?> fields) {
        String body = contentType.startsWith("application/x-www-form-urlencoded") ? form(fields) : json(fields);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType + "; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        waiting.add(() -> sendNow(request, url, result));
        drain();
        return result;
    }

    /** One delivery on the wire; its permit is given back however it ends. */
    private void sendNow(HttpRequest request, String url, CompletableFuture<Integer> result) {
        CompletableFuture<Integer> sending;
        try {
            sending = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .thenApply(response -> {
                        sent.incrementAndGet();
                        return response.statusCode();
                    })
                    .exceptionally(e -> {
                        failed.incrementAndGet();
                        LOG.debug("Sandbox webhook to {} not delivered: {}", url, e.toString());
                        return -1;
                    });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            sending = CompletableFuture.completedFuture(-1);
        }
        sending.whenComplete((status, e) -> {
            inFlight.release();
            drain();
            result.complete(status == null ? -1 : status);
        });
    }

    /** Starts waiting deliveries while fewer than {@link #MAX_IN_FLIGHT} are on the wire. */
    private void drain() {
        while (!waiting.isEmpty() && inFlight.tryAcquire()) {
            Runnable next = waiting.poll();
            if (next == null) {
                inFlight.release(); // taken meanwhile by another thread; look again
                continue;
            }
            next.run();
        }
    }

    public long sentCount() {
        return sent.get();
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
