package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * A poll's batch (sends per sender × the destination's concurrency) must be sendable within the lease:
 * each sender's sends go one after another, each bounded by the timeout, so a batch that outlasted its
 * lease would be taken by another node and sent twice while this one still sends it.
 */
class EventBatchSizeTest {

    @Test
    void theDefaultLeaseHoldsFourSendsPerSender() {
        Duration timeout = Duration.ofSeconds(15);
        Duration lease = timeout.multipliedBy(EventsConfiguration.SENDS_PER_SENDER).plus(EventsConfiguration.LEASE_MARGIN);
        assertThat(EventsConfiguration.sendsPerSender(lease, timeout)).isEqualTo(4);
    }

    @Test
    void aShorterLeaseTakesOnlyTheSendsThatFitInIt() {
        Duration timeout = Duration.ofSeconds(15);
        assertThat(EventsConfiguration.sendsPerSender(Duration.ofSeconds(40), timeout)).isEqualTo(2);
        assertThat(EventsConfiguration.sendsPerSender(Duration.ofSeconds(39), timeout)).isEqualTo(1);
        // one send but not its margin: one send per sender, as before batches
        assertThat(EventsConfiguration.sendsPerSender(Duration.ofSeconds(20), Duration.ofSeconds(15))).isEqualTo(1);
        // a long lease takes no more than four: a batch waits for its slowest send before the next claim
        assertThat(EventsConfiguration.sendsPerSender(Duration.ofHours(1), timeout)).isEqualTo(4);
    }

    @Test
    void onlyAnHttpDestinationTakesSeveralSendsPerSender() {
        // an HTTP send ends within the timeout (connect to last byte); a broker's send has no such bound
        var http = new EventDestinations.Destination("crm", "https://crm.example.com/events", java.util.List.of(),
                java.util.List.of(), 8);
        var broker = new EventDestinations.Destination("queue", "spring-rabbitmq:paybridge?routingKey=events",
                java.util.List.of(), java.util.List.of(), 8);
        assertThat(EventDeliveries.batch(http, 4)).isEqualTo(32);
        assertThat(EventDeliveries.batch(broker, 4)).isEqualTo(8);
    }

    @Test
    void everyBatchOfMoreThanOneSendFitsInItsLease() {
        for (int leaseSeconds = 1; leaseSeconds <= 200; leaseSeconds++) {
            for (int timeoutSeconds = 1; timeoutSeconds <= 60; timeoutSeconds++) {
                Duration lease = Duration.ofSeconds(leaseSeconds);
                Duration timeout = Duration.ofSeconds(timeoutSeconds);
                int sends = EventsConfiguration.sendsPerSender(lease, timeout);
                if (sends > 1) {
                    assertThat(timeout.multipliedBy(sends).plus(EventsConfiguration.LEASE_MARGIN))
                            .as("lease %s, timeout %s", lease, timeout).isLessThanOrEqualTo(lease);
                }
            }
        }
    }

    /** A lease no longer than one send's timeout stops start-up, naming both settings. */
    @Test
    void aLeaseNoLongerThanTheTimeoutStopsStartUp() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> paybridge.testing.RunningPaybridge.start(java.util.Map.of(
                        "paybridge.events.timeout", "PT30S", "paybridge.events.lease", "PT30S")).close())
                .hasStackTraceContaining("PAYBRIDGE_EVENTS_LEASE").hasStackTraceContaining("PAYBRIDGE_EVENTS_TIMEOUT");
    }
}
