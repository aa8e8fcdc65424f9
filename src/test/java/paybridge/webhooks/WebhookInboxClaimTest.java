package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.canonical.InboxState;
import paybridge.testing.RunningPaybridge;

/**
 * Claims by an entry as read: the claim carries the row without reading it again, so it must only
 * succeed while the row is still the one that was read (no other claim in between).
 */
class WebhookInboxClaimTest {

    @Test
    void anEntryReadBeforeAnotherClaimCannotBeClaimedFromThatStaleRead() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            WebhookInbox inbox = app.lookup("webhookInbox", WebhookInbox.class);
            InboxEntry stored = inbox.insert("claim-test-1", "steppay", Instant.now(), "127.0.0.1", "application/json",
                    "{}", "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"k1\"}", InboxState.RECEIVED, null, "k1");

            WebhookInbox.Claim first = inbox.claimSeen(stored).orElseThrow();
            assertThat(first.entry().attempts()).isEqualTo(1);
            assertThat(inbox.claimSeen(stored)).as("leased").isEmpty();

            // released for a retry that is due at once: due again, but the old read is stale
            assertThat(inbox.retryLater(first, "test", java.time.Duration.ZERO, false)).isTrue();
            assertThat(inbox.claimSeen(stored)).as("stale read (attempts changed)").isEmpty();

            InboxEntry reread = inbox.find("claim-test-1").orElseThrow();
            WebhookInbox.Claim second = inbox.claimSeen(reread).orElseThrow();
            assertThat(second.entry().attempts()).isEqualTo(2).isEqualTo(inbox.find("claim-test-1").orElseThrow().attempts());
            assertThat(second.entry().body()).isEqualTo(stored.body());
        }
    }
}
