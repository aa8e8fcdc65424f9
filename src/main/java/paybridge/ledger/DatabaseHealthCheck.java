package paybridge.ledger;

import java.sql.Connection;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: UP only when the database answers and every migration is applied. */
public final class DatabaseHealthCheck extends AbstractHealthCheck {
    private final Database database;

    public DatabaseHealthCheck(Database database) {
        super("paybridge", "database");
        this.database = database;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        // the connection is returned before Flyway takes its own: holding it would starve a small pool
        try (Connection c = database.dataSource().getConnection()) {
            if (!c.isValid(2)) {
                builder.down().message("database connection is not valid");
                return;
            }
        } catch (Exception e) {
            builder.down().message("database not reachable: " + e.getClass().getSimpleName());
            return;
        }
        try {
            int pending = database.pendingMigrations();
            builder.detail("database", database.productName());
            builder.detail("schema.version", database.schemaVersion());
            if (pending > 0) {
                builder.down().message(pending + " migration(s) not applied");
            } else {
                builder.up();
            }
        } catch (Exception e) {
            builder.down().message("schema state unknown: " + e.getClass().getSimpleName());
        }
    }
}
