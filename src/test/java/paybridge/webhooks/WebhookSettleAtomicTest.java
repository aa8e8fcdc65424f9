package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.webhooks.WebhookTestKit.*;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.testing.RefuseLedgerEntry;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A webhook that settles an open payment writes its state and its ledger entry together: a database
 * failure at the entry's INSERT leaves the payment open (the delivery is retried), never decided
 * without its money in the ledger.
 */
class WebhookSettleAtomicTest {

    @Test
    void aFailedEntryLeavesThePaymentOpenAndTheRetryRecordsBoth() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                // Steppay's billing call answers an empty 200: the payment stays PENDING until the webhook
                "paybridge.sandbox.steppay.billing-response", "empty",
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S"))) {
            execute(app, RefuseLedgerEntry.create("fail_webhook_paid",
                    row -> "PAID".equals(row.get("type")) && "WEBHOOK".equals(row.get("source"))));
            int before = RefuseLedgerEntry.refused("fail_webhook_paid");
            String id = "wsa-open";
            assertThat(app.postJson("/api/payments", billingKey(id, "steppay", 9900, STEPPAY_KEY)).status()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(20)).until(() -> RefuseLedgerEntry.refused("fail_webhook_paid") >= before + 2);
            assertThat(payment(app, id).path("status").asText()).as("not decided without its entry").isEqualTo("PENDING");
            assertThat(ledger(app, id)).isEmpty();

            execute(app, "DROP TRIGGER fail_webhook_paid");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "PAID".equals(payment(app, id).path("status").asText()));
            assertThat(types(ledger(app, id))).isEqualTo("PAID:9900");
        }
    }

    /**
     * A payment paybridge did not start (a Steppay first payment made in its own checkout): its row and
     * its ledger entry commit together, so a failure at the entry leaves no PAID payment without its
     * money in the ledger (a refund could have been taken on it), and the retry records both.
     */
    @Test
    void aPaymentPaybridgeDidNotStartIsRecordedWithItsEntryOrNotAtAll() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S,PT0.5S"))) {
            execute(app, RefuseLedgerEntry.create("fail_external_paid",
                    row -> "wsa-external".equals(row.get("payment_id"))));
            int before = RefuseLedgerEntry.refused("fail_external_paid");
            Response r = app.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.sandboxUrl()
                            + "/steppay/_control/first-payment"))
                    .header("Content-Type", "application/json").header("Secret-Token", "sandbox-steppay-token")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"partnerOrderId\": \"wsa-external\", "
                            + "\"partnerUserId\": \"user-1\", \"amount\": 1000, \"itemName\": \"First month\", "
                            + "\"paymentMethod\": \"CARD_BILL\"}")));
            assertThat(r.status()).as(r.body()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).until(() -> RefuseLedgerEntry.refused("fail_external_paid") >= before + 2);
            assertThat(app.get("/api/payments/wsa-external").status()).as("no payment without its entry").isEqualTo(404);

            execute(app, "DROP TRIGGER fail_external_paid");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "PAID".equals(payment(app, "wsa-external").path("status").asText()));
            assertThat(types(ledger(app, "wsa-external"))).isEqualTo("PAID:1000");
        }
    }

    /**
     * Two deliveries of one payment paybridge did not start, on two nodes: the other node records it first as
     * still waiting for its deposit (its delivery was the account's issue), this one has the vendor's record of
     * the deposit. Its insert finds the row taken: the row still moves to PAID with the money, never left
     * AWAITING_DEPOSIT beside a PAID entry.
     */
    @Test
    void aPaymentRecordedMeanwhileByAnotherNodeStillMovesAsTheRecordSays() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.retry-delays", "PT0.5S,PT0.5S,PT0.5S,PT0.5S"))) {
            execute(app, paybridge.testing.PaymentRowMeanwhileTrigger.beforeInsert("other_node_inserts", "wsa-ext-race", ref -> {
                try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
                     var insert = c.prepareStatement("""
                             INSERT INTO payments (payment_id, request_hash, vendor, method, amount, currency, status,
                                 vendor_payment_ref, created_at, updated_at)
                             VALUES ('wsa-ext-race', 'external:webhook', 'steppay', 'EXTERNAL', 1000, 'KRW',
                                 'AWAITING_DEPOSIT', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""")) {
                    insert.setString(1, ref);
                    insert.executeUpdate();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
            Response r = app.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.sandboxUrl()
                            + "/steppay/_control/first-payment"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"partnerOrderId\": \"wsa-ext-race\", "
                            + "\"partnerUserId\": \"user-1\", \"amount\": 1000, \"itemName\": \"First month\"}")));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> paybridge.testing.PaymentRowMeanwhileTrigger.fired("other_node_inserts") == 1
                    && types(ledger(app, "wsa-ext-race")).contains("PAID:1000"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(payment(app, "wsa-ext-race").path("status").asText()).isEqualTo("PAID"));
        }
    }

    private static void execute(RunningPaybridge app, String sql) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
