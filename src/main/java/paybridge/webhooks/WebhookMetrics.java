package paybridge.webhooks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook counters (bound as {@code webhookMetrics}); paybridge.observe publishes them per vendor as
 * {@code paybridge_webhook_deliveries_total{vendor,outcome}}. Refused deliveries are not stored, so
 * these counters are the only trace they leave. The totals below count all vendors together.
 * Deliveries to a path that names no vendor a connector here serves are counted in one total only
 * ({@link #unknownVendor}): the path is the sender's text, never a label.
 */
public final class WebhookMetrics {
    /** What happened to a delivery (intake) or to a stored entry (processing). */
    public enum Outcome {
        /** stored and queued for verification */
        ACCEPTED,
        /** stored, but its body cannot be read: REJECTED at once (400) */
        MALFORMED,
        /** refused: body over paybridge.webhook.max-bytes (413), not stored */
        TOO_LARGE,
        /** refused: source address not in the vendor's allow list (403), not stored */
        REFUSED_IP,
        /** refused: the vendor's signature missing or invalid where its deliveries must be signed (401), not stored */
        REFUSED_SIGNATURE,
        /** verified against the vendor and recorded */
        PROCESSED,
        /** verification contradicted the delivery (or it was unreadable): REJECTED */
        REJECTED,
        /** the vendor lookup failed: PENDING, retried later */
        RETRIED,
        /** every scheduled retry failed: PENDING and flagged for an operator's replay */
        FLAGGED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public final AtomicLong stored = new AtomicLong();
    public final AtomicLong malformed = new AtomicLong();
    public final AtomicLong refusedTooLarge = new AtomicLong();
    public final AtomicLong refusedIp = new AtomicLong();
    public final AtomicLong refusedSignature = new AtomicLong();
    public final AtomicLong processed = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong retried = new AtomicLong();
    public final AtomicLong flagged = new AtomicLong();
    /** refused: {@code /webhooks/<x>} where no connector serves x (404), not stored */
    public final AtomicLong unknownVendor = new AtomicLong();

    private final Map<String, AtomicLong> byVendor = new ConcurrentHashMap<>();

    /** Counts one delivery outcome of a vendor (and the matching total). */
    public void count(String vendor, Outcome outcome) {
        switch (outcome) {
            case ACCEPTED -> stored.incrementAndGet();
            case MALFORMED -> {
                stored.incrementAndGet();
                malformed.incrementAndGet();
            }
            case TOO_LARGE -> refusedTooLarge.incrementAndGet();
            case REFUSED_IP -> refusedIp.incrementAndGet();
            case REFUSED_SIGNATURE -> refusedSignature.incrementAndGet();
            case PROCESSED -> processed.incrementAndGet();
            case REJECTED -> rejected.incrementAndGet();
            case RETRIED -> retried.incrementAndGet();
            case FLAGGED -> flagged.incrementAndGet();
            default -> throw new IllegalArgumentException(String.valueOf(outcome));
        }
        counter(vendor, outcome).incrementAndGet();
    }

    /** Counts a delivery to a path that names no vendor a connector serves. */
    public void countUnknownVendor() {
        unknownVendor.incrementAndGet();
    }

    /** The live counter of one vendor and outcome (a metrics binder reads it). */
    public AtomicLong counter(String vendor, Outcome outcome) {
        return byVendor.computeIfAbsent(vendor + "|" + outcome.name(), k -> new AtomicLong());
    }

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
        m.put("unknownVendor", unknownVendor.get());
        return m;
    }
}
