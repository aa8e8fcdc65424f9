package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.ledger.EventFacts;
import paybridge.ledger.Transactions;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * A follower of GET /api/events never loses an event whose transaction committed after a later one's
 * (the first inserted, then held open: a lock wait, a slow commit, a pause), however long it was held:
 * the feed holds back what an open transaction may still add before, and shows both once it commits.
 * On H2 and PostgreSQL (where the open transaction is another session's).
 */
class EventFeedOrderTest {

    @Test
    void onH2() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of())) {
            aLateCommitIsNotPassedByTheCursor(app);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            aLateCommitIsNotPassedByTheCursor(app);
        }
    }

    private static void aLateCommitIsNotPassedByTheCursor(RunningPaybridge app) throws Exception {
        EventFacts facts = app.lookup(EventFacts.BEAN, EventFacts.class);
        Transactions transactions = app.lookup("transactions", Transactions.class);
        String after = app.get("/api/events?limit=1000").json().path("next").asText();
        // a follower still holding a cursor of the feed before it was ordered by time: a bare seq, of an event
        // it has seen
        facts.record("feed-order:seen", "payment.paid", "seen-before", null, Map.of("n", 0));
        String bareSeq = app.text("SELECT MAX(seq) FROM events");

        // an event inserted, its transaction held open; another written and committed after it
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> transactions.run(() -> {
            facts.record("feed-order:first", "payment.paid", "first-inserted", null, Map.of("n", 1));
            inserted.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(inserted.await(10, TimeUnit.SECONDS)).isTrue();
        facts.record("feed-order:second", "payment.paid", "committed-first", null, Map.of("n", 2));
        // longer than any fixed delay a feed might wait for an event to settle
        Thread.sleep(2_500);

        JsonNode meanwhile = app.get("/api/events?limit=1000&after=" + after).json();
        List<String> seen = new ArrayList<>(paymentIds(meanwhile));
        // held back while the first one's transaction may still commit before it
        assertThat(seen).doesNotContain("committed-first", "first-inserted");
        String cursor = meanwhile.path("next").asText();
        JsonNode fromBareSeq = app.get("/api/events?limit=1000&after=" + bareSeq).json();
        List<String> seenFromBareSeq = new ArrayList<>(paymentIds(fromBareSeq));

        release.countDown();
        held.get(10, TimeUnit.SECONDS);
        String[] fromSeq = {fromBareSeq.path("next").asText()};
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode page = app.get("/api/events?limit=1000&after=" + fromSeq[0]).json();
            seenFromBareSeq.addAll(paymentIds(page));
            fromSeq[0] = page.path("next").asText();
            assertThat(seenFromBareSeq).as("followed from a bare seq").contains("first-inserted", "committed-first");
        });
        String[] position = {cursor};
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode page = app.get("/api/events?limit=1000&after=" + position[0]).json();
            seen.addAll(paymentIds(page));
            position[0] = page.path("next").asText();
            assertThat(seen).contains("first-inserted", "committed-first");
        });
        // in the order of the transactions' start: the held one first
        assertThat(seen).containsSubsequence("first-inserted", "committed-first");
        assertThat(seen).doesNotHaveDuplicates();
    }

    // the two events of this test by their data; any other as its id
    private static List<String> paymentIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("events").forEach(e -> ids.add(switch (e.path("data").path("n").asInt()) {
            case 1 -> "first-inserted";
            case 2 -> "committed-first";
            default -> e.path("id").asText();
        }));
        return ids;
    }
}
