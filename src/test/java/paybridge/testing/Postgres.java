package paybridge.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL database per test, created on the server this machine runs
 * (127.0.0.1:5432, trust auth; override with PAYBRIDGE_TEST_PG_URL / PAYBRIDGE_TEST_PG_USER).
 * In CI (CI=true) an unreachable server fails the test; elsewhere the test is skipped with the reason.
 */
public final class Postgres implements AutoCloseable {
    private static final String ADMIN_URL = System.getenv().getOrDefault("PAYBRIDGE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getenv().getOrDefault("PAYBRIDGE_TEST_PG_USER", "postgres");

    private final String database;

    private Postgres(String database) {
        this.database = database;
    }

    /** Creates a fresh database, or skips (fails in CI) when PostgreSQL cannot be reached. */
    public static Postgres createDatabase() {
        String name = "pb_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name); // name is generated above, never input
        } catch (SQLException e) {
            String reason = "PostgreSQL not reachable at " + ADMIN_URL + " as " + USER + ": " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true: PostgreSQL tests must run. " + reason, e);
            }
            System.out.println("SKIPPED PostgreSQL test: " + reason);
            Assumptions.abort(reason);
        }
        return new Postgres(name);
    }

    public String url() {
        return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + database;
    }

    public String user() {
        return USER;
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.out.println("Could not drop test database " + database + ": " + e.getMessage());
        }
    }
}
