package paybridge.events;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness, report only: events not yet delivered to every destination, the oldest one's age, and
 * deliveries FAILED after every retry (they wait for {@code POST /api/events/{id}/redeliver}). Always
 * UP: a receiver that is down must not take paybridge out of service; the outbox keeps them.
 */
public final class EventsHealthCheck extends AbstractHealthCheck {
    private final Supplier<EventStore.Backlog> backlog;

    public EventsHealthCheck(Supplier<EventStore.Backlog> backlog) {
        super("paybridge", "events");
        this.backlog = backlog;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up();
        try {
            EventStore.Backlog b = backlog.get();
            builder.detail("events.undelivered", b.undelivered());
            builder.detail("events.undelivered.oldest.seconds", b.oldestAge().toSeconds());
            builder.detail("events.deliveries.failed", b.failed());
            if (b.failed() > 0) {
                builder.message(b.failed() + " event deliver" + (b.failed() == 1 ? "y" : "ies")
                        + " FAILED after every retry: fix the receiver, then redeliver them");
            }
        } catch (RuntimeException e) {
            builder.detail("events.undelivered", "unknown");
            builder.message("events not readable: " + e.getClass().getSimpleName());
        }
    }
}
