package paybridge.events;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.ledger.RandomIds;
import paybridge.ledger.Sql;

/**
 * {@code events} and {@code event_deliveries} as the delivery routes and the API read and change them.
 * The outbox rows themselves are written by {@link paybridge.ledger.EventFacts} in the state change's
 * transaction. Who may work on a delivery is decided by the database's clock only (leases, retry times),
 * as the webhook inbox does: a node whose clock is off can neither take a live lease nor hold one long.
 */
public final class EventStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventStore.class);
    /** An event as the feed shows it. */
    public record Event(long seq, String eventId, String type, String paymentId, String subscriptionId, String data,
                        Instant createdAt) {
    }

    /** One delivery of an event to a destination. */
    public record Delivery(String destination, String status, int attempts, String lastStatus, Instant nextAttemptAt,
                           Instant deliveredAt) {
    }

    /** A delivery claimed by this node: send it, then record the outcome with {@code token}. */
    public record Claimed(String eventId, String destination, int attempts, int retriesFrom, String type,
                          String data, Instant createdAt, String token) {
    }

    // due: PENDING, its time reached, not leased (read without locks). The ORDER BY spells out
    // event_deliveries_due_idx's columns and null order so that H2 too reads the first rows of the index
    // instead of sorting every due row: a backlog does not make each poll slower.
    private static final String DUE = """
            SELECT d.event_id, d.attempts, d.retries_from, e.type, e.data, e.created_at
            FROM event_deliveries d JOIN events e ON e.event_id = d.event_id
            WHERE d.destination = :?destination AND d.status = 'PENDING' AND d.next_attempt_at <= CURRENT_TIMESTAMP
              AND (d.locked_until IS NULL OR d.locked_until < CURRENT_TIMESTAMP)
            ORDER BY d.destination, d.status, d.next_attempt_at NULLS LAST
            LIMIT :?limit""";
    // A poll's claim is one statement per SLOTS rows, by key: a row DUE read is claimed only if it is still
    // PENDING, due and not leased (another node may have claimed it since: its claim leased the row, and
    // its outcome either decided the row or moved its time). Unused slots are NULL, which matches nothing.
    // The time is compared through COALESCE on purpose: H2 plans a statement once per connection, and a
    // plain range on the due index's columns, planned while the table was empty, has H2 walk that index
    // instead of the key (next_attempt_at is never NULL while PENDING).
    static final int SLOTS = 32;
    private static final List<String> SLOT_NAMES = java.util.stream.IntStream.range(0, SLOTS).mapToObj(i -> "e" + i).toList();
    private static final String KEYS = String.join(", ", SLOT_NAMES.stream().map(name -> ":?" + name).toList());
    private static final String CLAIM = """
            UPDATE event_deliveries SET locked_by = :?token,
                locked_until = CURRENT_TIMESTAMP + CAST(:?leaseMillis AS BIGINT) * INTERVAL '0.001' SECOND,
                attempts = attempts + 1
            WHERE destination = :?destination AND event_id IN (""" + KEYS + """
            ) AND status = 'PENDING' AND (locked_until IS NULL OR locked_until < CURRENT_TIMESTAMP)
              AND COALESCE(next_attempt_at, CURRENT_TIMESTAMP) <= CURRENT_TIMESTAMP""";
    // which of them this claim took, with their attempts counted and their retry schedule's start as of
    // the claim (an operator's redeliver since the due read restarted it)
    private static final String CLAIMED = """
            SELECT event_id, attempts, retries_from FROM event_deliveries
            WHERE destination = :?destination AND event_id IN (""" + KEYS + """
            ) AND locked_by = :?token""";
    // a claim's deliveries answered alike, recorded together while this node still holds their lease
    private static final String DELIVERED_ALL = """
            UPDATE event_deliveries SET status = 'DELIVERED', last_status = :?lastStatus,
                delivered_at = CURRENT_TIMESTAMP, next_attempt_at = NULL, locked_by = NULL, locked_until = NULL
            WHERE destination = :?destination AND event_id IN (""" + KEYS + """
            ) AND locked_by = :?token""";
    private static final String DELIVERED = """
            UPDATE event_deliveries SET status = 'DELIVERED', last_status = :?lastStatus,
                delivered_at = CURRENT_TIMESTAMP, next_attempt_at = NULL, locked_by = NULL, locked_until = NULL
            WHERE event_id = :?eventId AND destination = :?destination AND locked_by = :?token""";
    private static final String RETRY = """
            UPDATE event_deliveries SET last_status = :?lastStatus,
                next_attempt_at = CURRENT_TIMESTAMP + CAST(:?delayMillis AS BIGINT) * INTERVAL '0.001' SECOND,
                locked_by = NULL, locked_until = NULL
            WHERE event_id = :?eventId AND destination = :?destination AND locked_by = :?token""";
    private static final String FAILED = """
            UPDATE event_deliveries SET status = 'FAILED', last_status = :?lastStatus, next_attempt_at = NULL,
                locked_by = NULL, locked_until = NULL
            WHERE event_id = :?eventId AND destination = :?destination AND locked_by = :?token""";
    // an operator's redeliver: due now, its retry schedule starting again from here. The lease goes too: a
    // send in flight meanwhile no longer records its outcome (its failure would make the row FAILED or due
    // hours away, its success would absorb a send asked for after it); the next poll sends it again
    private static final String REDELIVER = """
            UPDATE event_deliveries SET status = 'PENDING', next_attempt_at = CURRENT_TIMESTAMP,
                retries_from = attempts, locked_by = NULL, locked_until = NULL
            WHERE event_id = :?eventId AND destination = :?destination""";
    private static final String ADD_DELIVERY = """
            INSERT INTO event_deliveries (event_id, destination, status, attempts, retries_from, next_attempt_at,
                created_at)
            VALUES (:?eventId, :?destination, 'PENDING', 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
            ON CONFLICT DO NOTHING""";

    // the feed, in (created_at, seq) order: created_at is the writing transaction's start, and the feed stops
    // at the commit horizon (the start of the oldest transaction still open), so an event committed after a
    // follower's cursor passed its position cannot exist (seq alone is not commit order: a transaction that
    // inserted first may commit last). The time's range reads one range of an index; an absent filter is a
    // NULL parameter
    private static final String FEED = """
            SELECT * FROM events
            WHERE created_at >= :?afterAt AND created_at < :?horizon
              AND (created_at > :?afterAt OR seq > :?afterSeq)
              AND (CAST(:?type AS VARCHAR(40)) IS NULL OR type = :?type)
              AND (CAST(:?paymentId AS VARCHAR(64)) IS NULL OR payment_id = :?paymentId)
              AND (CAST(:?subscriptionId AS VARCHAR(24)) IS NULL OR subscription_id = :?subscriptionId)
            ORDER BY created_at, seq
            LIMIT :?limit""";
    // the last event (of any type) below the same horizon: where a follower at the end of the feed goes on from
    private static final String FEED_END = """
            SELECT created_at, seq FROM events WHERE created_at < :?horizon
            ORDER BY created_at DESC, seq DESC
            LIMIT 1""";
    private static final String BY_ID = "SELECT * FROM events WHERE event_id = :?eventId";
    // where the events after a former cursor (a bare seq: every event with a greater seq) begin in time
    private static final String AFTER_SEQ = "SELECT MIN(created_at) AS first FROM events WHERE seq > :?seq";
    private static final String LAST = "SELECT created_at, seq FROM events ORDER BY created_at DESC, seq DESC LIMIT 1";
    private static final String DELIVERIES = "SELECT * FROM event_deliveries WHERE event_id = :?eventId ORDER BY destination";

    // the backlog of the destinations configured here (:?destinations: one slot per name, filled below)
    private static final String BACKLOG = """
            SELECT COUNT(DISTINCT d.event_id) AS undelivered, MIN(e.created_at) AS oldest
            FROM event_deliveries d JOIN events e ON e.event_id = d.event_id
            WHERE d.status = 'PENDING' AND d.destination IN (%s)""";
    // PENDING deliveries to destinations no longer configured: nothing polls them (kept: configuring the
    // destination again delivers them), so they are no backlog, only reported
    private static final String UNCONFIGURED = """
            SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'PENDING' AND destination NOT IN (%s)""";
    private static final String ALL_PENDING = "SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'PENDING'";
    private static final String FAILED_COUNT = "SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'FAILED'";
    private static final String NOW = "SELECT CURRENT_TIMESTAMP AS now";

    // retention: events older than it delivered everywhere (their deliveries go with them). One PENDING or
    // FAILED is kept: a fact a destination never received stays until it is (a redeliver) or an operator
    // deletes it
    private static final String PURGE = """
            DELETE FROM events WHERE event_id IN (
                SELECT e.event_id FROM events e
                WHERE e.created_at < CURRENT_TIMESTAMP - CAST(:?retentionSeconds AS BIGINT) * INTERVAL '1' SECOND
                  AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.event_id AND d.status <> 'DELIVERED')
                LIMIT :?limit)""";

    private final Sql sql;
    private final paybridge.ledger.CommitHorizon horizon;

    public EventStore(Sql sql, paybridge.ledger.CommitHorizon horizon) {
        this.sql = sql;
        this.horizon = horizon;
    }

    /**
     * Up to {@code limit} due deliveries to {@code destination}, claimed by this node for {@code lease}
     * under one token, in one transaction: one statement per {@value #SLOTS} rows to claim them, one to
     * read which it took, one commit.
     */
    public List<Claimed> claim(String destination, int limit, Duration lease, String node) {
        List<Map<String, Object>> due = sql.query(DUE, Map.of("destination", destination, "limit", limit));
        if (due.isEmpty()) {
            return List.of();
        }
        String token = node + ":" + RandomIds.uuid();
        // by key (a claim's statements go by chunks of keys in order; within one, the plan decides the order)
        Map<String, Map<String, Object>> byId = new java.util.TreeMap<>();
        due.forEach(row -> byId.put((String) row.get("event_id"), row));
        List<List<String>> chunks = chunks(List.copyOf(byId.keySet()));
        try {
            return claimed(destination, lease, token, byId, chunks);
        } catch (RuntimeException e) {
            if (!lockConflict(e)) {
                throw e;
            }
            // two nodes claiming overlapping rows, each statement locking them in its own plan's order: the
            // database broke the tie by rolling this claim back. Nothing was claimed; the next tick tries again
            LOG.info("event deliveries to {}: claim rolled back by a lock conflict with another node, retried at the next poll",
                    destination);
            return List.of();
        }
    }

    // deadlock (PostgreSQL), serialization failure (both), lock timeout (H2)
    private static final java.util.Set<String> LOCK_CONFLICTS = java.util.Set.of("40P01", "40001", "HYT00");

    /** A deadlock, serialization failure or lock timeout: the database rolled the statement's transaction back. */
    private static boolean lockConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && LOCK_CONFLICTS.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private List<Claimed> claimed(String destination, Duration lease, String token, Map<String, Map<String, Object>> byId,
                                  List<List<String>> chunks) {
        return sql.inTransaction(() -> {
            for (List<String> chunk : chunks) {
                Map<String, Object> p = slots(chunk, destination, token);
                p.put("leaseMillis", lease.toMillis());
                sql.update(CLAIM, p);
            }
            List<Claimed> claimed = new java.util.ArrayList<>(byId.size());
            for (List<String> chunk : chunks) {
                for (Map<String, Object> taken : sql.query(CLAIMED, slots(chunk, destination, token))) {
                    Map<String, Object> row = byId.get((String) taken.get("event_id"));
                    claimed.add(new Claimed((String) row.get("event_id"), destination,
                            (int) Sql.longValue(taken.get("attempts")), (int) Sql.longValue(taken.get("retries_from")),
                            (String) row.get("type"), (String) row.get("data"), Sql.instant(row.get("created_at")), token));
                }
            }
            claimed.sort(java.util.Comparator.comparing(Claimed::eventId));
            return claimed;
        });
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> chunks = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i += SLOTS) {
            chunks.add(ids.subList(i, Math.min(ids.size(), i + SLOTS)));
        }
        return chunks;
    }

    /** A claim's parameters: its destination and token, and key slots e0, e1, ... for up to {@value #SLOTS} event ids (NULL where unused). */
    private static Map<String, Object> slots(List<String> chunk, String destination, String token) {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < SLOTS; i++) {
            p.put(SLOT_NAMES.get(i), i < chunk.size() ? chunk.get(i) : null);
        }
        p.put("destination", destination);
        p.put("token", token);
        return p;
    }

    /** False when the lease was lost (another node took the delivery: its outcome counts). */
    public boolean delivered(Claimed c, String lastStatus) {
        return sql.update(DELIVERED, outcome(c, lastStatus)) == 1;
    }

    /**
     * Records deliveries claimed together as delivered, in one transaction: one statement per {@value #SLOTS}
     * rows of a claim, by key and token. False, with nothing recorded, when any lease was lost (another node
     * took a delivery whose lease ran out): the caller then records them one by one.
     */
    public boolean deliveredAll(List<Claimed> batch, String lastStatus) {
        String recorded = bounded(lastStatus);
        Map<List<String>, List<String>> byClaim = new java.util.LinkedHashMap<>();
        for (Claimed c : batch) {
            byClaim.computeIfAbsent(List.of(c.destination(), c.token()), k -> new java.util.ArrayList<>()).add(c.eventId());
        }
        try {
            return sql.inTransaction(() -> {
                byClaim.forEach((claim, ids) -> {
                    for (List<String> chunk : chunks(ids.stream().sorted().toList())) {
                        Map<String, Object> p = slots(chunk, claim.get(0), claim.get(1));
                        p.put("lastStatus", recorded);
                        if (sql.update(DELIVERED_ALL, p) != chunk.size()) {
                            throw new LeaseLost();
                        }
                    }
                });
                return true;
            });
        } catch (LeaseLost e) {
            return false;
        }
    }

    /** Undoes a batch of outcomes of which one was no longer this node's to record. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("a delivery's lease was lost", null, false, false);
        }
    }

    public boolean retry(Claimed c, String lastStatus, Duration delay) {
        Map<String, Object> p = outcome(c, lastStatus);
        p.put("delayMillis", delay.toMillis());
        return sql.update(RETRY, p) == 1;
    }

    public boolean failed(Claimed c, String lastStatus) {
        return sql.update(FAILED, outcome(c, lastStatus)) == 1;
    }

    private static Map<String, Object> outcome(Claimed c, String lastStatus) {
        Map<String, Object> p = new HashMap<>();
        p.put("eventId", c.eventId());
        p.put("destination", c.destination());
        p.put("token", c.token());
        p.put("lastStatus", bounded(lastStatus));
        return p;
    }

    /** A last status as the column keeps it (at most 200 characters). */
    private static String bounded(String lastStatus) {
        return lastStatus == null || lastStatus.length() <= 200 ? lastStatus : lastStatus.substring(0, 200);
    }

    /** Makes the event's delivery to each of {@code destinations} due now (added when it had none). */
    public void redeliver(String eventId, List<String> destinations) {
        sql.inTransaction(() -> {
            for (String destination : destinations) {
                Map<String, Object> p = Map.of("eventId", eventId, "destination", destination);
                sql.update(ADD_DELIVERY, p);
                sql.update(REDELIVER, p);
            }
        });
    }

    /** A position in the feed: after the event written at {@code at} with {@code seq} (the feed's order). */
    public record Position(Instant at, long seq) implements Comparable<Position> {
        /** Before every event. */
        public static final Position START = new Position(Instant.EPOCH, 0);

        static Position of(Event e) {
            return new Position(e.createdAt(), e.seq());
        }

        /** Of a row with {@code created_at} and {@code seq}. */
        static Position of(Map<String, Object> row) {
            return new Position(Sql.instant(row.get("created_at")), Sql.longValue(row.get("seq")));
        }

        @Override
        public int compareTo(Position o) {
            int byTime = at.compareTo(o.at);
            return byTime != 0 ? byTime : Long.compare(seq, o.seq);
        }
    }

    /**
     * The position of a cursor the feed answered before it was ordered by time (a bare seq: every event with a
     * greater seq was still to come): just before the earliest of those in time, so none is skipped (an event
     * with a greater seq may have an earlier time: its transaction began first); some seen already may come
     * again, which receivers deduplicate by id. After the last event when none is left. Never after the commit
     * horizon: an event committed later by a transaction open now has a time at or after its start.
     */
    public Position positionOf(long seq) {
        if (seq <= 0) {
            return Position.START;
        }
        // read first: an event a transaction still open writes will have a time at or after it
        Position open = new Position(horizon.read(), 0);
        Instant first = Sql.instant(sql.query(AFTER_SEQ, Map.of("seq", seq)).get(0).get("first"));
        if (first != null) {
            return min(new Position(first, 0), open);
        }
        List<Map<String, Object>> last = sql.query(LAST, Map.of());
        return last.isEmpty() ? Position.START : min(Position.of(last.get(0)), open);
    }

    private static Position min(Position a, Position b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Up to {@code limit} events after {@code after}, and the position a follower goes on from. */
    public record Page(List<Event> events, Position next) {
    }

    /**
     * The events matching every filter given (null = no filter) after {@code after}, oldest first, all read
     * below one commit horizon; when fewer than {@code limit}, {@code next} is the position after the last
     * event of any type below that horizon, so a follower polling again with it neither repeats nor skips one.
     */
    public Page feed(Position after, String type, String paymentId, String subscriptionId, int limit) {
        Instant below = horizon.read();
        Map<String, Object> p = new HashMap<>();
        p.put("horizon", below);
        p.put("afterAt", after.at());
        p.put("afterSeq", after.seq());
        p.put("type", type);
        p.put("paymentId", paymentId);
        p.put("subscriptionId", subscriptionId);
        p.put("limit", limit);
        List<Event> events = sql.query(FEED, p).stream().map(EventStore::event).toList();
        Position next = events.isEmpty() ? after : Position.of(events.get(events.size() - 1));
        if (events.size() < limit) {
            List<Map<String, Object>> last = sql.query(FEED_END, Map.of("horizon", below));
            if (!last.isEmpty() && Position.of(last.get(0)).compareTo(next) > 0) {
                next = Position.of(last.get(0));
            }
        }
        return new Page(events, next);
    }

    public Optional<Event> find(String eventId) {
        List<Map<String, Object>> rows = sql.query(BY_ID, Map.of("eventId", eventId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(event(rows.get(0)));
    }

    public List<Delivery> deliveries(String eventId) {
        return sql.query(DELIVERIES, Map.of("eventId", eventId)).stream().map(r -> new Delivery(
                (String) r.get("destination"), ((String) r.get("status")).trim(), (int) Sql.longValue(r.get("attempts")),
                (String) r.get("last_status"), Sql.instant(r.get("next_attempt_at")), Sql.instant(r.get("delivered_at"))))
                .toList();
    }

    /**
     * Events with a delivery still PENDING to a destination configured here, the oldest one's age, deliveries
     * FAILED (kept for redeliver), and deliveries PENDING to destinations no longer configured.
     */
    public record Backlog(long undelivered, Duration oldestAge, long failed, long unconfigured) {
    }

    /**
     * @param destinations the names of the destinations configured here
     * @param bound        each query's timeout (a probe or a scrape waits for this reading)
     */
    public Backlog backlog(List<String> destinations, Duration bound) {
        Map<String, Object> names = new HashMap<>();
        List<String> slotList = new java.util.ArrayList<>();
        for (int i = 0; i < destinations.size(); i++) {
            names.put("destination" + i, destinations.get(i));
            slotList.add(":?destination" + i);
        }
        String slots = String.join(", ", slotList);
        long failed = Sql.longValue(sql.query(FAILED_COUNT, Map.of(), bound).get(0).get("n"));
        if (destinations.isEmpty()) {
            return new Backlog(0, Duration.ZERO, failed, Sql.longValue(sql.query(ALL_PENDING, Map.of(), bound).get(0).get("n")));
        }
        long unconfigured = Sql.longValue(sql.query(UNCONFIGURED.formatted(slots), names, bound).get(0).get("n"));
        Map<String, Object> r = sql.query(BACKLOG.formatted(slots), names, bound).get(0);
        Instant oldest = Sql.instant(r.get("oldest"));
        Duration age = Duration.ZERO;
        if (oldest != null) {
            Instant now = Sql.instant(sql.query(NOW, Map.of(), bound).get(0).get("now"));
            age = Duration.between(oldest, now);
            if (age.isNegative()) {
                age = Duration.ZERO;
            }
        }
        return new Backlog(Sql.longValue(r.get("undelivered")), age, failed, unconfigured);
    }

    /** Deletes up to {@code limit} events past {@code retention} delivered to every destination; answers how many. */
    public int purge(Duration retention, int limit) {
        return sql.update(PURGE, Map.of("retentionSeconds", retention.toSeconds(), "limit", limit));
    }

    private static Event event(Map<String, Object> r) {
        return new Event(Sql.longValue(r.get("seq")), (String) r.get("event_id"), (String) r.get("type"),
                (String) r.get("payment_id"), (String) r.get("subscription_id"), (String) r.get("data"),
                Sql.instant(r.get("created_at")));
    }
}
