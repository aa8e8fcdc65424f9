package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;

/**
 * PAYBRIDGE_BILLING_CONCURRENCY bounds a run's charges in flight at the vendor, and the run uses the bound:
 * counted at the Steppay sandbox (calls arrived and not yet answered), with every answer 200 ms late.
 */
class BillingConcurrencyTest {
    private static final Pattern DURATION = Pattern.compile("charge paymentId=c\\d+-20261201 .*durationMs=(\\d+)");

    @Test
    void aRunKeepsExactlyConcurrencyChargesInFlightAndLogsEachChargesOwnDuration() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.billing.concurrency", "4",
                "paybridge.sandbox.latency", "PT0.2S"));
             LogCapture logs = new LogCapture()) {
            BillingFixtures.insert(app, "c", 80, "steppay", STEPPAY_KEY, 9900, "2026-12-01T00:00:00+09:00");
            long before = charges(app, "steppay");

            JsonNode done = run(app, "2026-12-01T03:00:00+09:00");

            assertThat(done.path("counts").path("paid").asLong()).isEqualTo(80);
            assertThat(charges(app, "steppay")).isEqualTo(before + 80);
            JsonNode stats = app.get(app.sandboxUrl() + "/steppay/_stats").json();
            // the bound (never more than 4 at once), and used (4 at once at some point: the run does not trickle)
            assertThat(stats.path("billingInFlightMax").asInt()).isEqualTo(4);

            // durationMs is the charge's own (about one 200 ms vendor call), not the time since the run
            // began (the split's copies carry the run's clock: 20 rounds of 200 ms, 4 s, by the last charge)
            List<Long> durations = logs.text().lines().map(DURATION::matcher).filter(Matcher::find)
                    .map(m -> Long.parseLong(m.group(1))).toList();
            assertThat(durations).hasSize(80);
            assertThat(durations).allSatisfy(ms -> assertThat(ms).isBetween(200L, 2500L));
        }
    }
}
