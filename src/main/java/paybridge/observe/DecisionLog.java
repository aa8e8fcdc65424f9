package paybridge.observe;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One log line per payment decision, with its facts as MDC keys too, so a JSON layout
 * ({@code PAYBRIDGE_LOG_FORMAT=json}) emits them as fields: {@value #PAYMENT_ID}, {@value #VENDOR},
 * {@value #OPERATION}, {@value #OUTCOME}, {@value #DURATION_MS} (and {@value #REFUND_ID} for refunds).
 * The keys are restored after the line: they never leak into the thread's next log lines.
 * Never put card data, secrets or tokens here.
 */
public final class DecisionLog {
    public static final String PAYMENT_ID = "paymentId";
    public static final String REFUND_ID = "refundId";
    public static final String VENDOR = "vendor";
    public static final String OPERATION = "operation";
    public static final String OUTCOME = "outcome";
    public static final String DURATION_MS = "durationMs";

    private DecisionLog() {
    }

    /**
     * Logs {@code message} (SLF4J format, {@code args}) at INFO with the decision in the MDC.
     *
     * @param durationMs milliseconds from the request's arrival (or the billing item's start) to the
     *                   decision; negative when not measured (then not logged)
     */
    public static void info(Logger log, String operation, String paymentId, String refundId, String vendor,
                            String outcome, long durationMs, String message, Object... args) {
        String[] keys = {PAYMENT_ID, REFUND_ID, VENDOR, OPERATION, OUTCOME, DURATION_MS};
        String[] values = {paymentId, refundId, vendor, operation, outcome, durationMs < 0 ? null : String.valueOf(durationMs)};
        String[] before = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            before[i] = MDC.get(keys[i]);
            put(keys[i], values[i]);
        }
        try {
            log.info(message, args);
        } finally {
            for (int i = 0; i < keys.length; i++) {
                put(keys[i], before[i]);
            }
        }
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        } else {
            MDC.remove(key);
        }
    }
}
