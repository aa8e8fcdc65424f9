package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.canonical.InboxState;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * Who works on an inbox entry is decided by the database's clock: a lease ({@code locked_until})
 * and a retry time ({@code next_attempt_at}) are stamped as the database's now plus a duration and
 * compared with the database's now. The rows are aged IN THE DATABASE here: a lease the database
 * sees as live is never taken, one it sees as run out is, whatever the node's own clock says.
 */
class WebhookInboxClockTest {
    private static final String BODY = "{\"webHookType\": \"PAYMENT\", \"orderId\": 1, \"idKey\": \"k-clock\"}";

    @Test
    void onH2() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            leasesAndRetriesFollowTheDatabaseClock(app);
        }
    }

    @Test
    void onPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false",
                     "paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            leasesAndRetriesFollowTheDatabaseClock(app);
        }
    }

    /**
     * A node whose clock runs ahead of the database's. Inside one transaction the database's clock
     * stands still (CURRENT_TIMESTAMP is the transaction's start on both databases) while this JVM's
     * clock runs on: once the JVM is past the lease, a node judging by its own clock would take the
     * entry from its live holder. By the database's clock the lease is still live: nobody takes it.
     */
    @Test
    void aNodeWhoseClockRunsAheadCannotTakeALiveLeaseOnH2() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            aheadNodeCannotTakeALiveLease(app);
        }
    }

    @Test
    void aNodeWhoseClockRunsAheadCannotTakeALiveLeaseOnPostgres() {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false",
                     "paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            aheadNodeCannotTakeALiveLease(app);
        }
    }

    private static void aheadNodeCannotTakeALiveLease(RunningPaybridge app) {
        Sql sql = new Sql(app.context());
        Duration lease = Duration.ofMillis(300);
        WebhookInbox holder = new WebhookInbox(sql, "holder", lease);
        WebhookInbox ahead = new WebhookInbox(sql, "ahead", lease);
        InboxEntry stored = holder.insert("clock-ahead", "steppay", Sql.now(), "127.0.0.1", "application/json", "{}",
                BODY, InboxState.RECEIVED, null, "k-clock");
        sql.inTransaction(() -> {
            Instant databaseNow = sql.databaseNow();
            assertThat(holder.claimSeen(stored)).isPresent();
            // the node's clock moves past the lease and then some; the database's does not
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Instant.now().isAfter(databaseNow.plus(lease).plusSeconds(1)));
            assertThat(sql.databaseNow()).as("the database's clock within the transaction").isEqualTo(databaseNow);
            assertThat(ahead.claimDue(10)).as("due by the node's clock only").isEmpty();
            assertThat(ahead.claimForReplay("clock-ahead")).isEmpty();
            assertThat(ahead.claimSeen(ahead.find("clock-ahead").orElseThrow())).isEmpty();
        });
    }

    private static void leasesAndRetriesFollowTheDatabaseClock(RunningPaybridge app) {
        Sql sql = new Sql(app.context());
        Duration lease = Duration.ofMinutes(2);
        WebhookInbox a = new WebhookInbox(sql, "node-a", lease);
        WebhookInbox b = new WebhookInbox(sql, "node-b", lease);
        InboxEntry stored = a.insert("clock-1", "steppay", Sql.now(), "127.0.0.1", "application/json", "{}", BODY,
                InboxState.RECEIVED, null, "k-clock");

        Instant before = sql.databaseNow();
        WebhookInbox.Claim claim = a.claimSeen(stored).orElseThrow();
        Instant after = sql.databaseNow();
        Instant until = leaseOf(sql, "clock-1");
        assertThat(until).as("the lease is the database's now + the lease")
                .isBetween(before.plus(lease).minusMillis(1), after.plus(lease).plusMillis(1));

        // a live lease (by the database's clock) is never taken by another node, nor by a replay
        assertThat(b.claimDue(10)).isEmpty();
        assertThat(b.claimForReplay("clock-1")).isEmpty();

        // the lease ran out by the database's clock: another node takes it up
        age(sql, "UPDATE webhook_inbox SET locked_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE inbox_id = :?id");
        WebhookInbox.Claim taken = b.claimDue(10).stream().filter(c -> c.entry().inboxId().equals("clock-1"))
                .findFirst().orElseThrow(() -> new AssertionError("an expired lease was not taken up"));
        assertThat(a.finish(claim, InboxState.PROCESSED, null, null, null, null)).as("the old holder lost it").isFalse();

        // a retry an hour from the database's now is not due, until the database says it is
        Instant beforeRetry = sql.databaseNow();
        assertThat(b.retryLater(taken, "lookup failed", Duration.ofHours(1), false, false)).isTrue();
        Instant next = b.find("clock-1").orElseThrow().nextAttemptAt();
        assertThat(next).isBetween(beforeRetry.plus(Duration.ofHours(1)).minusMillis(1),
                sql.databaseNow().plus(Duration.ofHours(1)).plusMillis(1));
        assertThat(a.claimDue(10)).isEmpty();
        age(sql, "UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE inbox_id = :?id");
        assertThat(a.claimDue(10)).extracting(c -> c.entry().inboxId()).containsExactly("clock-1");
    }

    private static Instant leaseOf(Sql sql, String inboxId) {
        return Sql.instant(sql.query("SELECT locked_until FROM webhook_inbox WHERE inbox_id = :?id", Map.of("id", inboxId))
                .get(0).get("locked_until"));
    }

    private static void age(Sql sql, String update) {
        assertThat(sql.update(update, Map.of("id", "clock-1"))).isEqualTo(1);
    }
}
