package paybridge.webhooks;

import paybridge.connector.steppay.SteppaySignature;
import paybridge.connector.IpAllowList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import paybridge.Settings;

/** The webhook settings (application.properties, "Webhooks"), read once at start-up. */
public record WebhookSettings(
        int maxBytes,
        IpAllowList iamportIps,
        IpAllowList steppayIps,
        SteppaySignature steppaySignature,
        boolean processingEnabled,
        Duration pollInterval,
        int batchSize,
        int concurrency,
        Duration lease,
        List<Duration> retryDelays) {

    public static WebhookSettings from(Settings s) {
        String secret = s.find("paybridge.steppay.webhook-secret").orElse(null);
        List<Duration> delays = new ArrayList<>();
        for (String d : s.get("paybridge.webhook.retry-delays", "PT5S,PT30S,PT2M,PT10M,PT30M,PT1H,PT3H,PT6H,PT12H,PT24H")
                .split(",")) {
            if (!d.isBlank()) {
                delays.add(Duration.parse(d.trim()));
            }
        }
        return new WebhookSettings(
                s.intValue("paybridge.webhook.max-bytes", 65536),
                IpAllowList.parse(s.get("paybridge.iamport.webhook-ips", "")),
                IpAllowList.parse(s.get("paybridge.steppay.webhook-ips", "")),
                secret == null ? null : new SteppaySignature(secret),
                s.bool("paybridge.webhook.processing-enabled", true),
                s.duration("paybridge.webhook.poll-interval", "PT2S"),
                s.intValue("paybridge.webhook.batch-size", 200),
                s.intValue("paybridge.webhook.concurrency", 8),
                s.duration("paybridge.webhook.lease", "PT2M"),
                List.copyOf(delays));
    }

    public IpAllowList allowList(String vendor) {
        return "iamport".equals(vendor) ? iamportIps : steppayIps;
    }

    /** The wait before retry number {@code attempts} (1 = after the first failure); null after the last. */
    public Duration retryDelay(int attempts) {
        return attempts >= 1 && attempts <= retryDelays.size() ? retryDelays.get(attempts - 1) : null;
    }
}
