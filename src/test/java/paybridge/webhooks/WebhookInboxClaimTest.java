package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.canonical.InboxState;
import paybridge.ledger.Sql;
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
            assertThat(inbox.retryLater(first, "test", java.time.Duration.ZERO, false, false)).isTrue();
            assertThat(inbox.claimSeen(stored)).as("stale read (attempts changed)").isEmpty();

            InboxEntry reread = inbox.find("claim-test-1").orElseThrow();
            WebhookInbox.Claim second = inbox.claimSeen(reread).orElseThrow();
            assertThat(second.entry().attempts()).isEqualTo(2).isEqualTo(inbox.find("claim-test-1").orElseThrow().attempts());
            assertThat(second.entry().body()).isEqualTo(stored.body());
        }
    }

    /**
     * A poll claims a batch at once and its last entries wait for a free worker. With a slow vendor their
     * lease runs out meanwhile and another node may claim them: the worker that finally gets to such an
     * entry leaves it to that node instead of looking it up at the vendor a second time; one whose lease
     * ran out but that no one took is held for a full lease again and processed.
     */
    @Test
    void anEntryWhoseClaimRanOutBeforeAWorkerWasFreeIsLeftToTheNodeThatClaimedItSince() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false",
                "paybridge.webhook.lease", "PT1S"))) {
            WebhookInbox inbox = app.lookup("webhookInbox", WebhookInbox.class);
            for (String id : List.of("lease-taken", "lease-free")) {
                inbox.insert(id, "iamport", Instant.now(), "127.0.0.1", "application/json", "{}",
                        "{\"imp_uid\": \"imp_" + id + "\", \"merchant_uid\": \"m-" + id + "\", \"status\": \"paid\"}",
                        null, InboxState.RECEIVED, null, "imp_" + id);
            }
            // this node's poll claims both, then its workers are busy elsewhere until both leases ran out
            Map<String, WebhookInbox.Claim> mine = new java.util.HashMap<>();
            inbox.claimDue(10).forEach(c -> mine.put(c.entry().inboxId(), c));
            assertThat(mine).containsOnlyKeys("lease-taken", "lease-free");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!"2".equals(app.text("SELECT COUNT(*) FROM webhook_inbox WHERE locked_until < CURRENT_TIMESTAMP"))) {
                assertThat(System.nanoTime()).as("leases run out").isLessThan(deadline);
                sleep(50);
            }
            // another node's poll claims one of them
            WebhookInbox otherNode = new WebhookInbox(new Sql(app.context()), "other-node", Duration.ofMinutes(2));
            WebhookInbox.Claim theirs = otherNode.claimSeen(inbox.find("lease-taken").orElseThrow()).orElseThrow();
            long vendorRequests = vendorRequests(app);

            app.context().createProducerTemplate().sendBody("direct:webhook-process", mine.get("lease-taken"));
            assertThat(vendorRequests(app)).as("not looked up again").isEqualTo(vendorRequests);
            InboxEntry taken = inbox.find("lease-taken").orElseThrow();
            assertThat(taken.status()).isEqualTo(InboxState.RECEIVED);
            assertThat(app.text("SELECT locked_by FROM webhook_inbox WHERE inbox_id = 'lease-taken'")).isEqualTo(theirs.token());

            app.context().createProducerTemplate().sendBody("direct:webhook-process", mine.get("lease-free"));
            assertThat(vendorRequests(app)).as("looked up").isGreaterThan(vendorRequests);
            assertThat(inbox.find("lease-free").orElseThrow().status()).isNotEqualTo(InboxState.RECEIVED);
        }
    }

    private static long vendorRequests(RunningPaybridge app) {
        return app.get(app.sandboxUrl() + "/iamport/_stats").json().path("response").path("requests").asLong();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
