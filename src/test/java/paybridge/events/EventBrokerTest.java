package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * A broker destination for real: RabbitMQ on this machine (loopback, guest/guest) through camel-jms and
 * the RabbitMQ JMS client, configured by properties alone (README "Events"). The message is the envelope,
 * with webhook-id, webhook-timestamp and webhook-signature as headers; read back from the test's own
 * queue through Camel, the signature verified independently.
 */
class EventBrokerTest {

    @Test
    void aChargesEventIsPublishedToARabbitMqQueueWithTheEnvelopeAndTheSignatureHeaders() throws Exception {
        String queue = "paybridge-events-test-" + UUID.randomUUID();
        String secret = EventTypesTest.secret();
        Map<String, Object> p = new HashMap<>();
        p.put("camel.beans.rabbit", "#class:com.rabbitmq.jms.admin.RMQConnectionFactory");
        p.put("camel.beans.rabbit.host", "127.0.0.1");
        p.put("camel.beans.rabbit.port", "5672");
        p.put("camel.beans.rabbit.username", "guest");
        p.put("camel.beans.rabbit.password", "guest");
        p.put("camel.component.jms.connection-factory", "#bean:rabbit");
        p.put("paybridge.events.destinations", "queue");
        p.put("paybridge.events.destination.queue.uri", "jms:queue:" + queue + "?transacted=true");
        p.put("paybridge.events.destination.queue.secret", secret);
        p.put("paybridge.events.destination.queue.types", "payment.*");
        p.put("paybridge.events.poll-interval", "PT0.2S");
        try (RunningPaybridge app = RunningPaybridge.start(p)) {
            assertThat(app.postJson("/api/payments", EventTypesTest.keyIn("mq-1", 3000)).json().path("status").asText())
                    .isEqualTo("PAID");
            ConsumerTemplate consumer = app.context().createConsumerTemplate();
            Exchange message = consumer.receive("jms:queue:" + queue, 20_000);
            assertThat(message).as("a message on " + queue).isNotNull();
            String body = message.getMessage().getBody(String.class);
            JsonNode envelope = new ObjectMapper().readTree(body);
            assertThat(envelope.path("type").asText()).isEqualTo("payment.paid");
            assertThat(envelope.path("data").path("paymentId").asText()).isEqualTo("mq-1");
            assertThat(envelope.path("data").path("status").asText()).isEqualTo("PAID");
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            message.getMessage().getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
            assertThat(headers.get("webhook-id")).isEqualTo(envelope.path("id").asText());
            assertThat(headers.get("webhook-timestamp")).matches("\\d{10}");
            EventReceiver.Received received = new EventReceiver.Received(headers, body, envelope);
            assertThat(EventReceiver.verifies(received, secret)).isTrue();

            // recorded once the send has returned: the message may be taken off the queue before that
            String eventId = envelope.path("id").asText();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode delivery = app.get("/api/events/" + eventId).json().path("deliveries").get(0);
                assertThat(delivery.path("destination").asText()).isEqualTo("queue");
                assertThat(delivery.path("status").asText()).isEqualTo("DELIVERED");
            });
            consumer.stop();
        } finally {
            // the test's own queue is not left behind on the shared broker
            com.rabbitmq.client.ConnectionFactory admin = new com.rabbitmq.client.ConnectionFactory();
            admin.setHost("127.0.0.1");
            try (com.rabbitmq.client.Connection c = admin.newConnection();
                 com.rabbitmq.client.Channel channel = c.createChannel()) {
                channel.queueDelete(queue);
            }
        }
    }
}
