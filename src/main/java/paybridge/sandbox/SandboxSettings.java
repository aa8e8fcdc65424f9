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
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .latency(latency)
                .hang(hang)
                .webhookBaseUrl(webhookBaseUrl)
                .iamportWebhookContentType(iamportWebhookContentType)
                .steppayWebhookContentType(steppayWebhookContentType)
                .iamportApiKey(iamportApiKey)
                .iamportApiSecret(iamportApiSecret)
                .iamportTokenTtl(iamportTokenTtl)
                .steppaySecretToken(steppaySecretToken)
                .steppayBillingResponse(steppayBillingResponse);
    }

    /** Builds {@link SandboxSettings}; every value starts at its default (see the record's parameters). */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Duration latency = Duration.ZERO;
        private Duration hang = Duration.ofSeconds(30);
        private String webhookBaseUrl = "http://127.0.0.1:8080/webhooks";
        private String iamportWebhookContentType = "application/json";
        private String steppayWebhookContentType = "application/json";
        private String iamportApiKey = "sandbox-imp-key";
        private String iamportApiSecret = "sandbox-imp-secret";
        private Duration iamportTokenTtl = Duration.ofMinutes(30);
        private String steppaySecretToken = "sandbox-steppay-token";
        private String steppayBillingResponse = "full";

        private Builder() {
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder latency(Duration value) {
            this.latency = value;
            return this;
        }

        public Builder hang(Duration value) {
            this.hang = value;
            return this;
        }

        public Builder webhookBaseUrl(String value) {
            this.webhookBaseUrl = value;
            return this;
        }

        public Builder iamportWebhookContentType(String value) {
            this.iamportWebhookContentType = value;
            return this;
        }

        public Builder steppayWebhookContentType(String value) {
            this.steppayWebhookContentType = value;
            return this;
        }

        public Builder iamportApiKey(String value) {
            this.iamportApiKey = value;
            return this;
        }

        public Builder iamportApiSecret(String value) {
            this.iamportApiSecret = value;
            return this;
        }

        public Builder iamportTokenTtl(Duration value) {
            this.iamportTokenTtl = value;
            return this;
        }

        public Builder steppaySecretToken(String value) {
            this.steppaySecretToken = value;
            return this;
        }

        public Builder steppayBillingResponse(String value) {
            this.steppayBillingResponse = value;
            return this;
        }

        public SandboxSettings build() {
            return new SandboxSettings(host, port, latency, hang, webhookBaseUrl, iamportWebhookContentType,
                    steppayWebhookContentType, iamportApiKey, iamportApiSecret, iamportTokenTtl,
                    steppaySecretToken, steppayBillingResponse);
        }
    }

    /** From {@code paybridge.sandbox.*} (application.properties). */
    public static SandboxSettings from(paybridge.Settings s) {
        return builder()
                .host(s.get("paybridge.sandbox.host", "127.0.0.1"))
                .port(s.intValue("paybridge.sandbox.port", 8090))
                .latency(s.duration("paybridge.sandbox.latency", "PT0S"))
                .hang(s.duration("paybridge.sandbox.hang", "PT30S"))
                .webhookBaseUrl(s.get("paybridge.sandbox.webhook-url", ""))
                .iamportWebhookContentType(s.get("paybridge.sandbox.iamport.webhook-content-type", "application/json"))
                .steppayWebhookContentType(s.get("paybridge.sandbox.steppay.webhook-content-type", "application/json"))
                .iamportApiKey(s.get("paybridge.sandbox.iamport.api-key", "sandbox-imp-key"))
                .iamportApiSecret(s.get("paybridge.sandbox.iamport.api-secret", "sandbox-imp-secret"))
                .iamportTokenTtl(s.duration("paybridge.sandbox.iamport.token-ttl", "PT30M"))
                .steppaySecretToken(s.get("paybridge.sandbox.steppay.secret-token", "sandbox-steppay-token"))
                .steppayBillingResponse(s.get("paybridge.sandbox.steppay.billing-response", "full"))
                .build();
    }
}
