package paybridge.billing;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.health.HealthCheckResultBuilder;
import paybridge.observe.ReportOnlyHealthCheck;

/**
 * Readiness, report only: billing periods charged twice (attempts in state PAID_DUPLICATE, see
 * {@link DoubleChargeAlarm}), read from the database so every node shows them until an operator
 * settles them. Always UP: every node would see the same rows, and taking them all out of the load
 * balancer helps nobody; the count and the paymentIds are in the details.
 */
final class DoubleChargeHealthCheck extends ReportOnlyHealthCheck {
    private static final int SHOWN = 10;
    private final BillingAttemptStore attempts;

    DoubleChargeHealthCheck(BillingAttemptStore attempts) {
        super("billing-double-charges", "billing.double.charged", "double charges");
        this.attempts = attempts;
    }

    @Override
    protected void report(HealthCheckResultBuilder builder) {
        long n = attempts.duplicateCount();
        builder.detail("billing.double.charged", n);
        if (n > 0) {
            List<Map<String, Object>> rows = attempts.duplicates(SHOWN);
            String pairs = rows.stream().map(r -> r.get("payment_id") + " (period already paid by "
                    + r.get("double_charge_of") + ")").collect(Collectors.joining(", "));
            builder.detail("billing.double.charged.payments", pairs);
            // no slash in messages: Camel's health JSON escapes it twice
            builder.message(n + " billing period(s) charged twice: " + pairs + "; refund one payment of each");
        }
    }
}
