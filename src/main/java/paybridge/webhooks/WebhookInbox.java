package paybridge.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.canonical.InboxState;
import paybridge.ledger.RandomIds;
import paybridge.ledger.Sql;

/**
 * The webhook inbox ({@code webhook_inbox}): every delivery stored raw, and the processing queue.
 * An entry is claimed by one conditional UPDATE that writes a fresh token to {@code locked_by} and a
 * lease to {@code locked_until}; only rows whose lease is absent or expired can be claimed, so one
 * node at a time works on an entry, and an entry whose node died is taken up again when the lease
 * runs out. Finishing is conditional on the token: a node that lost its lease changes nothing.
 */
public final class WebhookInbox {
    private static final String INSERT = """
            INSERT INTO webhook_inbox (inbox_id, vendor, received_at, source_ip, content_type, headers, body, body_bytes,
                status, reason, vendor_ref, attempts)
            VALUES (:?inboxId, :?vendor, :?receivedAt, :?sourceIp, :?contentType, :?headers, :?body, :?bodyBytes,
                :?status, :?reason, :?vendorRef, 0)""";

    // Who may work on an entry is decided by the DATABASE's clock only: leases and retry times are
    // stamped and compared with CURRENT_TIMESTAMP, so a node whose own clock is off can neither take
    // a live lease (its "now" would be past it) nor hold one for too long. Durations are passed in
    // milliseconds (tests use sub-second leases and retry delays).

    // due: RECEIVED or PENDING, not flagged, its retry time reached, not leased (read without locks;
    // each candidate is then claimed by CLAIM_SEEN, which re-checks all of it atomically). Two queries,
    // each one range of webhook_inbox_due_order_idx (status, next_attempt_at, received_at) read in the index's
    // order, so a poll reads about its batch whatever the backlog (an IN over both statuses, or an OR
    // over both kinds of entry, makes the database read every open entry and sort them).
    // New entries: RECEIVED never has a retry time (only RETRY and PARK set one, and both make it PENDING).
    private static final String DUE_NEW = """
            SELECT * FROM webhook_inbox
            WHERE status = 'RECEIVED' AND next_attempt_at IS NULL AND flagged = FALSE
              AND (locked_until IS NULL OR locked_until < CURRENT_TIMESTAMP)
            ORDER BY status, next_attempt_at, received_at
            LIMIT :?limit""";
    // Retries whose time has come. A PENDING entry without a retry time is a flagged one (RETRY sets no
    // time only when it flags), which is never due.
    private static final String DUE_RETRY = """
            SELECT * FROM webhook_inbox
            WHERE status = 'PENDING' AND next_attempt_at <= CURRENT_TIMESTAMP AND flagged = FALSE
              AND (locked_until IS NULL OR locked_until < CURRENT_TIMESTAMP)
            ORDER BY status, next_attempt_at, received_at
            LIMIT :?limit""";

    static final List<String> DUE_QUERIES = List.of(DUE_RETRY, DUE_NEW);

    private static final String CLAIM_ONE = """
            UPDATE webhook_inbox SET locked_by = :?token,
                locked_until = CURRENT_TIMESTAMP + CAST(:?leaseMillis AS BIGINT) * INTERVAL '0.001' SECOND,
                attempts = attempts + 1
            WHERE inbox_id = :?inboxId AND status IN ('RECEIVED', 'PENDING') AND flagged = FALSE
              AND (next_attempt_at IS NULL OR next_attempt_at <= CURRENT_TIMESTAMP)
              AND (locked_until IS NULL OR locked_until < CURRENT_TIMESTAMP)""";

    // an entry read moments ago: claimed only if still due and no one claimed it since (every claim
    // adds to attempts), so what processing uses of the row as read (vendor, content type, body, attempts)
    // is what the row holds, and it need not be read again
    private static final String CLAIM_SEEN = CLAIM_ONE + " AND attempts = :?attempts";

    // a claim this node still holds (its token), held for a full lease again from the database's now; a
    // lease that ran out counts as long as no one else has claimed the entry since
    private static final String RENEW = """
            UPDATE webhook_inbox SET
                locked_until = CURRENT_TIMESTAMP + CAST(:?leaseMillis AS BIGINT) * INTERVAL '0.001' SECOND
            WHERE inbox_id = :?inboxId AND locked_by = :?token""";

