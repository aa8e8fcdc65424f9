package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;

/** Readiness says UP only while the database answers and is migrated. */
class DatabaseHealthCheckTest {

    @Test
    void upWhileReachableAndMigratedDownWhenTheDatabaseIsGone() {
        Database db = Database.open("jdbc:h2:mem:health" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2);
        DatabaseHealthCheck check = new DatabaseHealthCheck(db);
        HealthCheck.Result up = check.call(Map.of());
        assertThat(up.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(up.getDetails()).containsEntry("schema.version", db.schemaVersion());
        assertThat(check.isReadiness()).isTrue();
        assertThat(check.isLiveness()).isFalse();

        db.close();
        assertThat(check.call(Map.of()).getState()).isEqualTo(HealthCheck.State.DOWN);
    }
}
