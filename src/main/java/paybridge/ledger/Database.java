package paybridge.ledger;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * The pooled database and its schema. One set of migrations ({@code db/migration/common}) serves
 * H2 and PostgreSQL; each also gets a few statements only its dialect can say
 * ({@code db/migration/h2}, {@code db/migration/postgresql}), such as the trigger that keeps the
 * ledger append-only.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Flyway flyway;
    private final String productName;

    private Database(HikariDataSource dataSource, Flyway flyway, String productName) {
        this.dataSource = dataSource;
        this.flyway = flyway;
        this.productName = productName;
    }

    /** Opens the pool and migrates the schema; fails fast when the database cannot be reached. */
    public static Database open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(withH2QueryCache(withH2PostgresMode(url)));
        config.setUsername(user);
        config.setPassword(password);
        // Flyway holds two connections while it migrates (lock + work): fewer would deadlock it
        config.setMaximumPoolSize(Math.max(2, poolSize));
        config.setPoolName("paybridge-db");
        HikariDataSource ds = new HikariDataSource(config);
        try {
            String product = productName(ds);
            String dialect = product.toLowerCase().contains("postgres") ? "postgresql" : "h2";
            Flyway flyway = Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect)
                    .load();
            flyway.migrate();
            return new Database(ds, flyway, product);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
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
     * H2 keeps the parsed form of only 8 statements per connection by default; paybridge runs a few
     * dozen distinct ones, so every statement was parsed again. (PostgreSQL's driver caches 256.)
     */
    static String withH2QueryCache(String url) {
        if (!url.startsWith("jdbc:h2:") || url.toUpperCase().contains(";QUERY_CACHE_SIZE=")) {
            return url;
        }
        return url + ";QUERY_CACHE_SIZE=128";
    }

    private static String productName(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("Database not reachable: " + e.getMessage(), e);
        }
    }

    /** The schema version once every migration was seen applied (then readiness asks Flyway no more). */
    private volatile String appliedVersion;

    public DataSource dataSource() {
        return dataSource;
    }

    public String productName() {
        return productName;
    }

    public boolean isPostgres() {
        return productName.toLowerCase().contains("postgres");
    }

    /**
     * Migrations this build carries that the database lacks: zero when ready. Once zero, remembered: the
     * migrations of a running build never change and an applied one stays applied, so readiness stops
     * asking Flyway (which reads and checks every migration each time: seconds on a loaded machine, and
     * readiness is polled).
     */
    public int pendingMigrations() {
        if (appliedVersion != null) {
            return 0;
        }
        MigrationInfoService info = flyway.info();
        int pending = info.pending().length;
        if (pending == 0) {
            appliedVersion = info.current() == null ? "none" : info.current().getVersion().getVersion();
        }
        return pending;
    }

    public String schemaVersion() {
        if (appliedVersion != null) {
            return appliedVersion;
        }
        MigrationInfoService info = flyway.info();
        return info.current() == null ? "none" : info.current().getVersion().getVersion();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
