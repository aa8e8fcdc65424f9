package paybridge.billing;

import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.observe.PaybridgeMeters;

/**
 * A billing period charged twice: an attempt the vendor shows charged while another attempt of its
 * period is PAID (typically a NOT_CHARGED conclusion the vendor's record later contradicted, after
 * the period's next attempt had been paid). Never silent: an ERROR line naming both paymentIds, the
 * counter {@code paybridge_billing_double_charged_total}, and the rows (state PAID_DUPLICATE) on the
 * {@code billing-double-charges} health check until an operator refunds one and settles it.
 */
public final class DoubleChargeAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(DoubleChargeAlarm.class);
    static final String METER = "paybridge.billing.double.charged";

    private volatile Counter counter;

    /** Registers the counter with paybridge's meters (wired at start-up). */
    void observe(PaybridgeMeters meters) {
        counter = Counter.builder(METER)
                .description("Billing periods found charged twice (attempts marked PAID_DUPLICATE): refund one")
                .register(meters.registry());
    }

    /**
     * {@code attempt} was charged although {@code paidBy} had already paid its period; {@code attemptGone}: its
     * row was no longer there to be marked (so the health check cannot show it: this line and the counter do).
     */
    void doubleCharged(AttemptRef attempt, String paidBy, boolean attemptGone) {
        LOG.error("billing: DOUBLE CHARGE subscriptionId={} period {} ({}): paymentId={} was charged although paymentId={}"
                        + " had already paid the period; refund one of them ({})",
                attempt.subscriptionId(), attempt.periodIndex(), attempt.periodDate(), attempt.paymentId(), paidBy,
                attemptGone ? "its attempt row is gone: it is not on the billing-double-charges check"
                        : "attempt " + attempt.paymentId() + " is PAID_DUPLICATE");
        Counter c = counter;
        if (c != null) {
            c.increment();
        }
    }
}
