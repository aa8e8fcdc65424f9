package paybridge.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import paybridge.ledger.CommitHorizon;
import paybridge.ledger.Sql;
import paybridge.ledger.Transactions;

/**
 * The append-only {@code audit} table (migration V11; the database refuses UPDATE and DELETE on it, as on
 * the ledger). A row's time is the database's ({@code CURRENT_TIMESTAMP}: its transaction's start);
 * inside a transaction ({@link Sql#inTransaction}) the INSERT joins it, so the row commits with the change
 * it describes or not at all.
 *
 * <p>The list stops at the {@link CommitHorizon}: every row stamped before it has been committed (or
 * rolled back), so the listed part never changes behind a cursor. Every audit row is written inside a
 * transaction, as the horizon on H2 needs.
 */
public final class AuditStore {
    private static final String APPEND = """
            INSERT INTO audit (recorded_at, actor, action, target, reason)
            VALUES (CURRENT_TIMESTAMP, :?actor, :?action, :?target, :?reason)""";

    // one fixed statement: an absent filter or cursor is a NULL parameter that disables its condition;
    // the order (recorded_at, audit_id) never changes for a row, and below the horizon no row is added
    // any more, so a cursor never repeats or skips one
    private static final String PAGE = """
            SELECT audit_id, recorded_at, actor, action, target, reason FROM audit
            WHERE recorded_at < :?horizon
              AND (CAST(:?from AS TIMESTAMP WITH TIME ZONE) IS NULL OR recorded_at >= :?from)
              AND (CAST(:?to AS TIMESTAMP WITH TIME ZONE) IS NULL OR recorded_at < :?to)
              AND (CAST(:?actor AS VARCHAR(40)) IS NULL OR actor = :?actor)
              AND (CAST(:?afterAt AS TIMESTAMP WITH TIME ZONE) IS NULL OR recorded_at > :?afterAt
                   OR (recorded_at = :?afterAt AND audit_id > :?afterId))
            ORDER BY recorded_at, audit_id
            LIMIT :?limit""";

    private final Sql sql;
    private final Transactions transactions;
    private final CommitHorizon horizon;

    public AuditStore(Sql sql, Transactions transactions, CommitHorizon horizon) {
        this.sql = sql;
        this.transactions = transactions;
        this.horizon = horizon;
    }

    public void append(String actor, String action, String target, String reason) {
        Map<String, Object> p = new HashMap<>();
        p.put("actor", actor);
        p.put("action", action);
        p.put("target", target);
        p.put("reason", reason);
        // always in a transaction (its own, or the change's it joins), so H2's horizon knows it is open
        transactions.run(() -> {
            sql.update(APPEND, p);
        });
    }

    /** Rows stamped before this have all ended their transactions: the list stops here. */
    Instant horizon() {
        return horizon.read();
    }

    /**
     * Rows matching every filter given (null = no filter), after the cursor position (null = from the
     * start), below the horizon (see above), oldest first.
     */
    public List<AuditEntry> page(Instant from, Instant to, String actor, Instant afterAt, Long afterId, int limit) {
        Map<String, Object> p = new HashMap<>();
        p.put("horizon", horizon());
        p.put("from", from);
        p.put("to", to);
        p.put("actor", actor);
        p.put("afterAt", afterAt);
        p.put("afterId", afterId == null ? 0L : afterId);
        p.put("limit", limit);
        List<AuditEntry> entries = new ArrayList<>();
        for (Map<String, Object> row : sql.query(PAGE, p)) {
            entries.add(new AuditEntry(Sql.longValue(row.get("audit_id")), Sql.instant(row.get("recorded_at")),
                    (String) row.get("actor"), (String) row.get("action"), (String) row.get("target"),
                    (String) row.get("reason")));
        }
        return entries;
    }
}
