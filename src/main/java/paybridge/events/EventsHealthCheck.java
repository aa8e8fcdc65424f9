package paybridge.events;

import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import paybridge.observe.ReportOnlyHealthCheck;

/**
 * Readiness, report only: events not yet delivered to every destination configured here, the oldest one's
 * age, deliveries FAILED after every retry (they wait for {@code POST /api/events/{id}/redeliver}), and
 * deliveries PENDING to a destination no longer configured (no backlog: nothing polls them). Always
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
        builder.detail("events.deliveries.unconfigured", b.unconfigured());
        StringBuilder message = new StringBuilder();
        if (b.failed() > 0) {
            message.append(b.failed()).append(" event deliver").append(b.failed() == 1 ? "y" : "ies")
                    .append(" FAILED after every retry: fix the receiver, then redeliver them");
        }
        if (b.unconfigured() > 0) {
            message.append(message.isEmpty() ? "" : "; ").append(b.unconfigured()).append(" event deliver")
                    .append(b.unconfigured() == 1 ? "y" : "ies").append(" PENDING to a destination no longer configured:"
                    + " kept, delivered once it is configured again");
        }
        if (!message.isEmpty()) {
            builder.message(message.toString());
        }
    }
}
