package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A receiver that answers 500, hangs past paybridge.events.timeout, or is down: each try is one request
 * (camel-http retries nothing by itself), retried after paybridge.events.retry-delays (shortened here),
 * delivered once the receiver recovers, FAILED after the last try, and delivered by a redeliver then.
 */
class EventRetryTest {
    private static EventReceiver receiver;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        receiver = new EventReceiver(FreePorts.next());
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.events.destinations", "hook");
        p.put("paybridge.events.destination.hook.uri", receiver.url());
        p.put("paybridge.events.destination.hook.secret", EventTypesTest.secret());
        p.put("paybridge.events.destination.hook.types", "payment.paid");
        p.put("paybridge.events.poll-interval", "PT0.2S");
        p.put("paybridge.events.timeout", "PT1S");
        p.put("paybridge.events.retry-delays", "PT1S,PT2S");
        app = RunningPaybridge.start(p);
    }

    @AfterAll
    static void stop() {
        app.close();
        receiver.close();
    }

    @Test
    void aReceiverAnswering500IsRetriedThenFailedAfterTheLastTryThenRedeliveredOnceItRecovers() {
        receiver.mode(EventReceiver.Mode.FAIL);
        String eventId = chargeAndFindEvent("rt-500");
        JsonNode delivery = awaitDelivery(eventId, "FAILED");
        // the first try and one per retry delay, each one request
        assertThat(delivery.path("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.path("lastStatus").asText()).isEqualTo("HTTP 500");
        assertThat(delivery.path("nextAttemptAt").isNull()).isTrue();
        assertThat(receiver.ofId(eventId)).hasSize(3);

        receiver.mode(EventReceiver.Mode.OK);
        Response redeliver = app.postJson("/api/events/" + eventId + "/redeliver", "");
        assertThat(redeliver.status()).as(redeliver.body()).isEqualTo(202);
        JsonNode delivered = awaitDelivery(eventId, "DELIVERED");
        assertThat(delivered.path("attempts").asInt()).isEqualTo(4);
        assertThat(delivered.path("lastStatus").asText()).isEqualTo("HTTP 200");
        assertThat(receiver.ofId(eventId)).hasSize(4);
    }

    @Test
    void aReceiverHangingPastTheTimeoutIsRetriedAndDeliveredOnceItAnswers() {
        receiver.mode(EventReceiver.Mode.HANG);
        String eventId = chargeAndFindEvent("rt-hang");
        await().atMost(Duration.ofSeconds(20)).until(() -> delivery(eventId).path("attempts").asInt() >= 1
                && !delivery(eventId).path("lastStatus").isNull());
        assertThat(delivery(eventId).path("status").asText()).isEqualTo("PENDING");
        assertThat(delivery(eventId).path("lastStatus").asText()).containsIgnoringCase("timeout");
        receiver.mode(EventReceiver.Mode.OK);
        JsonNode delivered = awaitDelivery(eventId, "DELIVERED");
        assertThat(delivered.path("attempts").asInt()).isBetween(2, 3);
        assertThat(receiver.ofId(eventId)).hasSize(delivered.path("attempts").asInt());
    }

    @Test
    void aReceiverThatIsDownIsRetriedAndDeliveredOnceItIsBack() {
        receiver.mode(EventReceiver.Mode.OK);
        receiver.stop();
        try {
            String eventId = chargeAndFindEvent("rt-down");
            await().atMost(Duration.ofSeconds(20)).until(() -> !delivery(eventId).path("lastStatus").isNull());
            assertThat(delivery(eventId).path("status").asText()).isEqualTo("PENDING");
            assertThat(receiver.ofId(eventId)).isEmpty();
            receiver.start();
            JsonNode delivered = awaitDelivery(eventId, "DELIVERED");
            assertThat(delivered.path("attempts").asInt()).isBetween(2, 3);
            assertThat(receiver.ofId(eventId)).hasSize(1);
        } finally {
            receiver.start();
        }
    }

    private static String chargeAndFindEvent(String paymentId) {
        Response r = app.postJson("/api/payments", EventTypesTest.keyIn(paymentId, 3000));
        assertThat(r.json().path("status").asText()).isEqualTo("PAID");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                app.get("/api/events?type=payment.paid&paymentId=" + paymentId).json().path("events").size() == 1);
        return app.get("/api/events?type=payment.paid&paymentId=" + paymentId).json().path("events").get(0)
                .path("id").asText();
    }

    private static JsonNode delivery(String eventId) {
        JsonNode deliveries = app.get("/api/events/" + eventId).json().path("deliveries");
        assertThat(deliveries).hasSize(1);
        return deliveries.get(0);
    }

    private static JsonNode awaitDelivery(String eventId, String status) {
        await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(delivery(eventId).path("status").asText()));
        return delivery(eventId);
    }
}
