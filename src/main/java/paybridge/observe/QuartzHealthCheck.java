package paybridge.observe;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.quartz.Scheduler;

/**
 * Readiness: the Quartz scheduler behind {@code quartz://billing/run} (route {@code billing-scheduled})
 * is started, not in standby and not shut down. DOWN means this node would not fire billing runs
 * (on PostgreSQL another node of the cluster may still fire them).
 */
public final class QuartzHealthCheck extends AbstractHealthCheck {
    private final CamelContext context;

    public QuartzHealthCheck(CamelContext context) {
        super("paybridge", "quartz");
        this.context = context;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        QuartzComponent quartz = context.hasComponent("quartz") instanceof QuartzComponent q ? q : null;
        Scheduler scheduler = quartz == null ? null : quartz.getScheduler();
        if (scheduler == null) {
            builder.down().message("the quartz component has no scheduler");
            return;
        }
        try {
            builder.detail("scheduler", scheduler.getSchedulerName());
            builder.detail("clustered", scheduler.getMetaData().isJobStoreClustered());
            if (scheduler.isShutdown()) {
                builder.down().message("the Quartz scheduler is shut down");
            } else if (!scheduler.isStarted() || scheduler.isInStandbyMode()) {
                builder.down().message("the Quartz scheduler is not started");
            } else {
                builder.up();
            }
        } catch (Exception e) {
            builder.down().message("the Quartz scheduler cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
