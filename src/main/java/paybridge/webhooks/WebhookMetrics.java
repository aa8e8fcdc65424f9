package paybridge.webhooks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook counters (bound as {@code webhookMetrics}); the metrics endpoint can publish them. Refused
 * deliveries are not stored, so these counters are the only trace they leave.
 */
public final class WebhookMetrics {
    public final AtomicLong stored = new AtomicLong();
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong refusedTooLarge = new AtomicLong();
    public final AtomicLong refusedIp = new AtomicLong();
    public final AtomicLong refusedSignature = new AtomicLong();
    public final AtomicLong processed = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong retried = new AtomicLong();
    public final AtomicLong flagged = new AtomicLong();

    /** A snapshot, e.g. for a metrics binder or a test. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("stored", stored.get());
        m.put("malformed", malformed.get());
        m.put("refusedTooLarge", refusedTooLarge.get());
        m.put("refusedIp", refusedIp.get());
        m.put("refusedSignature", refusedSignature.get());
        m.put("processed", processed.get());
        m.put("rejected", rejected.get());
        m.put("retried", retried.get());
        m.put("flagged", flagged.get());
        return m;
    }
}
