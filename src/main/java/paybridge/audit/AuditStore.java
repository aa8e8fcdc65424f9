package paybridge.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import paybridge.ledger.Sql;
import paybridge.ledger.Transactions;

/**
 * The append-only {@code audit} table (migration V11; the database refuses UPDATE and DELETE on it, as on
 * the ledger). A row's time is the database's ({@code CURRENT_TIMESTAMP}: its transaction's start);
 * inside a transaction ({@link Sql#inTransaction}) the INSERT joins it, so the row commits with the change
 * it describes or not at all.
 *
 * <p>Rows commit in another order than their times (a transaction that began earlier may commit later),
 * so a list in (time, id) order read while rows are being written could pass a position that a row
 * committed afterwards falls behind: a reader following the cursor would never see it. The list
 * therefore stops at a horizon: the start of the oldest transaction still open. Every row stamped
 * before it has been committed (or rolled back), so the listed part never changes behind a cursor.
 * PostgreSQL: the oldest {@code xact_start} of the database's client sessions ({@code pg_stat_activity},
 * the same clock and the same value as their {@code CURRENT_TIMESTAMP}), which covers every node; H2
 * (one process): the oldest transaction this process has open ({@link Transactions#oldestOpenSince}),
 * every audit row being written inside one. The horizon is read before the rows, in its own statement,
 * so the rows' statement sees every transaction that ended before it.
 */
public final class AuditStore {
    private static final String APPEND = """
            INSERT INTO audit (recorded_at, actor, action, target, reason)
            VALUES (CURRENT_TIMESTAMP, :?actor, :?action, :?target, :?reason)""";

    // the client sessions of this database (not autovacuum or replication) with a transaction open,
    // this statement's own included: so never later than its CURRENT_TIMESTAMP
    private static final String HORIZON_POSTGRES = """
            SELECT MIN(xact_start) AS horizon FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'""";
    private static final String NOW = "SELECT CURRENT_TIMESTAMP AS horizon";

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
    // asked when first needed: at start-up the database may still be opening
    private final java.util.function.BooleanSupplier postgres;

    public AuditStore(Sql sql, Transactions transactions, java.util.function.BooleanSupplier postgres) {
        this.sql = sql;
        this.transactions = transactions;
        this.postgres = postgres;
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
        boolean onPostgres = postgres.getAsBoolean();
        Instant horizon = Sql.instant(sql.query(onPostgres ? HORIZON_POSTGRES : NOW, Map.of()).get(0).get("horizon"));
        if (!onPostgres) {
            Instant oldestOpen = transactions.oldestOpenSince();
            if (oldestOpen != null && oldestOpen.isBefore(horizon)) {
                horizon = oldestOpen;
            }
        }
        return horizon;
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
