package paybridge.observe;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness, report only: payments PENDING or UNKNOWN and not updated for longer than
 * {@code paybridge.reconcile.alert-after} (and billing-key issuances PENDING past their in-flight
 * bound, in the details and in {@code paybridge_billing_keys_pending_stuck}). Always UP (a stuck payment is a case for an operator, not
 * a reason to take the node out of the load balancer: every node would see the same rows and all
 * would go DOWN together); the count is in the details and in {@code paybridge_payments_open_stuck}.
 */
public final class ReconcileBacklogHealthCheck extends ReportOnlyHealthCheck {
    private final Backlog backlog;

    public ReconcileBacklogHealthCheck(Backlog backlog) {
        super("reconcile-backlog", "payments.open.stuck", "backlog");
        this.backlog = backlog;
    }

    @Override
    protected void report(HealthCheckResultBuilder builder) {
        builder.detail("alert.after", backlog.alertAfter().toString());
        Backlog.Snapshot s = backlog.read();
        builder.detail("payments.open.stuck", s.stuckPayments());
        // looked at and left for an operator (another order id, amount, no idKey yet, open at the vendor)
        builder.detail("payments.open.unsettleable", s.unsettleablePayments());
        // issuances whose answer was lost: the same request again settles each (report only)
        builder.detail("billing-keys.pending.stuck", s.pendingBillingKeys());
        if (s.stuckPayments() > 0) {
            builder.detail("payments.open.oldest.updated", s.oldestStuck() == null ? "" : s.oldestStuck().toString());
            // no slash in messages: Camel's health JSON escapes it twice
            builder.message(s.stuckPayments() + " payment(s) PENDING or UNKNOWN for longer than " + backlog.alertAfter()
                    + ": reconcile could not settle them; check them at the vendor and resolve them");
        }
    }
}
