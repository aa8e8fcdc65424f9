package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;

/**
 * What reconcile does with the vendor's record, over real HTTP against a scripted iamport: every
 * money fact recorded, a record that is not this payment's left alone and counted, "never charged"
 * recorded in the ledger and overturned by a record that shows the charge, and rows it cannot settle
 * never holding newer ones back. Horizon here: 0.5 s budget + 0.5 s timeout + 0.5 s margin.
 */
class ReconcileRulesTest {
    private static final String FIVE_HUNDRED = "{\"code\":-1,\"message\":\"server error\",\"response\":null}";
    private static ScriptedIamport vendor;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        vendor = ScriptedIamport.start();
        app = RunningPaybridge.start(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.operation-timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT1S",
                "paybridge.observe.backlog-refresh", "PT0.2S",
                "paybridge.webhook.processing-enabled", "false"));
    }

    @AfterAll
    static void stop() {
        app.close();
        vendor.close();
    }

    /** A charge whose answer is a 500: UNKNOWN, reconciled from whatever record the test publishes. */
    private static void unknownCharge(String paymentId, long amount) {
        vendor.charge(Step.after(Duration.ZERO, 500, FIVE_HUNDRED));
        Response r = app.postJson("/api/payments", Commands.keyIn(paymentId, amount, false));
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
    }

    private static String status(String paymentId) {
        return app.get("/api/payments/" + paymentId).json().path("status").asText();
    }

    private static JsonNode entries(String paymentId) {
        return app.get("/api/ledger?paymentId=" + paymentId).json().path("entries");
    }

    @Test
    void aRecordWithCancellationsRecordsThePaymentAndEveryReturn() {
        // published before the charge (which asks nothing after its 500): a charge slower to answer than its
        // 1.5 s horizon is never looked up before the record is there
        ObjectNode record = ScriptedIamport.paid("imp_r_cancel_1", "r-cancel-1", 3000);
        record.put("cancel_amount", 1000);
        ObjectNode c = record.withArray("cancel_history").addObject();
        c.put("cancellation_id", "cx-1");
        c.put("amount", 1000);
        c.put("cancelled_at", System.currentTimeMillis() / 1000);
        vendor.record("r-cancel-1", record);
        unknownCharge("r-cancel-1", 3000);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(status("r-cancel-1")).isEqualTo("PARTIALLY_REFUNDED"));
        JsonNode entries = entries("r-cancel-1");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).path("type").asText()).isEqualTo("PAID");
        assertThat(entries.get(0).path("amount").asLong()).isEqualTo(3000);
        assertThat(entries.get(1).path("type").asText()).isEqualTo("PARTIALLY_REFUNDED");
        assertThat(entries.get(1).path("amount").asLong()).isEqualTo(-1000);
        assertThat(entries.get(1).path("source").asText()).isEqualTo("RECONCILE");
        assertThat(app.get("/api/payments/r-cancel-1").json().path("refundedAmount").asLong()).isEqualTo(1000);
    }

    @Test
    void aRecordOfAnotherOrderIsNotSettledAndIsCounted() throws Exception {
        vendor.record("r-other-1", ScriptedIamport.paid("imp_r_other_1", "somebody-elses-order", 3000));
        unknownCharge("r-other-1", 3000);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(ChargeInFlightTest.column(app, "unsettled_reason", "r-other-1")).isEqualTo("NOT_THIS_PAYMENT"));
        assertThat(status("r-other-1")).isEqualTo("UNKNOWN");
        assertThat(entries("r-other-1")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app.get("http://127.0.0.1:"
                + app.managementPort + "/observe/health?exposureLevel=full&data=true").body())
                .containsPattern("payments.open.unsettleable\"\\s*:\\s*\"?[1-9]"));
    }

    @Test
    void neverChargedIsAFailedEntryOfZeroAndALaterPaidOfTheSameIdAddsItsEntry() {
        unknownCharge("r-nc-1", 3000);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("r-nc-1")).isEqualTo("FAILED"));
        JsonNode first = entries("r-nc-1");
        assertThat(first).hasSize(1);
        assertThat(first.get(0).path("type").asText()).isEqualTo("FAILED");
        assertThat(first.get(0).path("amount").asLong()).isZero();
        assertThat(first.get(0).path("source").asText()).isEqualTo("RECONCILE");

        // the same id sent again (a NOT_CHARGED attempt may be): charged this time
        Response again = app.postJson("/api/payments", Commands.keyIn("r-nc-1", 3000, false));
        assertThat(again.json().path("status").asText()).isEqualTo("PAID");
        JsonNode both = entries("r-nc-1");
        assertThat(both).hasSize(2);
        assertThat(both.get(1).path("type").asText()).isEqualTo("PAID");
        assertThat(both.get(1).path("amount").asLong()).isEqualTo(3000);
    }

    /** The vendor's record shows the charge after the conclusion: reconcile's re-check makes it PAID, with the alert. */
    @Test
    void aNotChargedConclusionIsOverturnedByARecordThatShowsTheCharge() throws Exception {
        double before = ChargeInFlightTest.overturned(app);
        unknownCharge("r-nc-2", 3000);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("r-nc-2")).isEqualTo("FAILED"));
        vendor.record("r-nc-2", ScriptedIamport.paid("imp_r_nc_2", "r-nc-2", 3000));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("r-nc-2")).isEqualTo("PAID"));
        JsonNode entries = entries("r-nc-2");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).path("type").asText()).isEqualTo("FAILED");
        assertThat(entries.get(1).path("type").asText()).isEqualTo("PAID");
        assertThat(ChargeInFlightTest.column(app, "overturned_from", "r-nc-2")).isEqualTo("NOT_CHARGED");
        assertThat(ChargeInFlightTest.overturned(app)).isEqualTo(before + 1);
    }

    /**
     * More rows than one round reads (500) that reconcile can never settle (Steppay before its idKey is
     * known), all older than a newer UNKNOWN payment: the newer one is still settled, and the others
     * are counted as unsettleable.
     */
    @Test
    void unsettleableRowsNeverHoldANewerPaymentBack() throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO payments (payment_id, request_hash, vendor, method, amount, status, created_at, updated_at,
                         in_flight_until, next_look_at)
                     VALUES (?, 'h', 'steppay', 'BILLING_KEY', 9900, 'UNKNOWN', CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                         CURRENT_TIMESTAMP - INTERVAL '1' HOUR, CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                         CURRENT_TIMESTAMP - INTERVAL '1' HOUR)""")) {
            for (int i = 0; i < 550; i++) {
                ps.setString(1, "r-stuck-" + i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        unknownCharge("r-newer-1", 3000);
        vendor.record("r-newer-1", ScriptedIamport.paid("imp_r_newer_1", "r-newer-1", 3000));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status("r-newer-1")).isEqualTo("PAID"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(app.get("http://127.0.0.1:"
                + app.managementPort + "/observe/health?exposureLevel=full&data=true").body())
                .containsPattern("payments.open.unsettleable\"\\s*:\\s*\"?5[5-9]\\d"));
        assertThat(app.get("http://127.0.0.1:" + app.managementPort + "/observe/metrics").body())
                .containsPattern("paybridge_payments_open_unsettleable \\d{3}");
    }
}
