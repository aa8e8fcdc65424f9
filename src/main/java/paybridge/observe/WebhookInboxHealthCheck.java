package paybridge.observe;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness, report only: webhook inbox entries not yet processed (RECEIVED or PENDING) and those
 * flagged because verification failed on every scheduled retry (they wait for
 * {@code POST /api/webhooks/{inboxId}/replay}). Always UP, like {@link ReconcileBacklogHealthCheck}:
 * the inbox is shared by all nodes, and intake keeps working whatever its backlog.
 */
public final class WebhookInboxHealthCheck extends ReportOnlyHealthCheck {
    private final Backlog backlog;

    public WebhookInboxHealthCheck(Backlog backlog) {
        super("webhook-inbox", "inbox.backlog", "inbox");
        this.backlog = backlog;
    }

    @Override
    protected void report(HealthCheckResultBuilder builder) {
        Backlog.Snapshot s = backlog.read();
        builder.detail("inbox.backlog", s.inboxOpen());
        builder.detail("inbox.flagged", s.inboxFlagged());
        if (s.inboxFlagged() > 0) {
            builder.message(s.inboxFlagged() + " webhook entr" + (s.inboxFlagged() == 1 ? "y" : "ies")
                    + " failed verification on every retry: list the PENDING ones and replay them");
        }
    }
}
