package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * Another node's run is joined only once that node has prepared it (applied what was decided since the
 * earlier runs): a share charged before could send the next attempt of a period a "never charged"
 * conclusion left open, although the vendor's record has just shown that period paid.
 */
class BillingJoinTest {

    @Test
    void aRunIsJoinedOnlyOnceItsNodeHasPreparedIt() {
        // the join timer far off: this test asks joinable itself, as the timer would
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.join-interval", "PT1H"))) {
            BillingFixtures.insertRun(app, "run-elsewhere", Instant.parse("2026-11-30T18:00:00Z"), "other-node", 0);
            BillingRunService service = app.lookup("billingRunService", BillingRunService.class);

            assertThat(service.joinable(new DefaultExchange(app.context())))
                    .as("RUNNING, not prepared yet: its node is still applying earlier outcomes").isNull();

            app.lookup("billingRunStore", BillingRunStore.class).prepared("run-elsewhere", 0, "[]");
            BillingRun joined = service.joinable(new DefaultExchange(app.context()));
            assertThat(joined).isNotNull();
            assertThat(joined.runId()).isEqualTo("run-elsewhere");
        }
    }
}
