package paybridge.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;
import paybridge.testing.TcpProxy;

/**
 * PostgreSQL gone silent (no answer, no reset: a failover, a frozen host): a statement of the pool fails
 * after {@code paybridge.db.socket-timeout} instead of holding its thread for as long as the operating
 * system keeps the connection, and the pool serves again once the server answers. The migrations at
 * start-up are not bound by it. A real PostgreSQL, reached through a TCP forwarder that can go silent.
 */
class DatabaseSocketTimeoutTest {
    // the guard against a statement that never returns: far above the 1 s bound under test
    private static final Duration HANG = Duration.ofSeconds(60);

    @Test
    void aStatementTheServerNeverAnswersFailsAtTheSocketTimeoutAndThePoolServesAgainAfterwards() throws Exception {
        try (Postgres pg = Postgres.createDatabase(); TcpProxy proxy = proxyTo(pg);
             Database db = Database.open(throughProxy(pg.url(), proxy), pg.user(), "", 2, Duration.ofSeconds(1))) {
            DataSource ds = db.dataSource();
            assertEquals(1, selectOne(ds));
            // a connection already in hand (the next statement of a transaction, or one borrowed within the
            // pool's validation window): the statement goes straight to the socket
            try (Connection c = ds.getConnection()) {
                proxy.silent();
                SQLException cut;
                try {
                    cut = assertTimeoutPreemptively(HANG, () -> assertThrows(SQLException.class, () -> {
                        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
                            r.next();
                        }
                    }), "a statement to a silent server must fail at the socket timeout, not wait for the connection to die");
                } catch (AssertionError hung) {
                    proxy.close(); // ends the statement still waiting, so that closing its connection does not wait too
                    throw hung;
                }
                assertTrue(c.isClosed(), "the driver closes the connection whose statement it cut: " + cut);
            }
            proxy.answer();
            assertEquals(1, assertTimeoutPreemptively(HANG, () -> selectOne(ds)), "the pool serves again");
        }
    }

    @Test
    void theMigrationsRunWithoutTheSocketTimeout() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            Database.open(pg.url(), pg.user(), "", 2).close();
            // another session holds the migrations' history table; Flyway's read of it waits until that
            // session lets go, which it does only after the wait has lasted well past the 1 s bound
            try (Connection holder = DriverManager.getConnection(pg.url(), pg.user(), "")) {
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("LOCK TABLE flyway_schema_history IN ACCESS EXCLUSIVE MODE");
                }
                CompletableFuture<Void> release = CompletableFuture.runAsync(() -> releaseAfterAWaitOf(pg, holder, Duration.ofSeconds(3)));
                try (Database db = assertTimeoutPreemptively(HANG, () -> Database.open(pg.url(), pg.user(), "", 2, Duration.ofSeconds(1)))) {
                    assertEquals(1, selectOne(db.dataSource()));
                }
                release.get(HANG.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theBoundIsAddedToPostgresUrlsThatNameNoneOfTheirOwn() {
        Duration thirty = Duration.ofSeconds(30);
        assertEquals("jdbc:postgresql://db:5432/pb?socketTimeout=30", Database.withPostgresSocketTimeout("jdbc:postgresql://db:5432/pb", thirty));
        assertEquals("jdbc:postgresql://db/pb?ssl=true&socketTimeout=30", Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb?ssl=true", thirty));
        assertEquals("jdbc:postgresql://db/pb?ssl=true&socketTimeout=5", Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb?ssl=true&socketTimeout=5", thirty));
        // another spelling is no bound to the driver, nor is the text inside another parameter's value
        assertEquals("jdbc:postgresql://db/pb?SocketTimeout=5&socketTimeout=30", Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb?SocketTimeout=5", thirty));
        assertEquals("jdbc:postgresql://db/pb?ApplicationName=xsocketTimeout=1&socketTimeout=30",
                Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb?ApplicationName=xsocketTimeout=1", thirty));
        assertEquals("jdbc:postgresql://db/pb?socketTimeout=1", Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb", Duration.ofMillis(300)));
        assertEquals("jdbc:postgresql://db/pb", Database.withPostgresSocketTimeout("jdbc:postgresql://db/pb", Duration.ZERO));
        assertEquals("jdbc:h2:file:./data/paybridge", Database.withPostgresSocketTimeout("jdbc:h2:file:./data/paybridge", thirty));
        assertEquals(Duration.ofSeconds(45), Database.socketTimeout("PT45S"));
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> Database.socketTimeout("30s"));
        assertTrue(bad.getMessage().contains("paybridge.db.socket-timeout"), bad.getMessage());
        assertThrows(IllegalStateException.class, () -> Database.socketTimeout("-PT1S"));
    }

    /** Lets go of the lock once some other session has waited for it at least {@code wait}. */
    private static void releaseAfterAWaitOf(Postgres pg, Connection holder, Duration wait) {
        try (Connection watcher = DriverManager.getConnection(pg.url(), pg.user(), "");
             Statement s = watcher.createStatement()) {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery("SELECT EXTRACT(EPOCH FROM (clock_timestamp() - a.query_start)) AS waited"
                        + " FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                        + " WHERE NOT l.granted AND l.relation = 'flyway_schema_history'::regclass")) {
                    if (r.next() && r.getDouble("waited") >= wait.toMillis() / 1000.0) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            holder.rollback();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TcpProxy proxyTo(Postgres pg) throws java.io.IOException {
        URI server = URI.create(pg.url().substring("jdbc:".length()));
        return new TcpProxy(server.getHost(), server.getPort() < 0 ? 5432 : server.getPort());
    }

    private static String throughProxy(String url, TcpProxy proxy) {
        URI uri = URI.create(url.substring("jdbc:".length()));
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + uri.getPath();
    }

    private static int selectOne(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
            return r.getInt(1);
        }
    }
}
