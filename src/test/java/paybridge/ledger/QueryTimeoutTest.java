package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * A reading bounded by a query timeout (health and metrics) leaves its pooled connection unbounded: H2 applies a
 * statement's timeout to the whole connection, so a later statement on it that takes longer (a billing scan, a
 * charge waiting for a lock) would fail as cancelled.
 */
class QueryTimeoutTest {

    @Test
    void aTimedReadingLeavesItsConnectionWithoutATimeout() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of())) {
            Sql sql = new Sql(app.context());
            // one transaction: both statements on the same connection, whose session setting H2 shows
            sql.inTransaction(() -> {
                assertThat(sql.query("SELECT 1 AS one", Map.of(), Duration.ofSeconds(1))).hasSize(1);
                assertThat(sql.query("SELECT SETTING_VALUE AS v FROM INFORMATION_SCHEMA.SETTINGS"
                        + " WHERE SETTING_NAME = 'QUERY_TIMEOUT'", Map.of()))
                        .as("the connection's query timeout after the reading").singleElement()
                        .satisfies(row -> assertThat(String.valueOf(row.get("v"))).isEqualTo("0"));
            });
        }
    }
}