    // an operator's replay: any status, flagged or not, only not while another node holds the lease
    private static final String CLAIM_REPLAY = """
            UPDATE webhook_inbox SET locked_by = :?token,
                locked_until = CURRENT_TIMESTAMP + CAST(:?leaseMillis AS BIGINT) * INTERVAL '0.001' SECOND,
                attempts = attempts + 1
            WHERE inbox_id = :?inboxId AND (locked_until IS NULL OR locked_until < CURRENT_TIMESTAMP)""";

    private static final String BY_ID = "SELECT * FROM webhook_inbox WHERE inbox_id = :?inboxId";

    private static final String FINISH = """
            UPDATE webhook_inbox SET status = :?status, reason = :?reason, payment_id = :?paymentId,
                event_type = :?eventType, vendor_ref = COALESCE(:?vendorRef, vendor_ref), processed_at = CURRENT_TIMESTAMP,
                next_attempt_at = NULL, flagged = FALSE, locked_by = NULL, locked_until = NULL
            WHERE inbox_id = :?inboxId AND locked_by = :?token""";

    // next_attempt_at: the database's now + the delay; a NULL delay (flagged: no automatic retry) leaves NULL.
    // unknownLook (0 or 1): this attempt's lookup answered that the vendor does not know the payment
    private static final String RETRY = """
            UPDATE webhook_inbox SET status = 'PENDING', reason = :?reason,
                unknown_looks = unknown_looks + CAST(:?unknownLook AS INTEGER),
                next_attempt_at = CURRENT_TIMESTAMP + CAST(:?delayMillis AS BIGINT) * INTERVAL '0.001' SECOND,
                flagged = :?flagged, locked_by = NULL, locked_until = NULL
            WHERE inbox_id = :?inboxId AND locked_by = :?token""";

    // waiting for its vendor to be enabled (no connector here can verify it): PENDING until the delay, and
    // the claim's count given back, since waiting is not a verification attempt. Safe for CLAIM_SEEN's
    // check: the entry is not due again before next_attempt_at, long after any read of it ended.
    private static final String PARK = """
            UPDATE webhook_inbox SET
                status = CASE WHEN status IN ('RECEIVED', 'PENDING') THEN 'PENDING' ELSE status END,
                reason = CASE WHEN status IN ('RECEIVED', 'PENDING') THEN :?reason ELSE reason END,
                next_attempt_at = CASE WHEN status IN ('RECEIVED', 'PENDING')
                    THEN CURRENT_TIMESTAMP + CAST(:?delayMillis AS BIGINT) * INTERVAL '0.001' SECOND
                    ELSE next_attempt_at END,
                attempts = CASE WHEN status IN ('RECEIVED', 'PENDING') THEN attempts - 1 ELSE attempts END,
                locked_by = NULL, locked_until = NULL
            WHERE inbox_id = :?inboxId AND locked_by = :?token""";

    // one fixed statement: an absent filter is a NULL parameter that disables its condition
    private static final String LIST = """
            SELECT * FROM webhook_inbox
            WHERE (CAST(:?status AS VARCHAR(16)) IS NULL OR status = :?status)
              AND (CAST(:?vendor AS VARCHAR(16)) IS NULL OR vendor = :?vendor)
            ORDER BY received_at DESC, inbox_id DESC
            LIMIT :?limit""";

    private static final String COUNT_OPEN = """
            SELECT COUNT(*) AS n FROM webhook_inbox WHERE status IN ('RECEIVED', 'PENDING')""";

    private final Sql sql;
    private final String node;
    private final Duration lease;
    private final Duration lookupBound;

    /** An inbox whose claims are renewed whenever a worker starts one (see {@link #holdToStart}). */
    public WebhookInbox(Sql sql, String node, Duration lease) {
        this(sql, node, lease, lease);
    }

