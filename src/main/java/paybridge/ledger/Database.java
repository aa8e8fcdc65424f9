package paybridge.ledger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pooled database and its schema. One set of migrations ({@code db/migration/common}) serves
 * H2 and PostgreSQL; each also gets a few statements only its dialect can say
 * ({@code db/migration/h2}, {@code db/migration/postgresql}), such as the trigger that keeps the
 * ledger append-only.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private final HikariDataSource pool;
    // the URL as configured: the migrations' connections (PostgreSQL) take no socket timeout from paybridge
    private final String url;
    // the connections everyone else gets: each first waits for the migrations
    private final DataSource migrated;
    // the database once every migration of this build is applied, or why they could not be
    private final CompletableFuture<Opened> ready = new CompletableFuture<>();

    /** What start-up learnt: the database product's name and the schema version the migrations left. */
    private record Opened(String productName, String schemaVersion) {
    }

    private Database(HikariDataSource pool, String url) {
        this.pool = pool;
        this.url = url;
        this.migrated = new ReadyDataSource(pool, this::awaitReady);
    }

    /**
     * PostgreSQL: how long a statement's connection waits for the server's answer before the driver closes
     * it ({@code paybridge.db.socket-timeout}). A server that stops answering without closing the connection
     * (a failover, a host frozen, a firewall dropping packets) otherwise holds the statement's thread for as
     * long as the operating system keeps the connection (hours for a connection whose request was already
     * acknowledged): a whole pool of those is a node that answers nothing.
     */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
    /** The setting that bounds it. */
    public static final String SOCKET_TIMEOUT_SETTING = "paybridge.db.socket-timeout";
    // a URL that sets the bound itself, in the driver's own spelling (its property names are case-sensitive)
    private static final java.util.regex.Pattern NAMES_SOCKET_TIMEOUT = java.util.regex.Pattern.compile("[?&]socketTimeout=");

    /** Opens the pool and migrates the schema; fails fast when the database cannot be reached. */
    public static Database open(String url, String user, String password, int poolSize) {
        return open(url, user, password, poolSize, DEFAULT_SOCKET_TIMEOUT);
    }

    /** As {@link #open(String, String, String, int)}, with PostgreSQL's socket timeout given (zero: none). */
    public static Database open(String url, String user, String password, int poolSize, Duration socketTimeout) {
        return start(url, user, password, poolSize, socketTimeout).awaitReady();
    }

    /** As {@link #start(String, String, String, int, Duration)} with {@link #DEFAULT_SOCKET_TIMEOUT}. */
    public static Database start(String url, String user, String password, int poolSize) {
        return start(url, user, password, poolSize, DEFAULT_SOCKET_TIMEOUT);
    }

    /**
     * Starts opening the database on a thread of its own and answers at once: the first connection and
     * the migrations (a second or more on a cold JVM: the driver, the database's files, Flyway) run while
     * the caller goes on building routes. Nothing reaches the schema before they are done:
     * {@link #dataSource()} waits for them, and start-up calls {@link #awaitReady} before any route starts.
     */
    public static Database start(String url, String user, String password, int poolSize, Duration socketTimeout) {
        // built empty and configured: the pool opens on its first connection (on the thread below), where
        // HikariDataSource(config) would connect in the constructor
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(withPostgresSocketTimeout(withH2QueryCache(withH2PostgresMode(url)), socketTimeout));
        pool.setUsername(user);
        pool.setPassword(password);
        // Flyway may hold two connections while it migrates (H2: lock + work): fewer would deadlock it
        pool.setMaximumPoolSize(Math.max(2, poolSize));
        pool.setPoolName("paybridge-db");
        Database database = new Database(pool, url);
        // not a daemon: should start-up fail elsewhere meanwhile, the JVM still lets a migration finish
        // rather than end it half applied (H2 commits DDL as it goes)
        Thread opening = new Thread(database::migrate, "paybridge-db-open");
        opening.start();
        return database;
    }

    /**
     * The migrations for {@code dialect} ("h2" or "postgresql"): the common set and the dialect's own.
     * On PostgreSQL Flyway holds its lock as a session lock, not in a transaction: a migration that builds
     * an index CONCURRENTLY waits for every open transaction, Flyway's own lock included. PostgreSQL's V14
     * V14 and V16 are Java ({@link V14__webhook_inbox_due_order}, {@link V16__events_feed_order}).
     */
    public static FluentConfiguration migrations(String dialect) {
        FluentConfiguration c = Flyway.configure()
                .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect)
                .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                // a node that finds another migrating waits for it up to 15 minutes (an index built CONCURRENTLY
                // on a large inbox takes minutes; Flyway's default gives up after 50 s), then fails to start
                // ("Number of retries exceeded"): a lock held longer is someone to find (README)
                .lockRetryCount(900);
        return dialect.equals("postgresql") ? c.javaMigrations(new V14__webhook_inbox_due_order(), new V16__events_feed_order()) : c;
    }

    private void migrate() {
        try {
            String product = firstConnection(pool);
            String dialect = isPostgres(product) ? "postgresql" : "h2";
            // PostgreSQL: on connections of its own, without the pool's socket timeout: a migration may rightly
            // run for minutes (an index built CONCURRENTLY, a constraint validated on a large table)
            FluentConfiguration migrations = migrations(dialect);
            Flyway configured = (isPostgres(product) ? migrations.dataSource(url, pool.getUsername(), pool.getPassword())
                    : migrations.dataSource(pool)).load();
            MigrateResult result = configured.migrate();
            // every migration of this build is applied now: the version is the last one applied, by this
            // run or, when there was nothing to apply, by an earlier one
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
            ready.complete(new Opened(product, version == null ? "none" : version));
        } catch (Throwable e) {
            ready.completeExceptionally(e);
        }
    }

    /**
     * Waits until the database is open and migrated; throws (and closes the pool) when it could not be:
     * the database not reachable, a migration failed.
     */
    public Database awaitReady() {
        opened();
        return this;
    }

    private Opened opened() {
        try {
            return ready.join();
        } catch (CompletionException e) {
            pool.close();
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Database not opened: " + e.getCause(), e.getCause());
        }
    }

    /**
     * H2 must speak PostgreSQL's dialect so one set of migrations serves both. The contract's
     * default URL {@code jdbc:h2:file:./data/paybridge} names no mode, so it is added here.
     */
    static String withH2PostgresMode(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase().contains(";MODE=")) {
            return url;
        }
        return url + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /**
     * A commit must be on disk when it returns: the README's crash tables assume it, and so does every
     * vendor call made after one. PostgreSQL's is unless {@code synchronous_commit} is off (then a crash
     * of the database server loses the last commits): warned. An H2 file database keeps committed changes
     * in memory and writes them to its file in the background, by default up to 500 ms after its last
     * write, so a crash of the process (kill -9, out of memory, the host going away) loses the commits of
     * that window, a charge's attempt row included while its vendor call is on the way. H2 makes a commit
     * durable on return only by writing a chunk per commit (WRITE_DELAY=0: about ten times the cost per
     * statement, and a file that grows by gigabytes before old chunks may be reused), so the window is made
     * {@value #H2_WRITE_DELAY_MILLIS} ms instead (10 ms cost the webhook intake about a tenth, 50 ms nothing
     * measurable; README, "Money safety"). The setting is the database's, for every connection, and needs an
     * H2 admin (as {@code sa} is): another user is warned and keeps H2's default. A URL that names its own
     * WRITE_DELAY keeps it.
     */
    private static void checkDurability(Connection c, String url, String productName) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (isPostgres(productName)) {
                try (ResultSet r = s.executeQuery("SHOW synchronous_commit")) {
                    if (r.next() && "off".equalsIgnoreCase(r.getString(1))) {
                        LOG.warn("PostgreSQL's synchronous_commit is off for paybridge's user or database: a crash of the"
                                + " database server loses commits paybridge has already acted on (vendor calls made, answers"
                                + " sent); set it to on (README, \"Money safety\")");
                    }
                } catch (SQLException unreadable) {
                    LOG.warn("PostgreSQL's synchronous_commit could not be read ({}): commits are assumed durable",
                            unreadable.getMessage());
                }
            } else if (url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:")
                    && !url.toUpperCase().contains(";WRITE_DELAY=")) {
                try {
                    s.execute("SET WRITE_DELAY " + H2_WRITE_DELAY_MILLIS);
                } catch (SQLException notAdmin) {
                    LOG.warn("H2 kept its own write delay (500 ms), so a crash of this process loses up to that much of"
                            + " what was committed: {} (README, \"Money safety\")", notAdmin.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }

    static final int H2_WRITE_DELAY_MILLIS = 50;

    /**
     * H2 keeps the parsed form of only 8 statements per connection by default; paybridge runs a few
     * dozen distinct ones, so every statement was parsed again. (PostgreSQL's driver caches 256.)
     */
    static String withH2QueryCache(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase().contains(";QUERY_CACHE_SIZE=")) {
            return url;
        }
        return url + ";QUERY_CACHE_SIZE=128";
    }

    /** {@value #SOCKET_TIMEOUT_SETTING} as configured ({@link #socketTimeout(String)}), {@link #DEFAULT_SOCKET_TIMEOUT} when unset. */
    public static Duration socketTimeout(java.util.Optional<String> configured) {
        return configured.map(Database::socketTimeout).orElse(DEFAULT_SOCKET_TIMEOUT);
    }

    /** {@value #SOCKET_TIMEOUT_SETTING} read: an ISO-8601 duration, zero for none; anything else stops start-up naming it. */
    public static Duration socketTimeout(String text) {
        Duration d;
        try {
            d = Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalStateException(SOCKET_TIMEOUT_SETTING + " (PAYBRIDGE_DB_SOCKET_TIMEOUT): '" + text
                    + "' is not an ISO-8601 duration (e.g. PT30S; PT0S for none)");
        }
        if (d.isNegative()) {
            throw new IllegalStateException(SOCKET_TIMEOUT_SETTING + " (PAYBRIDGE_DB_SOCKET_TIMEOUT): negative " + d);
        }
        return d;
    }

    /**
     * A PostgreSQL URL with the driver's {@code socketTimeout} (whole seconds, at least one) added, unless
     * the URL names its own or {@code timeout} is zero; any other URL as it is. (See {@link #DEFAULT_SOCKET_TIMEOUT}.)
     */
    public static String withPostgresSocketTimeout(String url, Duration timeout) {
        if (!url.startsWith("jdbc:postgresql:") || timeout.isZero() || NAMES_SOCKET_TIMEOUT.matcher(url).find()) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + "socketTimeout=" + Math.max(1, timeout.toSeconds());
    }

    /** The first connection: the database's product name, its durability checked ({@link #checkDurability}). */
    private static String firstConnection(HikariDataSource ds) {
        try (Connection c = ds.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            checkDurability(c, ds.getJdbcUrl(), product);
            return product;
        } catch (SQLException e) {
            throw new IllegalStateException("Database not reachable: " + e.getMessage(), e);
        }
    }

    /** The pool; each connection asked of it waits for the migrations first. */
    public DataSource dataSource() {
        return migrated;
    }

    public String productName() {
        return opened().productName();
    }

    /** PostgreSQL or else H2 (the two paybridge runs on), as the database names itself (waits until it is open). */
    public boolean isPostgres() {
        return isPostgres(productName());
    }

    private static boolean isPostgres(String productName) {
        return productName.toLowerCase().contains("postgres");
    }

    /**
     * Migrations this build carries that the database lacks: zero once open (start-up applied every one of
     * them, or failed), so readiness never asks Flyway again (which reads and checks every migration each
     * time: seconds on a loaded machine, and readiness is polled).
     */
    public int pendingMigrations() {
        opened();
        return 0;
    }

    /** The schema version the migrations left ("none" for a build without any). */
    public String schemaVersion() {
        return opened().schemaVersion();
    }

    @Override
    public void close() {
        pool.close();
    }
}
