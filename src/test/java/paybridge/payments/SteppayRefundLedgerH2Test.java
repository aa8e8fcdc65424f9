package paybridge.payments;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** {@link SteppayRefundLedgerTest} on H2 (work right after a refund's row: a Java trigger). */
class SteppayRefundLedgerH2Test extends SteppayRefundLedgerTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(settings());
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Override
    RunningPaybridge app() {
        return app;
    }

    @Override
    CompletableFuture<Response> sentWithWorkRightAfterItsRow(String refundId, Supplier<Response> refund,
                                                             Runnable meanwhile) {
        Sql sql = new Sql(app.context());
        sql.update(RefundRowCommittedTrigger.create("refund_row_committed", refundId, meanwhile), Map.of());
        try {
            CompletableFuture<Response> answer = CompletableFuture.supplyAsync(refund);
            await().atMost(Duration.ofSeconds(20)).until(() -> RefundRowCommittedTrigger.done("refund_row_committed")
                    || answer.isDone());
            return answer;
        } finally {
            sql.update("DROP TRIGGER IF EXISTS refund_row_committed", Map.of());
        }
    }
}
