package paybridge.connector.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * One total deadline per vendor HTTP call, connect to last byte. Apache HttpClient's own timeouts
 * bound each phase (waiting for a pooled connection, connecting, each read), so a vendor that drips
 * its answer a byte at a time never trips them; this exec-chain interceptor (first in the chain, added
 * through camel-http's {@code HttpClientConfigurer}) schedules a cancel of the request when its time
 * is up: the connection is closed under whichever phase is running, the body read included (the
 * response's entity is wrapped so the timer ends only when the body was read or closed).
 * <p>The call's time is {@code paybridge.vendor.timeout}, cut to what remains of its operation's
 * budget ({@link #forNextCall}, set on the calling thread by {@link VendorCall#prepareFor}). A call cut
 * here fails as a {@link SocketTimeoutException}: the request may have been processed (UNKNOWN for a
 * charge), never "not sent".
 */
public final class TotalCallTimeout implements ExecChainHandler {
    public static final String NAME = "paybridge-total-call-timeout";

    private static final ScheduledThreadPoolExecutor TIMER = timer();
    // the operation deadline (System.nanoTime) of the next call made on this thread, if any
    private static final ThreadLocal<Long> NEXT_CALL_DEADLINE = new ThreadLocal<>();

    private final long timeoutNanos;

    public TotalCallTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** The operation's deadline for the next call on this thread (null: none, only the call timeout). */
    public static void forNextCall(Long operationDeadlineNanos) {
        if (operationDeadlineNanos == null) {
            NEXT_CALL_DEADLINE.remove();
        } else {
            NEXT_CALL_DEADLINE.set(operationDeadlineNanos);
        }
    }

    /** The call failed because its total time was up. */
    public static final class CallTimeoutException extends SocketTimeoutException {
        CallTimeoutException(Throwable cause) {
            super("The vendor call exceeded its total timeout");
            initCause(cause);
        }
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        long now = System.nanoTime();
        Long operation = NEXT_CALL_DEADLINE.get();
        NEXT_CALL_DEADLINE.remove();
        long nanos = operation == null ? timeoutNanos : Math.min(timeoutNanos, operation - now);
        AtomicBoolean fired = new AtomicBoolean();
        Future<?> timer = TIMER.schedule(() -> {
            fired.set(true);
            cancel(scope.originalRequest);
            cancel(scope.execRuntime);
        }, Math.max(0, nanos), TimeUnit.NANOSECONDS);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException | HttpException | RuntimeException e) {
            timer.cancel(false);
            if (fired.get()) {
                throw new CallTimeoutException(e);
            }
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            timer.cancel(false);
        } else {
            response.setEntity(new TimedEntity(entity, timer, fired));
        }
        return response;
    }

    private static void cancel(Object target) {
        if (target instanceof Cancellable c) {
            c.cancel();
        }
    }

    /** The answer's body: the timer ends when it was read to the end or closed. */
    private static final class TimedEntity extends HttpEntityWrapper {
        private final Future<?> timer;
        private final AtomicBoolean fired;

        TimedEntity(HttpEntity entity, Future<?> timer, AtomicBoolean fired) {
            super(entity);
            this.timer = timer;
            this.fired = fired;
        }

        @Override
        public InputStream getContent() throws IOException {
            InputStream in;
            try {
                in = super.getContent();
            } catch (IOException e) {
                throw translated(e);
            }
            return new FilterInputStream(in) {
                @Override
                public int read() throws IOException {
                    try {
                        int b = super.read();
                        if (b < 0) {
                            timer.cancel(false);
                        }
                        return b;
                    } catch (IOException e) {
                        throw translated(e);
                    }
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    try {
                        int n = super.read(buffer, offset, length);
                        if (n < 0) {
                            timer.cancel(false);
                        }
                        return n;
                    } catch (IOException e) {
                        throw translated(e);
                    }
                }

                @Override
                public void close() throws IOException {
                    timer.cancel(false);
                    super.close();
                }
            };
        }

        @Override
        public void close() throws IOException {
            timer.cancel(false);
            super.close();
        }

        private IOException translated(IOException e) {
            timer.cancel(false);
            return fired.get() ? new CallTimeoutException(e) : e;
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "paybridge-vendor-call-timeout");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
