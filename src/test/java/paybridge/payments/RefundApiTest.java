package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Refunds through the real API against the sandbox vendors: partial, full, excessive, concurrent. */
class RefundApiTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static void paid(String paymentId, long amount) {
        assertThat(app.postJson("/api/payments", Commands.keyIn(paymentId, amount, false)).json().path("status").asText())
                .isEqualTo("PAID");
    }

    @Test
    void partialThenRestRefundsTrackTheBalanceInTheLedger() {
        paid("r-partial-1", 3000);
        Response first = app.postJson("/api/refunds", Commands.refund("rf-p1", "r-partial-1", 1000L));
        assertThat(first.status()).isEqualTo(200);
        JsonNode body = first.json();
        assertThat(body.path("status").asText()).isEqualTo("REFUNDED");
        assertThat(body.path("amount").asLong()).isEqualTo(1000);
        assertThat(body.path("refundedAmount").asLong()).isEqualTo(1000);
        assertThat(body.path("remainingAmount").asLong()).isEqualTo(2000);
        JsonNode payment = app.get("/api/payments/r-partial-1").json();
        assertThat(payment.path("status").asText()).isEqualTo("PARTIALLY_REFUNDED");
        assertThat(payment.path("refundedAmount").asLong()).isEqualTo(1000);

        Response rest = app.postJson("/api/refunds", Commands.refund("rf-p2", "r-partial-1", null));
        assertThat(rest.json().path("amount").asLong()).isEqualTo(2000);
        assertThat(rest.json().path("remainingAmount").asLong()).isZero();
        assertThat(app.get("/api/payments/r-partial-1").json().path("status").asText()).isEqualTo("CANCELLED");

        JsonNode entries = app.get("/api/ledger?paymentId=r-partial-1").json().path("entries");
        assertThat(entries).extracting(e -> e.path("type").asText() + " " + e.path("amount").asLong())
                .containsExactly("PAID 3000", "REFUNDED -1000", "REFUNDED -2000");
        long sum = 0;
        for (JsonNode e : entries) {
            sum += e.path("amount").asLong();
        }
        assertThat(sum).as("what the merchant holds").isZero();
    }

    @Test
    void moreThanRemainsIs422AndLeavesTheRefundIdUsable() {
        paid("r-excess-1", 3000);
        Response r = app.postJson("/api/refunds", Commands.refund("rf-x1", "r-excess-1", 3001L));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("detail").asText()).contains("3000 KRW remains");
        assertThat(app.postJson("/api/refunds", Commands.refund("rf-x1", "r-excess-1", 3000L)).json().path("status").asText())
                .isEqualTo("REFUNDED");
        assertThat(app.postJson("/api/refunds", Commands.refund("rf-x2", "r-excess-1", 1L)).status()).isEqualTo(422);
    }

    @Test
    void sameRefundAgainReplaysAndAnotherBodyIsAConflict() {
        paid("r-idem-1", 5000);
        Response first = app.postJson("/api/refunds", Commands.refund("rf-i1", "r-idem-1", 1000L));
        Response again = app.postJson("/api/refunds", Commands.refund("rf-i1", "r-idem-1", 1000L));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(again.json().path("refundedAmount").asLong()).isEqualTo(first.json().path("refundedAmount").asLong());
        assertThat(app.get("/api/ledger?paymentId=r-idem-1").json().path("entries")).hasSize(2);
        assertThat(app.postJson("/api/refunds", Commands.refund("rf-i1", "r-idem-1", 2000L)).status()).isEqualTo(409);
    }

    @Test
    void concurrentRefundsNeverExceedWhatWasPaid() throws Exception {
        paid("r-race-1", 3000);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "rf-race-" + i;
            calls.add(() -> app.postJson("/api/refunds", Commands.refund(id, "r-race-1", 1000L)));
        }
        List<Response> answers = new ArrayList<>();
        for (Future<Response> f : pool.invokeAll(calls)) {
            answers.add(f.get());
        }
        pool.shutdown();
        long refunded = answers.stream().filter(a -> a.status() == 200 && a.json().path("status").asText().equals("REFUNDED"))
                .count();
        assertThat(refunded).isLessThanOrEqualTo(3);
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).isIn(200, 422));
        JsonNode payment = app.get("/api/payments/r-race-1").json();
        assertThat(payment.path("refundedAmount").asLong()).isEqualTo(refunded * 1000).isLessThanOrEqualTo(3000);
    }

    @Test
    void steppayRefundsThroughItsCancelApi() {
        Response charge = app.postJson("/api/payments", Commands.billingKey("r-steppay-1", "steppay", 9900, Commands.STEPPAY_KEY));
        assertThat(charge.json().path("status").asText()).isEqualTo("PAID");
        Response r = app.postJson("/api/refunds", Commands.refund("rf-s1", "r-steppay-1", 900L));
        assertThat(r.json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(r.json().path("remainingAmount").asLong()).isEqualTo(9000);
        Response all = app.postJson("/api/refunds", Commands.refund("rf-s2", "r-steppay-1", null));
        assertThat(all.json().path("remainingAmount").asLong()).isZero();
        assertThat(app.get("/api/payments/r-steppay-1").json().path("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void unknownOrUnpaidPaymentsAreNotRefundable() {
        assertThat(app.postJson("/api/refunds", Commands.refund("rf-u1", "no-such-payment", 100L)).status()).isEqualTo(404);
        app.postJson("/api/payments", Commands.keyIn("r-declined-1", 4001, false));
        Response r = app.postJson("/api/refunds", Commands.refund("rf-u2", "r-declined-1", 100L));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("detail").asText()).contains("FAILED");
    }

    /**
     * A return being recorded when a refund is asked (a console cancel's webhook holds the payment's row
     * while its ledger entry is written, not yet committed): the refund waits for the row, so its ledger
     * mark counts that return among those before it, and refund reconcile never takes it for the refund's.
     */
    @Test
    void aReturnRecordedWhileTheRefundIsAskedFallsWithinTheRefundsLedgerMark() throws Exception {
        paid("r-mark-1", 3000);
        paybridge.ledger.Database db = app.lookup("database", paybridge.ledger.Database.class);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        long entryId;
        Future<Response> refund;
        try (java.sql.Connection webhook = db.dataSource().getConnection();
             java.sql.Connection observer = db.dataSource().getConnection()) {
            webhook.setAutoCommit(false);
            try (var lock = webhook.prepareStatement("SELECT payment_id FROM payments WHERE payment_id = 'r-mark-1' FOR UPDATE");
                 var insert = webhook.prepareStatement("""
                         INSERT INTO ledger_entries (recorded_at, occurred_at, vendor, payment_id, type, amount, currency,
                             source, event_key)
                         VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'iamport', 'r-mark-1', 'PARTIALLY_REFUNDED', -500,
                             'KRW', 'WEBHOOK', 'iamport:r-mark-1:RETURN:c=cx-console-mark')""",
                         java.sql.Statement.RETURN_GENERATED_KEYS)) {
                lock.executeQuery().close();
                insert.executeUpdate();
                try (var keys = insert.getGeneratedKeys()) {
                    keys.next();
                    entryId = keys.getLong(1);
                }
                int webhookSession = paybridge.testing.H2Locks.session(webhook);
                refund = caller.submit(() -> app.postJson("/api/refunds", Commands.refund("rf-mark-1", "r-mark-1", 500L)));
                // the refund's transaction waits on the payment's row (H2 names the session it waits for)
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                        .until(() -> paybridge.testing.H2Locks.waitingFor(observer, webhookSession) > 0);
                webhook.commit();
            }
        }
        assertThat(refund.get(30, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
        caller.shutdown();
        paybridge.ledger.RefundStore refunds = new paybridge.ledger.RefundStore(new paybridge.ledger.Sql(app.context()));
        assertThat(refunds.find("rf-mark-1").orElseThrow().ledgerMark()).as("the return committed meanwhile is before it")
                .isGreaterThanOrEqualTo(entryId);
    }
}
