package paybridge.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.webhooks.WebhookTestKit.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** The inbox and its claims on PostgreSQL: ten concurrent duplicates, two nodes on one database. */
class WebhookPostgresTest {

    @Test
    void tenConcurrentDuplicatesOnTwoNodesMakeOneLedgerEntry() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            Map<String, Object> db = Map.of("paybridge.db.url", pg.url(), "paybridge.db.user", pg.user(),
                    "paybridge.sandbox.webhook-url", "http://127.0.0.1:1/webhooks",
                    "paybridge.webhook.poll-interval", "PT0.2S");
            try (RunningPaybridge a = RunningPaybridge.start(db)) {
                // node b looks payments up in node a's sandbox, so both verify against the same vendor
                Map<String, Object> bSettings = new java.util.HashMap<>(db);
                bSettings.put("paybridge.sandbox.enabled", "false");
                bSettings.put("paybridge.steppay.base-url", a.sandboxUrl() + "/steppay");
                bSettings.put("paybridge.iamport.base-url", a.sandboxUrl() + "/iamport");
                try (RunningPaybridge b = RunningPaybridge.start(bSettings)) {
                    String id = "wpg-dup";
                    String idKey = post(a, a.sandboxUrl() + "/steppay/_control/first-payment",
                            "{\"partnerOrderId\": \"" + id + "\", \"amount\": 12000, \"itemName\": \"Plan\"}").json()
                            .path("idKey").asText();
                    ExecutorService pool = Executors.newFixedThreadPool(10);
                    List<Future<Response>> answers = new ArrayList<>();
                    try {
                        for (int i = 0; i < 10; i++) {
                            RunningPaybridge node = i % 2 == 0 ? a : b;
                            answers.add(pool.submit((Callable<Response>) () -> deliver(node, "steppay", JSON,
                                    fields("webHookType", "PAYMENT", "orderId", 1, "idKey", idKey))));
                        }
                        for (Future<Response> f : answers) {
                            Response r = f.get();
                            assertThat(r.status()).isEqualTo(200);
                            assertThat(awaitSettled(a, r.json().path("inboxId").asText()).path("status").asText())
                                    .isEqualTo("PROCESSED");
                        }
                    } finally {
                        pool.shutdownNow();
                    }
                    assertThat(types(ledger(a, id))).isEqualTo("PAID:12000");
                    assertThat(payment(b, id).path("status").asText()).isEqualTo("PAID");
                    assertThat(inbox(a, "vendor=steppay&status=PROCESSED")).hasSize(10);
                }
            }
        }
    }
}
