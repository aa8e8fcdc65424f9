package paybridge.webhooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import paybridge.Settings;

/**
 * The webhook settings (application.properties, "Webhooks"), read once at start-up. Only what holds
 * for every vendor: a vendor's own (source addresses, signing secret) are its connector's
 * ({@code paybridge.connector.WebhookRules}).
 *
 * @param disabledVendorRetry how often an entry whose vendor is not enabled here is looked at again
 *                            (it waits, PENDING, for its vendor to be enabled: a restart)
 */
public record WebhookSettings(
        int maxBytes,
        boolean processingEnabled,
        Duration pollInterval,
        int batchSize,
        int concurrency,
        Duration lease,
        List<Duration> retryDelays,
        Duration disabledVendorRetry) {

    public static WebhookSettings from(Settings s) {
        List<Duration> delays = new ArrayList<>();
        for (String d : s.get("paybridge.webhook.retry-delays", "PT5S,PT30S,PT2M,PT10M,PT30M,PT1H,PT3H,PT6H,PT12H,PT24H")
                .split(",")) {
            if (!d.isBlank()) {
                delays.add(Duration.parse(d.trim()));
            }
        }
        return new WebhookSettings(
                s.intValue("paybridge.webhook.max-bytes", 65536),
                s.bool("paybridge.webhook.processing-enabled", true),
                s.duration("paybridge.webhook.poll-interval", "PT2S"),
                s.intValue("paybridge.webhook.batch-size", 200),
                s.intValue("paybridge.webhook.concurrency", 8),
                s.duration("paybridge.webhook.lease", "PT2M"),
                List.copyOf(delays),
                s.duration("paybridge.webhook.disabled-vendor-retry", "PT10M"));
    }

    /** The wait before retry number {@code attempts} (1 = after the first failure); null after the last. */
    public Duration retryDelay(int attempts) {
        return attempts >= 1 && attempts <= retryDelays.size() ? retryDelays.get(attempts - 1) : null;
    }
}
