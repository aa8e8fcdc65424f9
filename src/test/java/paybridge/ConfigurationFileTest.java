package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Every key of CONTRACT §6 is in application.properties, documented by a comment right above it,
 * overridable by the environment variable the contract names, with the contract's default.
 */
class ConfigurationFileTest {
    /** key -> {environment variable, default}, as CONTRACT §6 lists them. */
    private static final Map<String, List<String>> CONTRACT = new LinkedHashMap<>();

    static {
        CONTRACT.put("paybridge.http.port", List.of("PAYBRIDGE_HTTP_PORT", "8080"));
        CONTRACT.put("paybridge.db.url", List.of("PAYBRIDGE_DB_URL", "jdbc:h2:file:./data/paybridge"));
        CONTRACT.put("paybridge.db.user", List.of("PAYBRIDGE_DB_USER", "sa"));
        CONTRACT.put("paybridge.db.password", List.of("PAYBRIDGE_DB_PASSWORD", ""));
        CONTRACT.put("paybridge.api.key", List.of("PAYBRIDGE_API_KEY", ""));
        CONTRACT.put("paybridge.vendors", List.of("PAYBRIDGE_VENDORS", "steppay,iamport"));
        CONTRACT.put("paybridge.steppay.base-url", List.of("STEPPAY_BASE_URL", "https://api.steppay.kr"));
        CONTRACT.put("paybridge.steppay.secret-token", List.of("STEPPAY_SECRET_TOKEN", ""));
        CONTRACT.put("paybridge.steppay.refund-header", List.of("STEPPAY_REFUND_HEADER", "Secret-Token"));
        CONTRACT.put("paybridge.steppay.webhook-secret", List.of("STEPPAY_WEBHOOK_SECRET", ""));
        CONTRACT.put("paybridge.iamport.base-url", List.of("IAMPORT_BASE_URL", "https://api.iamport.kr"));
        CONTRACT.put("paybridge.iamport.api-key", List.of("IAMPORT_API_KEY", ""));
        CONTRACT.put("paybridge.iamport.api-secret", List.of("IAMPORT_API_SECRET", ""));
        CONTRACT.put("paybridge.iamport.pg", List.of("IAMPORT_PG", "settle"));
        CONTRACT.put("paybridge.iamport.hard-decline-codes", List.of("IAMPORT_HARD_DECLINE_CODES", ""));
        CONTRACT.put("paybridge.steppay.hard-decline-codes", List.of("STEPPAY_HARD_DECLINE_CODES", ""));
        CONTRACT.put("paybridge.vendor.timeout", List.of("PAYBRIDGE_VENDOR_TIMEOUT", "PT10S"));
        CONTRACT.put("paybridge.webhook.max-bytes", List.of("PAYBRIDGE_WEBHOOK_MAX_BYTES", "65536"));
        CONTRACT.put("paybridge.iamport.webhook-ips", List.of("PAYBRIDGE_IAMPORT_WEBHOOK_IPS", ""));
        CONTRACT.put("paybridge.steppay.webhook-ips", List.of("PAYBRIDGE_STEPPAY_WEBHOOK_IPS", ""));
        CONTRACT.put("paybridge.billing.cron", List.of("PAYBRIDGE_BILLING_CRON", "0 0 3 * * ?"));
        CONTRACT.put("paybridge.billing.timezone", List.of("PAYBRIDGE_BILLING_TIMEZONE", "Asia/Seoul"));
        CONTRACT.put("paybridge.billing.concurrency", List.of("PAYBRIDGE_BILLING_CONCURRENCY", "16"));
        CONTRACT.put("paybridge.billing.retry-delays", List.of("PAYBRIDGE_BILLING_RETRY_DELAYS", "P1D,P3D,P7D"));
        CONTRACT.put("paybridge.reconcile.interval", List.of("PAYBRIDGE_RECONCILE_INTERVAL", "PT1M"));
        CONTRACT.put("paybridge.reconcile.alert-after", List.of("PAYBRIDGE_RECONCILE_ALERT_AFTER", "PT30M"));
    }

    @Test
    void everyContractKeyIsDocumentedAndOverridableByItsEnvironmentVariable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("application.properties"));
        for (Map.Entry<String, List<String>> key : CONTRACT.entrySet()) {
            int at = indexOfKey(lines, key.getKey());
            assertThat(at).as("%s in application.properties", key.getKey()).isNotNegative();
            String value = lines.get(at).substring(lines.get(at).indexOf('=') + 1).trim();
            assertThat(value).as(key.getKey())
                    .isEqualTo("{{env:" + key.getValue().get(0) + ":" + key.getValue().get(1) + "}}");
            boolean commented = false;
            for (int i = at - 1; i >= 0 && !lines.get(i).isBlank(); i--) {
                commented |= lines.get(i).startsWith("#");
            }
            assertThat(commented).as("comment above %s", key.getKey()).isTrue();
        }
        assertThat(lines).anyMatch(l -> l.startsWith("camel.management.port = {{env:CAMEL_MANAGEMENT_PORT:9876}}"));
    }

    private static int indexOfKey(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^" + java.util.regex.Pattern.quote(key) + "\\s*=.*")) {
                return i;
            }
        }
        return -1;
    }
}
