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

    private static void execute(RunningPaybridge app, String sql) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
