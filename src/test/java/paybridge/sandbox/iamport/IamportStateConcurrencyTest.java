package paybridge.sandbox.iamport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * The simulator's state under real thread contention. Over HTTP the sandbox serves every
 * connection on one event loop, so races cannot show there; these tests call the state classes
 * from many threads released at once.
 */
class IamportStateConcurrencyTest {
    private static final int THREADS = 16;

    @Test
    void ofManyPaymentsWithOneMerchantUidExactlyOneIsPublished() throws Exception {
        for (int round = 0; round < 50; round++) {
            IamportStore store = new IamportStore();
            List<Boolean> results = race(() -> store.publish(payment(store, "order-race", 1000)));
            assertThat(results).filteredOn(Boolean::booleanValue).hasSize(1);
            assertThat(store.byMerchantUid("order-race")).isNotNull();
        }
    }

    @Test
    void concurrentCancelsNeverRefundMoreThanWasPaid() throws Exception {
        for (int round = 0; round < 50; round++) {
            IamportStore store = new IamportStore();
            IamportPayment payment = payment(store, "order-cancel", 10_000);
            List<IamportPayment.CancelOutcome> results =
                    race(() -> payment.cancel(3_000L, null, "race", 1, store::newCancellationId));
            assertThat(results).filteredOn(o -> o.error() == null).hasSize(3);
            assertThat(payment.toJson().get("cancel_amount")).isEqualTo(9_000L);
        }
    }

    private static IamportPayment payment(IamportStore store, String merchantUid, long amount) {
        IamportPayment p = new IamportPayment(store.newImpUid(), merchantUid, amount, store.newPgTid(1), null, null,
                IamportCard.of("1234-5678-9012-3456"), "n", null, null, null, 1, null);
        p.settle(true, "12345678", null, 1);
        return p;
    }

    /** Runs {@code task} on {@link #THREADS} threads released together by a latch. */
    private static <T> List<T> race(Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return task.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
