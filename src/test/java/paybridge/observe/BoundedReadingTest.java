package paybridge.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** What probes and scrapes get from a reading: at most one query round per refresh, never a queue behind one. */
class BoundedReadingTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    @Test
    void readOncePerRefreshAndAfterAFailureOnlyOnceTheRetryDelayHasPassed() {
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<RuntimeException> failing = new AtomicReference<>();
        BoundedReading<Integer> reading = new BoundedReading<>(at -> {
            reads.incrementAndGet();
            if (failing.get() != null) {
                throw failing.get();
            }
            return reads.get();
        }, Duration.ofSeconds(10), clock);

        assertThat(reading.get()).isEqualTo(1);
        advance(Duration.ofSeconds(9));
        assertThat(reading.get()).as("within the refresh: the same reading").isEqualTo(1);
        advance(Duration.ofSeconds(2));
        failing.set(new IllegalStateException("table locked"));
        assertThatThrownBy(reading::get).hasMessage("table locked");
        assertThat(reading.getOrNull()).as("not read again right after a failure").isNull();
        assertThat(reads).hasValue(2);
        failing.set(null);
        advance(BoundedReading.RETRY_AFTER_FAILURE);
        assertThat(reading.get()).isEqualTo(3);
    }

    @Test
    void aCallerWhileAnotherReadsGetsTheLastReadingThenUnknownOnceTheReaderMustBeStuck() throws Exception {
        CountDownLatch inRead = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        BoundedReading<Integer> reading = new BoundedReading<>(at -> {
            if (reads.incrementAndGet() == 2) {
                inRead.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return reads.get();
        }, Duration.ofSeconds(10), clock);
        assertThat(reading.get()).isEqualTo(1);
        advance(Duration.ofSeconds(11));

        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(reading::get);
        assertThat(inRead.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reading.get()).as("the last reading, not a wait behind the slow one").isEqualTo(1);
        advance(BoundedReading.STUCK_READER);
        assertThat(reading.getOrNull()).as("a reader that long must be stuck: unknown, not a frozen number").isNull();
        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
}
