package paybridge.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The time below which no row stamped with its transaction's start ({@code CURRENT_TIMESTAMP}) can be
 * added any more: the start of the oldest transaction still open. Rows commit in another order than their
 * times (a transaction that began earlier may commit later, after a lock wait, a slow fsync or a pause), so
 * a list read in time order while rows are being written could pass a position that a row committed
 * afterwards falls behind, and a reader following its cursor would never see that row. A list that stops
 * here never changes behind a cursor.
 *
 * <p>PostgreSQL: the oldest {@code xact_start} of the database's client sessions ({@code pg_stat_activity},
 * the same clock and the same value as their {@code CURRENT_TIMESTAMP}), which covers every node. H2 (one
 * process): the database's time, or the start of the oldest transaction this process has open
 * ({@link Transactions#oldestOpenSince}) when that is earlier; so every row a list cut here may show must be
 * written inside a {@link Transactions#run}. Read in its own statement before the rows, so the rows'
 * statement sees every transaction that ended before it.
 */
public final class CommitHorizon {
    public static final String BEAN = "commitHorizon";
    // the client sessions of this database (not autovacuum or replication) with a transaction open,
    // this statement's own included: so never later than its CURRENT_TIMESTAMP
    private static final String POSTGRES = """
            SELECT MIN(xact_start) AS horizon FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'""";
    private static final String NOW = "SELECT CURRENT_TIMESTAMP AS horizon";

    private final Sql sql;
    private final Transactions transactions;
    // asked when first needed: at start-up the database may still be opening
    private final BooleanSupplier postgres;

    public CommitHorizon(Sql sql, Transactions transactions, BooleanSupplier postgres) {
        this.sql = sql;
        this.transactions = transactions;
        this.postgres = postgres;
    }

    /** Rows stamped before this have all ended their transactions. */
    public Instant read() {
        boolean onPostgres = postgres.getAsBoolean();
        Instant horizon = Sql.instant(sql.query(onPostgres ? POSTGRES : NOW, Map.of()).get(0).get("horizon"));
        if (!onPostgres) {
            Instant oldestOpen = transactions.oldestOpenSince();
            if (oldestOpen != null && oldestOpen.isBefore(horizon)) {
                horizon = oldestOpen;
            }
        }
        return horizon;
    }
}