    /**
     * @param node        this node's name, the prefix of its claim tokens
     * @param lease       how long a claim holds an entry (longer than a lookup with its retries can take)
     * @param lookupBound the longest one entry's vendor lookup can take (a vendor operation's budget plus one
     *                    call's timeout): a claim with less than this left of its lease is renewed before
     *                    its lookup starts
     */
    public WebhookInbox(Sql sql, String node, Duration lease, Duration lookupBound) {
        this.sql = sql;
        this.node = node;
        this.lease = lease;
        this.lookupBound = lookupBound;
    }

    /** Stores a delivery as received; the insert is committed when this returns. Answers the row written. */
    public InboxEntry insert(String inboxId, String vendor, Instant receivedAt, String sourceIp, String contentType,
                       String headers, String body, InboxState status, String reason, String vendorRef) {
        return insert(inboxId, vendor, receivedAt, sourceIp, contentType, headers, body, null, status, reason, vendorRef);
    }

    /**
     * As above, for a body kept either as text ({@code body}) or, when it is not readable text, byte
     * for byte ({@code bodyBytes}, with {@code body} null).
     */
    public InboxEntry insert(String inboxId, String vendor, Instant receivedAt, String sourceIp, String contentType,
                       String headers, String body, byte[] bodyBytes, InboxState status, String reason, String vendorRef) {
        Map<String, Object> p = new HashMap<>();
        p.put("inboxId", inboxId);
        p.put("vendor", vendor);
        p.put("receivedAt", receivedAt);
        p.put("sourceIp", sourceIp);
        p.put("contentType", truncate(contentType, 200));
        p.put("headers", headers);
        p.put("body", body);
        p.put("bodyBytes", bodyBytes);
        p.put("status", status.name());
        p.put("reason", truncate(reason, 500));
        p.put("vendorRef", truncate(vendorRef, 100));
        sql.update(INSERT, p);
        return new InboxEntry(inboxId, vendor, receivedAt, sourceIp, truncate(contentType, 200), headers, body, bodyBytes,
                status, truncate(reason, 500), null, null, 0, 0, null, false, truncate(vendorRef, 100), null, null);
    }

    /**
     * Claims up to {@code limit} due entries for this node, the oldest received first among the soonest
     * due retries and the oldest new entries (each read up to {@code limit}). Candidates are read first,
     * then each is claimed by its own conditional UPDATE: a row another node claimed meanwhile is
     * simply skipped. (One UPDATE ... WHERE inbox_id IN (SELECT ... LIMIT) locks far more than it
     * claims on H2 and timed out under load.)
     */
    public List<Claim> claimDue(int limit) {
        List<InboxEntry> due = new ArrayList<>();
        for (String query : DUE_QUERIES) {
            sql.query(query, Map.of("limit", limit)).forEach(row -> due.add(InboxEntry.of(row)));
        }
        due.sort(Comparator.comparing(InboxEntry::receivedAt));
        List<Claim> claimed = new ArrayList<>();
        for (InboxEntry entry : due.subList(0, Math.min(limit, due.size()))) {
            claimSeen(entry).ifPresent(claimed::add);
        }
        return claimed;
    }

    /**
     * Claims an entry as it was just read or written, if it is still due and no one has claimed it
     * since; the claim carries that entry (its attempts counted), without reading the row again.
     */
    public Optional<Claim> claimSeen(InboxEntry entry) {
        String token = newToken();
        Map<String, Object> p = leaseParameters(token, entry.inboxId());
        p.put("attempts", entry.attempts());
        return sql.update(CLAIM_SEEN, p) == 0 ? Optional.empty()
                : Optional.of(new Claim(token, entry.claimedBy(token)));
    }

    /**
     * Whether this node may start work on a claimed entry now. A poll claims a batch at once, and its last
     * entries start only when workers free up: with a slow vendor, after the lease has run out and another
     * node may have claimed them (it would look the same entry up again). A claim with more of its lease
     * left than a lookup can take is used as it is (this node's monotonic clock, from just after the claim's
     * statement, only decides whether to ask; the database's decides who holds the entry); any other is
     * renewed for a full lease if its token is still the entry's, else it was lost and the entry is left to
     * whoever holds it now.
     */
    public boolean holdToStart(Claim claim) {
        long left = lease.toNanos() - (System.nanoTime() - claim.claimedAtNanos());
        if (left > lookupBound.toNanos()) {
            return true;
        }
        return sql.update(RENEW, leaseParameters(claim.token(), claim.entry().inboxId())) == 1;
    }

