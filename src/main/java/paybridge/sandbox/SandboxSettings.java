package paybridge.sandbox;

import java.time.Duration;

/**
 * How the vendor simulators behave. Every value comes from {@code paybridge.sandbox.*} in
 * application.properties, so a benchmark or a test changes behaviour without code.
 *
 * @param host                 address the sandbox listens on (loopback by default)
 * @param port                 its own port: the sandbox never shares paybridge's HTTP worker pool
 * @param latency              added to every simulator answer (benchmarks); zero by default
 * @param hang                 how long a {@link TestAmounts#HANG} charge keeps its caller waiting
 * @param webhookBaseUrl       where simulated vendor webhooks go: {@code <base>/iamport}, {@code <base>/steppay}
 * @param iamportWebhookContentType {@code application/json} or {@code application/x-www-form-urlencoded}
 * @param steppayWebhookContentType likewise, for Steppay
 * @param iamportApiKey        the {@code imp_key} the iamport simulator accepts
 * @param iamportApiSecret     the {@code imp_secret} it accepts
 * @param iamportTokenTtl      lifetime of an iamport access token (30 minutes at the real vendor)
 * @param steppaySecretToken   the {@code Secret-Token} the Steppay simulator accepts
 * @param steppayBillingResponse {@code full} (billing answers with the new payment) or {@code empty}
 *                             (HTTP 200 with no body): the real answer is undocumented
 */
public record SandboxSettings(
        String host,
        int port,
        Duration latency,
        Duration hang,
        String webhookBaseUrl,
        String iamportWebhookContentType,
        String steppayWebhookContentType,
        String iamportApiKey,
        String iamportApiSecret,
        Duration iamportTokenTtl,
        String steppaySecretToken,
        String steppayBillingResponse) {

    /** Defaults suitable for a test: port 0 picks a free port. */
    public static SandboxSettings defaults() {
        return new SandboxSettings("127.0.0.1", 0, Duration.ZERO, Duration.ofSeconds(30),
                "http://127.0.0.1:8080/webhooks", "application/json", "application/json",
                "sandbox-imp-key", "sandbox-imp-secret", Duration.ofMinutes(30),
                "sandbox-steppay-token", "full");
    }

    public SandboxSettings withPort(int newPort) {
        return new SandboxSettings(host, newPort, latency, hang, webhookBaseUrl, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withWebhookBaseUrl(String url) {
        return new SandboxSettings(host, port, latency, hang, url, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withLatency(Duration newLatency) {
        return new SandboxSettings(host, port, newLatency, hang, webhookBaseUrl, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withHang(Duration newHang) {
        return new SandboxSettings(host, port, latency, newHang, webhookBaseUrl, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withIamportTokenTtl(Duration ttl) {
        return new SandboxSettings(host, port, latency, hang, webhookBaseUrl, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, ttl,
                steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withWebhookContentTypes(String iamport, String steppay) {
        return new SandboxSettings(host, port, latency, hang, webhookBaseUrl, iamport, steppay,
                iamportApiKey, iamportApiSecret, iamportTokenTtl, steppaySecretToken, steppayBillingResponse);
    }

    public SandboxSettings withSteppayBillingResponse(String mode) {
        return new SandboxSettings(host, port, latency, hang, webhookBaseUrl, iamportWebhookContentType,
                steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                steppaySecretToken, mode);
    }

    /** From {@code paybridge.sandbox.*} (application.properties). */
    public static SandboxSettings from(paybridge.Settings s) {
        return new SandboxSettings(
                s.get("paybridge.sandbox.host", "127.0.0.1"),
                s.intValue("paybridge.sandbox.port", 8090),
                s.duration("paybridge.sandbox.latency", "PT0S"),
                s.duration("paybridge.sandbox.hang", "PT30S"),
                s.get("paybridge.sandbox.webhook-url", ""),
                s.get("paybridge.sandbox.iamport.webhook-content-type", "application/json"),
                s.get("paybridge.sandbox.steppay.webhook-content-type", "application/json"),
                s.get("paybridge.sandbox.iamport.api-key", "sandbox-imp-key"),
                s.get("paybridge.sandbox.iamport.api-secret", "sandbox-imp-secret"),
                s.duration("paybridge.sandbox.iamport.token-ttl", "PT30M"),
                s.get("paybridge.sandbox.steppay.secret-token", "sandbox-steppay-token"),
                s.get("paybridge.sandbox.steppay.billing-response", "full"));
    }
}
