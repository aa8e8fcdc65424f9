package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The billing split's threads: a full pool makes the submitter wait for a free thread, never run the task itself. */
class ChargePoolTest {
    private DefaultCamelContext context;
    private ExecutorService pool;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        context.start();
        pool = ChargePool.create(context, "test-billing", 2); // 2 charges + 1 for the feed = 3 threads
    }

    @AfterEach
    void stop() {
        release.countDown();
        context.stop();
    }

    @Test
    void aFullPoolMakesTheSubmitterWaitAndTheTaskRunsOnThePoolsNextFreeThread() throws Exception {
        for (int i = 0; i < 3; i++) {
            pool.execute(this::blockUntilReleased);
        }
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        Thread feed = new Thread(() -> pool.execute(() -> {
            ranOn.set(Thread.currentThread());
            ran.countDown();
        }), "feed");
        feed.start();

        // every thread busy: the feed waits (with CallerRuns it would have run the task at once, itself)
        assertThat(ran.await(300, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(feed.isAlive()).isTrue();

        release.countDown();
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        feed.join(5000);
        assertThat(ranOn.get()).isNotSameAs(feed);
        assertThat(ranOn.get().getName()).contains("test-billing");
    }

    @Test
    void aSubmitterWaitingWhenThePoolShutsDownIsRejected() throws Exception {
        for (int i = 0; i < 3; i++) {
            pool.execute(this::blockUntilReleased);
        }
        CompletableFuture<Void> submit = CompletableFuture.runAsync(() -> pool.execute(() -> { }));
        Thread.sleep(200);
        pool.shutdown();
        assertThatThrownBy(() -> submit.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void twoFeedsHoldingEveryThreadDoNotDeadlock() throws Exception {
        ExecutorService one = ChargePool.create(context, "test-one", 1); // 2 threads
        CountDownLatch both = new CountDownLatch(2);
        CountDownLatch ran = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            // each "feed" occupies a pool thread and, while holding it, submits the next task
            one.execute(() -> {
                both.countDown();
                awaitQuietly(both);
                one.execute(ran::countDown);
            });
        }
        // both threads wait for a free thread: after the patience each runs its task itself
        assertThat(ran.await(ChargePool.PATIENCE.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void concurrencyBelowOneIsRefused() {
        assertThatThrownBy(() -> ChargePool.create(context, "test-zero", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("paybridge.billing.concurrency");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void blockUntilReleased() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
