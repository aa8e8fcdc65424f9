package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** A vendor that certainly did not process the charge: 502/503, nothing recorded, the id usable again. */
class NotAttemptedTest {

    @Test
    void unreachableVendorIs503AndRecordsNothing() {
        int closed = FreePorts.next();
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.steppay.base-url", "http://127.0.0.1:" + closed + "/sandbox/steppay",
                "paybridge.iamport.base-url", "http://127.0.0.1:" + closed + "/sandbox/iamport"))) {
            for (String body : new String[] {Commands.keyIn("n-down-1", 3000, false),
                    Commands.billingKey("n-down-2", "steppay", 3000, Commands.STEPPAY_KEY)}) {
                Response r = app.postJson("/api/payments", body);
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().path("detail").asText()).contains("may be sent again");
            }
            assertThat(app.get("/api/payments/n-down-1").status()).isEqualTo(404);
            assertThat(app.get("/api/ledger?paymentId=n-down-1").json().path("entries")).isEmpty();
            // the same id again is a new attempt, not a replay of a stored failure
            assertThat(app.postJson("/api/payments", Commands.keyIn("n-down-1", 3000, false)).status()).isEqualTo(503);
        }
    }

    @Test
    void rejectedCredentialsAre502() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.steppay.secret-token", "wrong-token"))) {
            Response r = app.postJson("/api/payments", Commands.billingKey("n-auth-1", "steppay", 3000, Commands.STEPPAY_KEY));
            assertThat(r.status()).isEqualTo(502);
            assertThat(app.get("/api/payments/n-auth-1").status()).isEqualTo(404);
            assertThat(app.get(app.sandboxUrl() + "/steppay/_stats").json().path("charges").asLong()).isZero();
        }
    }
}
