package paybridge.billing;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;

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
 */
final class ChargePool {
    private ChargePool() {
    }

    static ExecutorService create(CamelContext context, String name, int concurrency) {
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(concurrency + 1);
        profile.setMaxPoolSize(concurrency + 1);
        profile.setMaxQueueSize(0);
        ExecutorService pool = context.getExecutorServiceManager().newThreadPool(ChargePool.class, name, profile);
        if (!(pool instanceof ThreadPoolExecutor executor)) {
            throw new IllegalStateException("expected a ThreadPoolExecutor for " + name + ", got " + pool.getClass());
        }
        executor.setRejectedExecutionHandler(new WaitForFreeThread());
        return pool;
    }

    /** Rejection = every thread busy: wait until one takes the task (or the pool shuts down). */
    static final class WaitForFreeThread implements RejectedExecutionHandler {
        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor pool) {
            try {
                while (!pool.getQueue().offer(task, 1, TimeUnit.SECONDS)) {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("billing pool shut down");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted waiting for a billing thread", e);
            }
        }
    }
}
