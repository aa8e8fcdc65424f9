package paybridge.observe;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A readiness check that only reports: always UP (every node reads the same shared rows, so a count that
 * would take one out of the load balancer would take them all out), with what it counted in the details.
 * When the rows cannot be read it says so ({@code <detail>: unknown} and a message); the database check
 * reports the database itself.
 */
public abstract class ReportOnlyHealthCheck extends AbstractHealthCheck {
    private final String countDetail;
    private final String what;

    /**
     * @param id          the check's id in the {@code paybridge} group
     * @param countDetail the detail set to {@code unknown} when the rows cannot be read
     * @param what        what could not be read, for the message
     */
    protected ReportOnlyHealthCheck(String id, String countDetail, String what) {
        super("paybridge", id);
        this.countDetail = countDetail;
        this.what = what;
    }

    @Override
    public final boolean isLiveness() {
        return false;
    }

    @Override
    protected final void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up();
        try {
            report(builder);
        } catch (RuntimeException e) {
            builder.detail(countDetail, "unknown");
            builder.message(what + " not readable: " + e.getClass().getSimpleName());
        }
    }

    /** Reads the rows and puts what it found in the details (and a message when an operator must act). */
    protected abstract void report(HealthCheckResultBuilder builder);
}
