package paybridge.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * Several statements as one database transaction. Inside {@link #run}, every statement this thread
 * sends through {@link Sql} runs on the transaction's connection, so they commit together or not at
 * all: a crash, a failed statement or an exception anywhere in the work rolls all of them back.
 * Outside one, each statement takes a pooled connection in auto-commit ({@link #withConnection}).
 *
 * <p>The binding is per thread: {@link Sql} runs on the calling thread, so the statements of one piece
 * of Java work all join; work handed to another thread does not. A nested {@link #run} joins the outer
 * transaction.
 */
public final class Transactions {
    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<java.util.List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();
    private static final ThreadLocal<java.util.List<Runnable>> BEFORE_COMMIT = new ThreadLocal<>();

    private final DataSource pool;
    // when each outermost transaction of this process began (a little before its first statement, so
    // never after the database's time for it): the audit feed's horizon on H2 (paybridge.audit.AuditStore)
    private final java.util.Map<Object, java.time.Instant> openSince = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param pool the connection pool itself (not the data source camel-jdbc is given) */
    public Transactions(DataSource pool) {
        this.pool = pool;
    }

    /** Runs {@code work} in one transaction and answers its result; rolls back and rethrows on any failure. */
    public <T> T run(Supplier<T> work) {
        if (CURRENT.get() != null) {
            return work.get();
        }
        Object self = new Object();
        // a millisecond early: the database may stamp its time truncated to milliseconds
        openSince.put(self, java.time.Instant.now().minusMillis(1));
        Connection connection;
        try {
            connection = pool.getConnection();
        } catch (SQLException e) {
            openSince.remove(self);
            throw new IllegalStateException("No database connection for a transaction: " + e.getMessage(), e);
        }
        boolean committing = false;
        try {
            connection.setAutoCommit(false);
            CURRENT.set(connection);
            AFTER_COMMIT.set(new java.util.ArrayList<>());
            BEFORE_COMMIT.set(new java.util.ArrayList<>());
            T result = work.get();
            // may register more (an action's own statements may be facts too): run until none is left
            java.util.List<Runnable> last = BEFORE_COMMIT.get();
            while (!last.isEmpty()) {
                java.util.List<Runnable> now = new java.util.ArrayList<>(last);
                last.clear();
                now.forEach(Runnable::run);
            }
            BEFORE_COMMIT.remove();
            CURRENT.remove();
            committing = true;
            connection.commit();
            java.util.List<Runnable> committed = AFTER_COMMIT.get();
            AFTER_COMMIT.remove();
            committed.forEach(Runnable::run);
            return result;
        } catch (RuntimeException | Error e) {
            CURRENT.remove();
            rollback(connection, e);
            throw e;
        } catch (SQLException e) {
            CURRENT.remove();
            rollback(connection, e);
            // a commit whose connection failed on the way (SQLSTATE class 08: cut, its socket timeout) may have
            // been applied by the server all the same: whoever reads the rows next finds out. A commit the
            // server refused (a constraint checked at commit, a serialization failure) was not applied
            boolean unknown = committing && (e.getSQLState() == null || e.getSQLState().startsWith("08"));
            throw new IllegalStateException((unknown ? "Commit's outcome unknown (it may have been applied): "
                    : "Transaction not committed: ") + e.getMessage(), e);
        } finally {
            openSince.remove(self);
            CURRENT.remove();
            AFTER_COMMIT.remove();
            BEFORE_COMMIT.remove();
            try {
                connection.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the pool validates (or discards) the connection on its next lease
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // returned to the pool as broken: nothing was committed
            }
        }
    }

    /** As {@link #run(Supplier)} for work without a result. */
    public void run(Runnable work) {
        run(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs {@code action} once this thread's transaction has committed (never, if it rolls back), or
     * at once outside a transaction: an alert or a counter for a change must not go out for a change
     * that an enclosing transaction may still roll back.
     */
    public static void afterCommit(Runnable action) {
        java.util.List<Runnable> pending = AFTER_COMMIT.get();
        if (pending == null) {
            action.run();
        } else {
            pending.add(action);
        }
    }

    /**
     * Runs {@code action} inside this thread's transaction, after its work and just before it commits
     * (at once outside a transaction): a fact whose description needs every change of the transaction
     * (a refund's result reads the ledger entry appended after the refund's row) is written last, and
     * still commits with them or not at all.
     */
    public static void beforeCommit(Runnable action) {
        java.util.List<Runnable> pending = BEFORE_COMMIT.get();
        if (pending == null || CURRENT.get() == null) {
            action.run();
        } else {
            pending.add(action);
        }
    }

    /**
     * The earliest start (this process's clock, at or before the database's time for it) of the
     * transactions of this process still open, or null when none is.
     */
    public java.time.Instant oldestOpenSince() {
        return openSince.values().stream().min(java.time.Instant::compareTo).orElse(null);
    }

    /** True while this thread is inside {@link #run}. */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    /** One statement's work with a connection: see {@link #withConnection}. */
    interface ConnectionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs one statement's work on this thread's transaction connection (the work must not commit, roll
     * back or close it), or outside a transaction on a pooled connection in auto-commit, returned after.
     */
    <T> T withConnection(ConnectionWork<T> work) throws SQLException {
        Connection joined = CURRENT.get();
        if (joined != null) {
            return work.run(joined);
        }
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        }
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
