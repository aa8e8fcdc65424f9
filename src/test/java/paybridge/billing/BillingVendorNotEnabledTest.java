package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * A run on a node that does not enable a subscription's vendor: dispatch refuses the charge before
 * anything is recorded or sent (422 vendor-not-enabled). The customer's card never saw it, so it is no
 * decline: the attempt is given back, no dunning step, and a node that serves the vendor charges the
 * period once.
 */
class BillingVendorNotEnabledTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";

    @Test
    void aVendorNotEnabledOnTheRunsNodeIsNoDeclineAndIsChargedOnceAfterARestartWithIt() {
        String db = "jdbc:h2:mem:vne" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        String paymentId = "vne00000-20261201";
        try (RunningPaybridge iamportOnly = RunningPaybridge.start(Map.of("paybridge.db.url", db,
                "paybridge.vendors", "iamport"))) {
            // stored while steppay was enabled (the API would refuse it on this node)
            BillingFixtures.insert(iamportOnly, "vne", 1, "steppay", STEPPAY_KEY, 9900, DUE);
            JsonNode before = subscription(iamportOnly, "vne00000");

            JsonNode r = run(iamportOnly, AS_OF);
            assertThat(r.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(r.path("counts").path("declined").asInt()).as(r.toString()).isZero();
            assertThat(attempts(iamportOnly, paymentId)).as("given back, not DECLINED").isEmpty();
            JsonNode after = subscription(iamportOnly, "vne00000");
            assertThat(after.path("retry").isNull()).as(after.toString()).isTrue();
            assertThat(after).isEqualTo(before);
            assertThat(iamportOnly.get("/api/payments/" + paymentId).status()).isEqualTo(404);
        }

        try (RunningPaybridge both = RunningPaybridge.start(Map.of("paybridge.db.url", db,
                "paybridge.vendors", "steppay,iamport"))) {
            long charged = charges(both, "steppay");
            JsonNode r = run(both, AS_OF);
            assertThat(r.path("counts").path("paid").asInt()).as(r.toString()).isEqualTo(1);
            assertThat(charges(both, "steppay")).isEqualTo(charged + 1);
            assertThat(both.get("/api/payments/" + paymentId).json().path("status").asText()).isEqualTo("PAID");
            assertThat(subscription(both, "vne00000").path("nextBillingAt").asText()).isEqualTo("2027-01-01T00:00:00+09:00");
            run(both, AS_OF);
            assertThat(charges(both, "steppay")).isEqualTo(charged + 1);
            assertThat(attempts(both, "vne00000-")).hasSize(1);
        }
    }

    /** The billing_attempts rows whose payment id starts with this. */
    private static List<Map<String, Object>> attempts(RunningPaybridge app, String paymentIdPrefix) {
        return BillingFixtures.sql(app).query("SELECT payment_id, state FROM billing_attempts WHERE payment_id LIKE :?p",
                Map.of("p", paymentIdPrefix + "%"));
    }
}
