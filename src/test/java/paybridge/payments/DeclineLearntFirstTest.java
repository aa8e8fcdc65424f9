package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;

/**
 * A decline learnt from the vendor's record (its webhook, a lookup) before the charge's own answer
 * arrives: the record only says "failed", the answer carries the vendor's code and reason, and the
 * caller is told those — whichever learner came first.
 */
class DeclineLearntFirstTest {
    private static final String DECLINED = "{\"code\":-1,\"message\":\"[F113] card declined by the issuer\",\"response\":null}";
    private static ScriptedIamport vendor;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        vendor = ScriptedIamport.start();
        app = RunningPaybridge.start(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.vendor.timeout", "PT5S",
                "paybridge.webhook.processing-enabled", "false"));
    }

    @AfterAll
    static void stop() {
        app.close();
        vendor.close();
    }

    @Test
    void theAnswersCodeReachesTheCallerAfterTheRecordDecidedFirst() throws Exception {
        vendor.charge(Step.after(Duration.ofMillis(1500), 200, DECLINED));
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(
                () -> app.postJson("/api/payments", Commands.keyIn("decline-first-1", 3000, false)));
        // while the vendor is still answering, its record is learnt first (as the webhook path records it)
        await().atMost(Duration.ofSeconds(5)).until(() -> app.get("/api/payments/decline-first-1").status() == 202);
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE payments SET status = 'FAILED', failure_code = 'VENDOR_DECLINED',"
                     + " failure_message = 'failed' WHERE payment_id = 'decline-first-1' AND status = 'PENDING'")) {
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }

        Response r = answer.get();
        assertThat(r.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(r.json().path("failure").path("code").asText()).isEqualTo("IAMPORT_REJECTED");
        assertThat(r.json().path("failure").path("message").asText()).contains("F113");
        assertThat(app.get("/api/payments/decline-first-1").json().path("failure").path("code").asText())
                .isEqualTo("IAMPORT_REJECTED");
    }
}
