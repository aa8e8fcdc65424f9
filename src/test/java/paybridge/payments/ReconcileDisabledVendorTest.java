package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.testing.RunningPaybridge;

/**
 * Reconcile where it cannot ask a payment's vendor (not enabled on this node, or unreachable): such looks
 * must not count. A "never charged" conclusion keeps its re-checks for when the vendor can be asked (its
 * record may still show the charge and overturn the conclusion); an open payment is left with the reason.
 */
class ReconcileDisabledVendorTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(Map.of(
                "paybridge.vendors", "steppay",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT0.2S",
                "paybridge.reconcile.not-charged-rechecks", "1",
                "paybridge.webhook.processing-enabled", "false"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aConclusionOfADisabledVendorKeepsItsRechecksAndAnOpenPaymentItsReason() throws Exception {
        insert("rdv-concluded-1", "FAILED", "NOT_CHARGED");
        insert("rdv-open-1", "UNKNOWN", null);
        Timestamp inserted = nextLookAt("rdv-concluded-1");

        // taken by reconcile at least once: its next look moved on
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Timestamp next = nextLookAt("rdv-concluded-1");
            assertThat(next).isNotNull().isAfter(inserted);
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(column("rdv-open-1", "unsettled_reason")).isEqualTo("VENDOR_NOT_ENABLED"));
        // no look counted: with one re-check allowed, a counted look would have ended the schedule
        assertThat(column("rdv-concluded-1", "looks")).isEqualTo("0");
        assertThat(nextLookAt("rdv-concluded-1")).isNotNull();
        assertThat(column("rdv-open-1", "looks")).isEqualTo("0");
        assertThat(column("rdv-concluded-1", "status")).isEqualTo("FAILED");
    }

    /**
     * A conclusion (an operator's FAILED here) of a vendor not enabled on this node cannot be asked until it
     * is: it waits the longest backoff between rounds instead of being taken up and put back every round.
     */
    @Test
    void aConclusionOfADisabledVendorWaitsTheLongestBackoff() throws Exception {
        try (RunningPaybridge slow = RunningPaybridge.start(Map.of(
                "paybridge.vendors", "steppay",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT1H",
                "paybridge.webhook.processing-enabled", "false"))) {
            insert(slow, "rdv-operator-1", "FAILED", "OPERATOR");
            Timestamp inserted = nextLookAt(slow, "rdv-operator-1");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(nextLookAt(slow, "rdv-operator-1")).isNotNull().isAfter(inserted));
            assertThat(slow.text("SELECT CASE WHEN next_look_at > CURRENT_TIMESTAMP + INTERVAL '30' MINUTE THEN 'later'"
                    + " ELSE 'soon' END FROM payments WHERE payment_id = ?", "rdv-operator-1")).isEqualTo("later");
            assertThat(column(slow, "rdv-operator-1", "looks")).isEqualTo("0");
        }
    }

    /**
     * The vendor enabled but unreachable (every request to it answered 503): a conclusion's re-check
     * whose lookup failed gives its look back, so an outage cannot use up the re-checks.
     */
    @Test
    void aConclusionsRecheckWhoseLookupFailedIsNotCounted() throws Exception {
        try (RunningPaybridge down = RunningPaybridge.start(Map.of(
                "paybridge.sandbox.faults.fail", "1.0",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT0.2S",
                "paybridge.reconcile.not-charged-rechecks", "1",
                "paybridge.webhook.processing-enabled", "false"))) {
            insert(down, "rvd-concluded-1", "FAILED", "NOT_CHARGED");
            Timestamp inserted = nextLookAt(down, "rvd-concluded-1");
            // looked at and given back: with one re-check allowed, a counted look would have ended the schedule
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(column(down, "rvd-concluded-1", "looks")).isEqualTo("0");
                assertThat(nextLookAt(down, "rvd-concluded-1")).isNotNull().isAfter(inserted);
            });
            assertThat(column(down, "rvd-concluded-1", "status")).isEqualTo("FAILED");
        }
    }

    /**
     * The vendor's record shows charged a payment wrongly concluded never charged, and the overturn's
     * ledger entry fails (a database failure at that INSERT) on its last re-check: the look is given back,
     * so the next round overturns it once the database takes the entry, instead of the row leaving the
     * schedule with the money unrecorded.
     */
    @Test
    void aRecheckWhoseOverturnFailsIsNotCounted() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT0.2S",
                "paybridge.reconcile.not-charged-rechecks", "1",
                "paybridge.webhook.processing-enabled", "false"))) {
            assertThat(app.postJson("/api/payments", Commands.keyIn("rof-1", 3000, false)).json().path("status").asText())
                    .isEqualTo("PAID");
            ChargeInFlightTest.sql(app, paybridge.testing.RefuseLedgerEntry.create("refuse_overturn",
                    row -> "RECONCILE".equals(row.get("source"))));
            // the state a wrong "never charged" conclusion leaves, due for its one re-check
            assertThat(ChargeInFlightTest.sql(app, "UPDATE payments SET status = 'FAILED', failure_code = 'NOT_CHARGED', "
                    + "looks = 0, next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND, "
                    + "in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE payment_id = ?", "rof-1"))
                    .isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> paybridge.testing.RefuseLedgerEntry.refused("refuse_overturn") > 0);
            ChargeInFlightTest.sql(app, "DROP TRIGGER refuse_overturn");

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(app.get("/api/payments/rof-1").json().path("status").asText()).isEqualTo("PAID"));
            assertThat(ChargeInFlightTest.column(app, "overturned_from", "rof-1")).isEqualTo("NOT_CHARGED");
        }
    }

    private static void insert(String paymentId, String status, String failureCode) throws Exception {
        insert(app, paymentId, status, failureCode);
    }

    private static void insert(RunningPaybridge app, String paymentId, String status, String failureCode) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO payments (payment_id, request_hash, vendor, method, amount, status, failure_code,
                         created_at, updated_at, in_flight_until, next_look_at, looks)
                     VALUES (?, 'h', 'iamport', 'KEY_IN', 5000, ?, ?, CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                         CURRENT_TIMESTAMP - INTERVAL '1' HOUR, CURRENT_TIMESTAMP - INTERVAL '1' HOUR,
                         CURRENT_TIMESTAMP - INTERVAL '1' HOUR, 0)""")) {
            ps.setString(1, paymentId);
            ps.setString(2, status);
            ps.setString(3, failureCode);
            ps.executeUpdate();
        }
    }

    private static Timestamp nextLookAt(String paymentId) throws Exception {
        return nextLookAt(app, paymentId);
    }

    private static Timestamp nextLookAt(RunningPaybridge app, String paymentId) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT next_look_at FROM payments WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1);
            }
        }
    }

    private static String column(String paymentId, String column) throws Exception {
        return column(app, paymentId, column);
    }

    private static String column(RunningPaybridge app, String paymentId, String column) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM payments WHERE payment_id = ?")) {
            ps.setString(1, paymentId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
