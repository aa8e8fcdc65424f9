package paybridge.events;

import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import paybridge.observe.ReportOnlyHealthCheck;

/**
 * Readiness, report only: events not yet delivered to every destination, the oldest one's age, and
 * deliveries FAILED after every retry (they wait for {@code POST /api/events/{id}/redeliver}). Always
 * UP: a receiver that is down must not take paybridge out of service; the outbox keeps them.
 */
public final class EventsHealthCheck extends ReportOnlyHealthCheck {
    private final Supplier<EventStore.Backlog> backlog;

    public EventsHealthCheck(Supplier<EventStore.Backlog> backlog) {
        super("events", "events.undelivered", "events");
        this.backlog = backlog;
    }

    @Override
    protected void report(HealthCheckResultBuilder builder) {
        EventStore.Backlog b = backlog.get();
        builder.detail("events.undelivered", b.undelivered());
        builder.detail("events.undelivered.oldest.seconds", b.oldestAge().toSeconds());
        builder.detail("events.deliveries.failed", b.failed());
        if (b.failed() > 0) {
            builder.message(b.failed() + " event deliver" + (b.failed() == 1 ? "y" : "ies")
                    + " FAILED after every retry: fix the receiver, then redeliver them");
        }
    }
}
