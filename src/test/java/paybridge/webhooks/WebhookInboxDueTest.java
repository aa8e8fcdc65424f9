package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import paybridge.canonical.InboxState;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * Which entries a poll takes, and what it reads to find them. A poll claims the due entries received
 * first (new ones, and retries whose time has come), never one that is flagged, leased or waiting for
 * its retry time; and it reads about its batch, not every open entry, so a backlog does not make
 * every poll slower.
 */
class WebhookInboxDueTest {
    private static final String BODY = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"k-due\"}";

    @Test
    void aPollTakesTheDueEntriesReceivedFirstOnH2() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            takesTheDueEntriesReceivedFirst(app);
        }
    }

    @Test
    void aPollTakesTheDueEntriesReceivedFirstOnPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false",
                     "paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            takesTheDueEntriesReceivedFirst(app);
        }
    }

    /**
     * H2's plan for each due query on an empty inbox, and its own count of the rows each read (EXPLAIN
     * ANALYZE) with 2,000 new entries waiting and 2,000 retries not yet due: about the batch, not the backlog.
     */
    @Test
    void aPollReadsAboutItsBatchWhateverTheBacklogOnH2() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            Sql sql = new Sql(app.context());
            // H2 keeps the plan a statement got when it was first prepared, often on an empty inbox at start-up:
            // the plan chosen then must already read the index in its order
            for (String query : WebhookInbox.DUE_QUERIES) {
                String plan = (String) sql.query("EXPLAIN " + query, Map.of("limit", 10)).get(0).values().iterator().next();
                assertThat(plan).as("on an empty inbox").contains("webhook_inbox_due_order_idx").contains("/* index sorted */");
            }
            bulk(sql, "new", "'RECEIVED'", "NULL");
            bulk(sql, "later", "'PENDING'", "CURRENT_TIMESTAMP + INTERVAL '1' HOUR");
            assertThat(sql.update("UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND "
                    + "WHERE inbox_id IN ('later-1', 'later-2', 'later-3')", Map.of())).isEqualTo(3);

            for (String query : WebhookInbox.DUE_QUERIES) {
                String plan = (String) sql.query("EXPLAIN ANALYZE " + query, Map.of("limit", 10)).get(0).values()
                        .iterator().next();
                Matcher scanned = Pattern.compile("scanCount: (\\d+)").matcher(plan);
                assertThat(scanned.find()).as(plan).isTrue();
                assertThat(Integer.parseInt(scanned.group(1))).as("rows read for a batch of 10: " + plan).isLessThan(50);
            }
            List<String> taken = new WebhookInbox(sql, "n", Duration.ofMinutes(2)).claimDue(10).stream()
                    .map(c -> c.entry().inboxId()).toList();
            assertThat(taken).hasSize(10).contains("later-1", "later-2", "later-3");
        }
    }

    private static void takesTheDueEntriesReceivedFirst(RunningPaybridge app) {
        Sql sql = new Sql(app.context());
        WebhookInbox node = new WebhookInbox(sql, "node", Duration.ofMinutes(2));
        Instant t = sql.databaseNow().minus(Duration.ofHours(1));
        // received in this order, a minute apart
        store(node, "retry-due", t);
        store(node, "flagged", t.plusSeconds(60));
        store(node, "retry-later", t.plusSeconds(120));
        store(node, "new-1", t.plusSeconds(180));
        store(node, "leased", t.plusSeconds(240));
        store(node, "new-2", t.plusSeconds(300));
        store(node, "new-3", t.plusSeconds(360));
        store(node, "retry-due-2", t.plusSeconds(420));
        assertThat(node.claimSeen(node.find("leased").orElseThrow())).isPresent();
        for (String id : List.of("retry-due", "flagged", "retry-later", "retry-due-2")) {
            WebhookInbox.Claim c = node.claimSeen(node.find(id).orElseThrow()).orElseThrow();
            boolean flagged = id.equals("flagged");
            assertThat(node.retryLater(c, "lookup failed", flagged ? null : Duration.ofHours(1), flagged, false)).isTrue();
        }
        assertThat(sql.update("UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND "
                + "WHERE inbox_id IN ('retry-due', 'retry-due-2')", Map.of())).isEqualTo(2);

        WebhookInbox other = new WebhookInbox(sql, "other", Duration.ofMinutes(2));
        assertThat(other.claimDue(3)).extracting(c -> c.entry().inboxId())
                .containsExactly("retry-due", "new-1", "new-2");
        assertThat(other.claimDue(10)).extracting(c -> c.entry().inboxId())
                .containsExactly("new-3", "retry-due-2");
        assertThat(other.claimDue(10)).isEmpty();

        // more retries due than a batch: the soonest due are taken (then in the order received); the
        // others wait for the next poll
        Instant u = t.plus(Duration.ofMinutes(30));
        for (String id : List.of("r-a", "r-b", "r-c")) {
            store(node, id, u);
            u = u.plusSeconds(60);
            WebhookInbox.Claim c = node.claimSeen(node.find(id).orElseThrow()).orElseThrow();
            assertThat(node.retryLater(c, "lookup failed", Duration.ofHours(1), false, false)).isTrue();
        }
        // due 1, 3 and 2 minutes ago, set by one statement (one "now" for the three)
        assertThat(sql.update("UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP - (CASE inbox_id "
                + "WHEN 'r-a' THEN 1 WHEN 'r-b' THEN 3 ELSE 2 END) * INTERVAL '1' MINUTE "
                + "WHERE inbox_id IN ('r-a', 'r-b', 'r-c')", Map.of())).isEqualTo(3);
        assertThat(other.claimDue(2)).extracting(c -> c.entry().inboxId()).containsExactly("r-b", "r-c");
        assertThat(other.claimDue(2)).extracting(c -> c.entry().inboxId()).containsExactly("r-a");
    }

    private static void store(WebhookInbox inbox, String id, Instant receivedAt) {
        inbox.insert(id, "steppay", receivedAt, "127.0.0.1", "application/json", "{}", BODY, InboxState.RECEIVED, null,
                "k-due");
    }

    /** 2,000 entries {@code <prefix>-1..2000} in one statement (H2's SYSTEM_RANGE), received a second apart from one fixed time. */
    private static void bulk(Sql sql, String prefix, String status, String nextAttemptAt) {
        assertThat(sql.update("INSERT INTO webhook_inbox (inbox_id, vendor, received_at, headers, body, status, "
                + "next_attempt_at, attempts) SELECT '" + prefix + "-' || \"X\", 'steppay', "
                + "TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00' + \"X\" * INTERVAL '1' SECOND, '{}', '{}', " + status + ", "
                + nextAttemptAt + ", 1 FROM SYSTEM_RANGE(1, 2000)", Map.of())).isEqualTo(2000);
    }
}
