package paybridge.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A reading of the database that probes and scrapes wait for (counts for health checks and gauges): read
 * again when older than {@code refresh}, by one caller at a time. The others answer with the last reading
 * rather than queue behind a reading that waits (a locked table, a database failing over), unless it is so
 * old that the reader must be stuck: then unknown, never a frozen number. After a failed reading the next
 * is tried only a while later, so a scrape's several gauges do not each wait again. With each query of the
 * reading bounded ({@link #QUERY_TIMEOUT}), probes and scrapes answer even while a table is locked.
 *
 * @param <T> what one reading holds
 */
public final class BoundedReading<T> implements Supplier<T> {
    /** Each query's bound inside a reading. */
    public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
    /** Longer than a reading can take when it answers (a few bounded queries, a pool connection's wait). */
    static final Duration STUCK_READER = Duration.ofSeconds(60);
    /** After a reading failed, the next is tried only this much later. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

    private final Function<Instant, T> read;
    private final Duration refresh;
    private final Clock clock;
    private final ReentrantLock reading = new ReentrantLock();
    /** The last reading and when it was taken, in one field: a caller never sees one without the other. */
    private volatile Taken<T> last;
    private volatile Instant failedAt;

    private record Taken<T>(T value, Instant at) {
    }

    /**
     * @param read    one reading, given the moment it is taken; throws when the database cannot be read
     * @param refresh how long a reading is answered before it is read again
     */
    public BoundedReading(Function<Instant, T> read, Duration refresh, Clock clock) {
        this.read = read;
        this.refresh = refresh;
        this.clock = clock;
    }

    /** The latest reading, read again when older than {@code refresh}; throws when it is not known. */
    @Override
    public T get() {
        Taken<T> taken = last;
        Instant now = clock.instant();
        if (taken != null && taken.at().plus(refresh).isAfter(now)) {
            return taken.value();
        }
        Instant failed = failedAt;
        if (failed != null && failed.plus(RETRY_AFTER_FAILURE).isAfter(now)) {
            throw new IllegalStateException("not readable at " + failed + "; read again from "
                    + failed.plus(RETRY_AFTER_FAILURE));
        }
        if (!reading.tryLock()) {
            if (taken != null && taken.at().plus(refresh).plus(STUCK_READER).isAfter(now)) {
                return taken.value();
            }
            throw new IllegalStateException("being read by another caller");
        }
        try {
            taken = last;
            if (taken != null && taken.at().plus(refresh).isAfter(now)) {
                return taken.value();
            }
            T value;
            try {
                value = read.apply(now);
            } catch (RuntimeException e) {
                failedAt = now;
                throw e;
            }
            failedAt = null;
            last = new Taken<>(value, now);
            return value;
        } finally {
            reading.unlock();
        }
    }

    /** For a gauge: {@code value} of the reading, NaN while it is not known. */
    public double valueOrNaN(ToDoubleFunction<T> value) {
        T t = getOrNull();
        return t == null ? Double.NaN : value.applyAsDouble(t);
    }

    /** The reading, or null when it is not known (a gauge shows NaN). */
    public T getOrNull() {
        try {
            return get();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
