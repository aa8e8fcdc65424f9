package paybridge.billing;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a billing run's parallel split ({@code executorService: billingPool} in
 * routes/billing.camel.yaml): {@code concurrency} charges in flight, and one thread more for the split's feed.
 *
 * <p>Camel's parallel split feeds itself as a task on the same pool: it submits one charge, then submits
 * itself to submit the next. With Camel's CallerRuns policy the feed, finding every thread busy, ran a
 * charge itself, and no new charge started until that one was done: threads freed meanwhile stood idle,
 * and a run at 100 ms vendor latency reached about 70 % of {@code concurrency / latency}. Here a full pool
 * makes the feed wait for the next free thread and hand it the task, so a freed thread takes the next
 * charge at once. No queue: a task waits only in the hand of the feed, one at a time.
 *
 * <p>A feed holds its thread while it waits. Two splits on one node at once (the tail of a joined run's
 * share while this node starts the next run) with {@code concurrency} 1 would be two feeds holding both
 * threads, each waiting for the other: so a task that found no free thread within {@link #PATIENCE} runs
 * in the waiting thread instead, as Camel's CallerRuns would (logged).
 */
final class ChargePool {
    private static final Logger LOG = LoggerFactory.getLogger(ChargePool.class);
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private ChargePool() {
    }

    static ExecutorService create(CamelContext context, String name, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("paybridge.billing.concurrency must be at least 1: " + concurrency);
        }
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(concurrency + 1);
        profile.setMaxPoolSize(concurrency + 1);
        profile.setMaxQueueSize(0);
        profile.setKeepAliveTime(60L);
        profile.setTimeUnit(TimeUnit.SECONDS);
        profile.setAllowCoreThreadTimeOut(true); // idle between runs: no threads kept
        ExecutorService pool = context.getExecutorServiceManager().newThreadPool(ChargePool.class, name, profile);
        if (!(pool instanceof ThreadPoolExecutor executor)) {
            throw new IllegalStateException("expected a ThreadPoolExecutor for " + name + ", got " + pool.getClass());
        }
        executor.setRejectedExecutionHandler(new WaitForFreeThread(PATIENCE));
        return pool;
    }

    /** Rejection = every thread busy: wait until one takes the task; past {@code patience}, run it here. */
    static final class WaitForFreeThread implements RejectedExecutionHandler {
        private final long patienceNanos;

        WaitForFreeThread(Duration patience) {
            this.patienceNanos = patience.toNanos();
        }

        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor pool) {
            long deadline = System.nanoTime() + patienceNanos;
            try {
                while (!pool.getQueue().offer(task, 100, TimeUnit.MILLISECONDS)) {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("billing pool shut down");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        LOG.warn("billing: no free thread for {} ms (two runs' splits on this node?); "
                                + "running the task in the waiting thread", patienceNanos / 1_000_000);
                        task.run();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted waiting for a billing thread", e);
            }
        }
    }
}
