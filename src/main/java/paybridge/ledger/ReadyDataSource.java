package paybridge.ledger;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A pool whose connections are handed out only once the database is ready ({@link Database#awaitReady}:
 * opened and migrated): a caller that comes early waits, one that comes after a failed start gets its
 * failure. Once ready, the wait is a read of a completed future.
 */
final class ReadyDataSource implements DataSource {
    private final DataSource pool;
    private final Runnable awaitReady;

    ReadyDataSource(DataSource pool, Runnable awaitReady) {
        this.pool = pool;
        this.awaitReady = awaitReady;
    }

    @Override
    public Connection getConnection() throws SQLException {
        awaitReady();
        return pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        awaitReady();
        return pool.getConnection(username, password);
    }

    /** A database that could not be opened is, to a caller asking for a connection, an SQLException. */
    private void awaitReady() throws SQLException {
        try {
            awaitReady.run();
        } catch (RuntimeException e) {
            throw new SQLException("The database could not be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}
