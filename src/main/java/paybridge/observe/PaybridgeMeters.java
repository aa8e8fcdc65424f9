package paybridge.observe;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * paybridge's own meters, in the Micrometer registry that Camel's {@code /observe/metrics} serves
 * (bound as {@code paybridgeMeters}). Label values are only ever a known vendor name, an operation
 * name or an outcome/status enum: never an id, an amount, card data or a secret. Anything else
 * becomes {@code other}.
 */
public final class PaybridgeMeters {
    public static final String BEAN = "paybridgeMeters";

    /** Used when observability is not wired (unit tests that build services by hand). */
    public static final PaybridgeMeters NONE = new PaybridgeMeters(new SimpleMeterRegistry(), Set.of());

    /** Bucket bounds of the vendor call histogram: around the 10 s default vendor timeout. */
    static final Duration[] VENDOR_CALL_BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30)};

    /** An enum name (no digits: ids have them) or an HTTP status class such as 5xx. */
    private static final Pattern ENUM_LIKE = Pattern.compile("[a-z][a-z_]{0,31}|[1-5]xx");

    private final MeterRegistry registry;
    private final Set<String> vendors;
    // each meter built once per name and labels: building and registering one costs more than using it
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    /**
     * @param vendors the vendor names that may appear as a label value (the supported vendors);
     *                any other value is reported as {@code other}
     */
    public PaybridgeMeters(MeterRegistry registry, Set<String> vendors) {
        this.registry = registry;
        this.vendors = Set.copyOf(vendors);
    }

    /** The bean bound in the context, or {@link #NONE}. */
    public static PaybridgeMeters of(CamelContext context) {
        PaybridgeMeters meters = context == null ? null
                : context.getRegistry().lookupByNameAndType(BEAN, PaybridgeMeters.class);
        return meters == null ? NONE : meters;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A charge decided at the vendor (the immediate answer, not later reconcile or webhook updates). */
    public void charge(String vendor, String status) {
        counter("paybridge.charges", "Charge outcomes decided by paybridge, by vendor and status",
                "vendor", vendor(vendor), "status", outcome(status)).increment();
    }

    /** A refund decided at the vendor. */
    public void refund(String vendor, String status) {
        counter("paybridge.refunds", "Refund outcomes decided by paybridge, by vendor and status",
                "vendor", vendor(vendor), "status", outcome(status)).increment();
    }

    /** An open payment settled by the reconcile lookup. */
    public void reconciled(String vendor, String status) {
        counter("paybridge.reconcile.settled", "Open payments settled by a reconcile lookup, by vendor and status",
                "vendor", vendor(vendor), "status", outcome(status)).increment();
    }

    /**
     * Alert: a payment concluded not charged (or FAILED by an operator) that the vendor's record shows
     * charged; it is PAID now, and a billing period may have been re-sent meanwhile.
     */
    public void notChargedOverturned(String vendor) {
        counter("paybridge.not_charged.overturned",
                "Payments concluded not charged that the vendor's record later showed charged (now PAID): alert",
                "vendor", vendor(vendor)).increment();
    }

    /**
     * Alert: a refund concluded never refunded (its reservation released) that the vendor's answer
     * later showed refunded; it is REFUNDED now with its ledger entry.
     */
    public void notRefundedOverturned(String vendor) {
        counter("paybridge.not_refunded.overturned",
                "Refunds concluded not refunded that the vendor's answer later showed refunded (now REFUNDED): alert",
                "vendor", vendor(vendor)).increment();
    }

    /** One HTTP request to a vendor, connect to last byte (or failure). */
    public void vendorCall(String vendor, String operation, String outcome, long nanos) {
        String[] tags = {"vendor", vendor(vendor), "operation", outcome(operation), "outcome", outcome(outcome)};
        timers.computeIfAbsent(List.of(tags), k -> Timer.builder("paybridge.vendor.call")
                        .description("Vendor HTTP calls, by vendor, operation and outcome")
                        .tags(tags)
                        .serviceLevelObjectives(VENDOR_CALL_BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One billing attempt's outcome as the billing run saw it. */
    public void billingAttempt(String outcome) {
        counter("paybridge.billing.attempts", "Billing run attempts, by outcome", "outcome", outcome(outcome))
                .increment();
    }

    /** A billing run ended on this node (COMPLETED or FAILED). */
    public void billingRun(String status) {
        counter("paybridge.billing.runs", "Billing runs ended on this node, by status", "status", outcome(status))
                .increment();
    }

    private Counter counter(String name, String description, String... tags) {
        List<String> key = new java.util.ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** A known vendor name, else {@code other}. */
    public String vendor(String vendor) {
        String v = vendor == null ? "" : vendor.toLowerCase(Locale.ROOT);
        return vendors.contains(v) ? v : "other";
    }

    /** An enum-like value (letters and underscores, at most 32, lower-cased) or {@code 2xx}..., else {@code other}. */
    public static String outcome(String value) {
        if (value == null) {
            return "none";
        }
        String v = value.toLowerCase(Locale.ROOT).replace('-', '_');
        return ENUM_LIKE.matcher(v).matches() ? v : "other";
    }
}