    /** Claims one entry whatever its status (replay); empty when unknown or leased by another node. */
    public Optional<Claim> claimForReplay(String inboxId) {
        return claim(CLAIM_REPLAY, inboxId);
    }

    private Optional<Claim> claim(String statement, String inboxId) {
        String token = newToken();
        if (sql.update(statement, leaseParameters(token, inboxId)) == 0) {
            return Optional.empty();
        }
        return find(inboxId).map(e -> new Claim(token, e));
    }

    /** The parameters of a claim: a lease for {@code token} on the entry, from the database's now. */
    private Map<String, Object> leaseParameters(String token, String inboxId) {
        Map<String, Object> p = new HashMap<>();
        p.put("token", token);
        p.put("leaseMillis", lease.toMillis());
        p.put("inboxId", inboxId);
        return p;
    }

    public Optional<InboxEntry> find(String inboxId) {
        List<Map<String, Object>> rows = sql.query(BY_ID, Map.of("inboxId", inboxId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(InboxEntry.of(rows.get(0)));
    }

    /** Records the outcome (PROCESSED or REJECTED); false when the claim was lost meanwhile. */
    public boolean finish(Claim claim, InboxState status, String reason, String paymentId, String eventType,
                          String vendorRef) {
        Map<String, Object> p = new HashMap<>();
        p.put("inboxId", claim.entry().inboxId());
        p.put("token", claim.token());
        p.put("status", status.name());
        p.put("reason", truncate(reason, 500));
        p.put("paymentId", paymentId);
        p.put("eventType", eventType);
        p.put("vendorRef", truncate(vendorRef, 100));
        return sql.update(FINISH, p) == 1;
    }

    /**
     * Leaves the entry PENDING until {@code delay} from the database's now; flagged, without a retry
     * time (no automatic retry). A null delay without flagged is due at once (webhook_inbox_due_times
     * refuses an entry neither flagged nor timed, which no poll would take). {@code unknownLook}: this
     * attempt's lookup answered that the vendor does not know the payment (counted in {@code unknown_looks}).
     */
    public boolean retryLater(Claim claim, String reason, Duration delay, boolean flagged, boolean unknownLook) {
        Map<String, Object> p = new HashMap<>();
        p.put("unknownLook", unknownLook ? 1 : 0);
        p.put("inboxId", claim.entry().inboxId());
        p.put("token", claim.token());
        p.put("reason", truncate(reason, 500));
        p.put("delayMillis", flagged ? null : delay == null ? 0L : delay.toMillis());
        p.put("flagged", flagged);
        return sql.update(RETRY, p) == 1;
    }

    /**
     * Leaves an undecided entry PENDING, not counted as an attempt, until {@code delay} from the
     * database's now; a decided one (a replay of a PROCESSED or REJECTED entry) only gets its lease back.
     */
    public boolean park(Claim claim, String reason, Duration delay) {
        Map<String, Object> p = new HashMap<>();
        p.put("inboxId", claim.entry().inboxId());
        p.put("token", claim.token());
        p.put("reason", truncate(reason, 500));
        p.put("delayMillis", delay.toMillis());
        return sql.update(PARK, p) == 1;
    }

    /** Entries newest first, filtered by status and vendor when given. */
    public List<InboxEntry> list(InboxState status, String vendor, int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("status", status == null ? null : status.name());
        p.put("vendor", vendor);
        p.put("limit", limit);
        return sql.query(LIST, p).stream().map(InboxEntry::of).toList();
    }

    /** Entries not yet processed or rejected (RECEIVED or PENDING). */
    public long openCount() {
        return Sql.longValue(sql.query(COUNT_OPEN, Map.of()).get(0).get("n"));
    }

    private String newToken() {
        String t = node + "/" + RandomIds.uuid();
        return t.length() <= 100 ? t : t.substring(t.length() - 100);
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** An entry this node holds, with the token that proves it and when (this node's monotonic clock) it was claimed. */
    public record Claim(String token, InboxEntry entry, long claimedAtNanos) {
        public Claim(String token, InboxEntry entry) {
            this(token, entry, System.nanoTime());
        }
    }
}
