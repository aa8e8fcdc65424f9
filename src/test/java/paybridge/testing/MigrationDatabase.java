package paybridge.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import paybridge.ledger.Database;

/** For tests that migrate a database to a given version, write rows as they were then, and migrate on. */
public final class MigrationDatabase {
    private MigrationDatabase() {
    }

    /** A fresh in-memory H2 database in the mode paybridge opens H2 in. */
    public static String h2Url(String name) {
        return "jdbc:h2:mem:" + name + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /** paybridge's migrations for {@code dialect} ("h2", "postgresql") up to {@code target} ("latest" for all). */
    public static Flyway flyway(String url, String user, String dialect, String target) {
        return Database.migrations(dialect).dataSource(url, user, "").target(target).load();
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
