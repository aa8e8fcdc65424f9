package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.events.EventStore.Claimed;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * A poll's claim and its outcome written for the whole batch, against a real database (H2 and
 * PostgreSQL): a claim takes at most its limit, oldest due first, each delivery once while leased; the
 * batch's "delivered" is all or nothing, so a delivery whose lease another node took meanwhile keeps
 * that node's outcome and the batch is recorded one by one instead.
 */
class EventStoreClaimTest {

    @Test
    void onH2() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of())) {
            claimsAndRecordsABatch(app);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            claimsAndRecordsABatch(app);
        }
    }

    private static void claimsAndRecordsABatch(RunningPaybridge app) {
        Sql sql = new Sql(app.context());
        EventStore store = app.lookup("eventStore", EventStore.class);
        // no route delivers to "claim-test": only this test claims its rows
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "evt_claimtest" + i;
            ids.add(id);
            // due in the order of i (the oldest first)
            due(sql, id, "claim-test", 100 - i);
        }

        List<Claimed> first = store.claim("claim-test", 3, Duration.ofMinutes(1), "node-a");
        assertThat(first).extracting(Claimed::eventId).containsExactly(ids.get(0), ids.get(1), ids.get(2));
        assertThat(first).allMatch(c -> c.attempts() == 1 && c.type().equals("payment.paid") && c.data().equals("{\"n\":1}"));
        assertThat(first).extracting(Claimed::token).containsOnly(first.get(0).token());
        List<Claimed> second = store.claim("claim-test", 3, Duration.ofMinutes(1), "node-b");
        assertThat(second).extracting(Claimed::eventId).containsExactly(ids.get(3), ids.get(4));
        assertThat(store.claim("claim-test", 3, Duration.ofMinutes(1), "node-c")).isEmpty();

        // another node took the second delivery of the first batch (its lease ran out): nothing of the
        // batch is recorded as a whole, and one by one the other two are
        sql.update("UPDATE event_deliveries SET locked_by = 'node-x:other' WHERE event_id = :?id",
                Map.of("id", ids.get(1)));
        assertThat(store.deliveredAll(first, "HTTP 200")).isFalse();
        assertThat(statuses(store, ids.subList(0, 3))).containsExactly("PENDING", "PENDING", "PENDING");
        assertThat(store.delivered(first.get(0), "HTTP 200")).isTrue();
        assertThat(store.delivered(first.get(1), "HTTP 200")).isFalse();
        assertThat(store.delivered(first.get(2), "HTTP 200")).isTrue();
        assertThat(statuses(store, ids.subList(0, 3))).containsExactly("DELIVERED", "PENDING", "DELIVERED");

        // the whole of the second batch still this node's: one transaction records both
        assertThat(store.deliveredAll(second, "HTTP 204")).isTrue();
        assertThat(statuses(store, ids.subList(3, 5))).containsExactly("DELIVERED", "DELIVERED");
        assertThat(store.deliveries(ids.get(4)).get(0).lastStatus()).isEqualTo("HTTP 204");

        // a poll larger than one statement's key slots: claimed and recorded across several statements,
        // still one claim (one token) and one all-or-nothing outcome
        List<String> many = new ArrayList<>();
        for (int i = 0; i < EventStore.SLOTS * 2 + 3; i++) {
            String id = "evt_claimmany" + (char) ('a' + i);
            many.add(id);
            due(sql, id, "claim-many", 0);
        }
        // one of them leased by another node, its lease still running: not this claim's
        sql.update("""
                UPDATE event_deliveries SET locked_by = 'node-x:live',
                    locked_until = CURRENT_TIMESTAMP + INTERVAL '1' MINUTE WHERE event_id = :?id""", Map.of("id", many.get(0)));
        List<Claimed> big = store.claim("claim-many", many.size(), Duration.ofMinutes(1), "node-a");
        assertThat(big).extracting(Claimed::eventId).containsExactlyElementsOf(many.subList(1, many.size()));
        assertThat(big).extracting(Claimed::token).containsOnly(big.get(0).token());
        assertThat(big).allMatch(c -> c.attempts() == 1);
        assertThat(store.deliveredAll(big, "HTTP 200")).isTrue();
        assertThat(statuses(store, many)).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("PENDING"),
                        java.util.Collections.nCopies(many.size() - 1, "DELIVERED").stream()).toList());
    }

    @Test
    void aRedeliverWhileASendIsInFlightIsSentAgainWhateverThatSendAnswers() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of())) {
            Sql sql = new Sql(app.context());
            EventStore store = app.lookup("eventStore", EventStore.class);
            for (String id : List.of("evt_redeliverfail", "evt_redeliverok")) {
                due(sql, id, "claim-redeliver", 0);
            }
            List<Claimed> inFlight = store.claim("claim-redeliver", 2, Duration.ofMinutes(1), "node-a");
            assertThat(inFlight).hasSize(2);
            // the operator asks for both again while their sends are under way
            store.redeliver("evt_redeliverfail", List.of("claim-redeliver"));
            store.redeliver("evt_redeliverok", List.of("claim-redeliver"));
            // the sends' outcomes are no longer theirs to record: a failure would make the row FAILED (after
            // the last try) or due hours away, a success would absorb the send the operator asked for
            assertThat(store.failed(inFlight.get(0), "HTTP 500")).isFalse();
            assertThat(store.retry(inFlight.get(0), "HTTP 500", Duration.ofHours(10))).isFalse();
            assertThat(store.delivered(inFlight.get(1), "HTTP 200")).isFalse();
            assertThat(statuses(store, List.of("evt_redeliverfail", "evt_redeliverok"))).containsExactly("PENDING", "PENDING");
            // due now: the next poll sends both
            assertThat(store.claim("claim-redeliver", 2, Duration.ofMinutes(1), "node-b")).hasSize(2);
        }
    }

    /** An event (data {"n":1}) with one PENDING delivery to {@code destination}, due {@code ageSeconds} ago. */
    private static void due(Sql sql, String id, String destination, long ageSeconds) {
        sql.update("""
                INSERT INTO events (event_id, event_key, type, data, created_at)
                VALUES (:?id, :?id, 'payment.paid', '{"n":1}', CURRENT_TIMESTAMP)""", Map.of("id", id));
        sql.update("""
                INSERT INTO event_deliveries (event_id, destination, status, attempts, retries_from, next_attempt_at, created_at)
                VALUES (:?id, :?destination, 'PENDING', 0, 0,
                    CURRENT_TIMESTAMP - CAST(:?ageSeconds AS BIGINT) * INTERVAL '1' SECOND, CURRENT_TIMESTAMP)""",
                Map.of("id", id, "destination", destination, "ageSeconds", ageSeconds));
    }

    private static List<String> statuses(EventStore store, List<String> ids) {
        return ids.stream().map(id -> store.deliveries(id).get(0).status()).toList();
    }
}
