package paybridge.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.logging.log4j.ThreadContext;
import org.slf4j.Logger;

/**
 * One log line per payment decision, with its facts as MDC keys too, so a JSON layout
 * ({@code PAYBRIDGE_LOG_FORMAT=json}) emits them as fields: {@value #PAYMENT_ID}, {@value #VENDOR},
 * {@value #OPERATION}, {@value #OUTCOME}, {@value #DURATION_MS} (and {@value #REFUND_ID} for refunds).
 * The keys are restored after the line: they never leak into the thread's next log lines. The MDC
 * behind SLF4J is log4j's thread context, changed here directly to change it in one step.
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
        String[] values = {paymentId, refundId, vendor, operation, outcome, durationMs < 0 ? null : String.valueOf(durationMs)};
        // the thread's context map is copied on every change (log4j's copy-on-write map): the keys go in
        // with one putAll and one removeAll, and come back the same way, instead of a copy per key
        Map<String, String> set = new HashMap<>(8);
        List<String> unset = new ArrayList<>(KEYS.length);
        Map<String, String> restore = new HashMap<>(8);
        List<String> restoreUnset = new ArrayList<>(KEYS.length);
        for (int i = 0; i < KEYS.length; i++) {
            String before = ThreadContext.get(KEYS[i]);
            if (before != null) {
                restore.put(KEYS[i], before);
            } else {
                restoreUnset.add(KEYS[i]);
            }
            if (values[i] != null) {
                set.put(KEYS[i], values[i]);
            } else if (before != null) {
                unset.add(KEYS[i]);
            }
        }
        apply(set, unset);
        try {
            log.info(message, args);
        } finally {
            restoreUnset.removeIf(key -> !set.containsKey(key));
            apply(restore, restoreUnset);
        }
    }

    private static final String[] KEYS = {PAYMENT_ID, REFUND_ID, VENDOR, OPERATION, OUTCOME, DURATION_MS};

    private static void apply(Map<String, String> put, List<String> remove) {
        if (!remove.isEmpty()) {
            ThreadContext.removeAll(remove);
        }
        if (!put.isEmpty()) {
            ThreadContext.putAll(put);
        }
    }
}
