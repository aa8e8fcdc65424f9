package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.events.EventTypesTest.keyIn;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import paybridge.observe.OtlpReceiver;
import paybridge.observe.OtlpReceiver.ReceivedSpan;
import paybridge.observe.Tracing;
import paybridge.testing.FreePorts;
import paybridge.testing.RunningPaybridge;

/**
 * With tracing on, each event delivery (one claimed delivery sent to one destination) is a trace of its
 * own, rooted in an {@code event delivery} span with {@code destination}, {@code event.type} and
 * {@code outcome} only, whose traceparent the HTTP destination receives; Camel's span of the destination's
 * endpoint (its URI carries a token here) is left out. Spans go to a real OTLP/HTTP receiver, events to a
 * real HTTP receiver.
 */
class EventTracingTest {
    private static final String TOKEN = "tok-in-the-query-5b1e";

    private static RunningPaybridge start(EventReceiver events, String secret, OtlpReceiver spans) {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.events.destinations", "hook");
        p.put("paybridge.events.destination.hook.uri", events.url() + "?token=" + TOKEN);
        p.put("paybridge.events.destination.hook.secret", secret);
        p.put("paybridge.events.destination.hook.types", "payment.paid");
        p.put("paybridge.events.poll-interval", "PT0.2S");
        p.put("paybridge.events.retry-delays", "PT0.3S");
        if (spans != null) {
            p.put("paybridge.tracing.otlp-endpoint", spans.url());
            p.put("paybridge.tracing.export-interval", "PT0.2S");
        }
        return RunningPaybridge.start(p);
    }

    private static List<ReceivedSpan> deliveries(OtlpReceiver spans) {
        return spans.spans.stream().filter(s -> s.name().equals("event delivery")).toList();
    }

    @Test
    void eachEventDeliveryIsATraceOfItsOwnWithItsOutcomeAndNoPayloadOrUri() throws Exception {
        String secret = EventTypesTest.secret();
        try (OtlpReceiver spans = new OtlpReceiver();
             EventReceiver events = new EventReceiver(FreePorts.next());
             RunningPaybridge app = start(events, secret, spans)) {
            // two charges: two payment.paid events, each delivered once
            for (String id : List.of("et-paid-1", "et-paid-2")) {
                assertThat(app.postJson("/api/payments", keyIn(id, 87_654)).json().path("status").asText()).isEqualTo("PAID");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> events.ofType("payment.paid").size() == 2);
            List<ReceivedSpan> delivered = await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(spans), l -> l.size() == 2);

            // each its own trace, of which it is the root, ended with its outcome once that is recorded (the
            // transaction recording it is the poll's, for the deliveries answered alike, so in no delivery's trace)
            assertThat(delivered.stream().map(ReceivedSpan::traceId).collect(Collectors.toSet())).hasSize(2);
            for (ReceivedSpan d : delivered) {
                assertThat(d.parentSpanId()).isEmpty();
                assertThat(d.kind()).isEqualTo(ReceivedSpan.KIND_CLIENT);
                assertThat(d.attributes()).containsExactlyInAnyOrderEntriesOf(
                        Map.of("destination", "hook", "event.type", "payment.paid", "outcome", "delivered"));
            }
            // no API call's trace holds a delivery, and no delivery's trace holds a request
            Set<String> deliveryTraces = delivered.stream().map(ReceivedSpan::traceId).collect(Collectors.toSet());
            assertThat(spans.spans).filteredOn(s -> deliveryTraces.contains(s.traceId()))
                    .noneMatch(s -> s.kind() == ReceivedSpan.KIND_SERVER);

            // the receiver got each delivery's traceparent: the delivery span's own, sampled
            assertThat(events.ofType("payment.paid")).extracting(r -> r.headers().get("traceparent"))
                    .allMatch(t -> t.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"))
                    .extracting(t -> t.substring(0, 52))
                    .containsExactlyInAnyOrderElementsOf(delivered.stream()
                            .map(d -> "00-" + d.traceId() + "-" + d.spanId()).toList());
            // the signature still verifies (the traceparent header is not part of it)
            assertThat(events.ofType("payment.paid")).allMatch(r -> EventReceiver.verifies(r, secret));

            // a refused delivery: retry, then failed after the last delay, each try a trace of its own
            events.mode(EventReceiver.Mode.FAIL);
            assertThat(app.postJson("/api/payments", keyIn("et-paid-3", 87_654)).json().path("status").asText()).isEqualTo("PAID");
            List<ReceivedSpan> all = await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(spans), l -> l.size() == 4);
            assertThat(all).extracting(s -> s.attributes().get("outcome"))
                    .containsExactlyInAnyOrder("delivered", "delivered", "retry", "failed");
            assertThat(all.stream().map(ReceivedSpan::traceId).distinct()).hasSize(4);

            // Camel's span of the destination's endpoint is left out; no span carries the destination's
            // URI (its token), the payload (payment ids, amounts), the card or the signing secret
            Thread.sleep(500); // the batch still in flight, if any
            String port = events.url().replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/.*$", "$1");
            for (ReceivedSpan s : spans.spans) {
                String text = s.name() + " " + s.attributes() + " " + s.eventTexts();
                assertThat(text).as(s.toString()).doesNotContain(TOKEN, "events-http", ":" + port, "4111",
                        secret.substring("whsec_".length()));
            }
            Set<String> allDeliveryTraces = all.stream().map(ReceivedSpan::traceId).collect(Collectors.toSet());
            for (ReceivedSpan s : spans.spans) {
                if (allDeliveryTraces.contains(s.traceId())) {
                    String text = s.name() + " " + s.attributes() + " " + s.eventTexts();
                    assertThat(text).as(s.toString()).doesNotContain("et-paid", "87654", "evt_");
                }
            }
        }
    }

    @Test
    void withTracingOffDeliveriesCarryNoTraceparent() {
        try (EventReceiver events = new EventReceiver(FreePorts.next());
             RunningPaybridge app = start(events, EventTypesTest.secret(), null)) {
            assertThat(Tracing.of(app.context()).enabled()).isFalse();
            assertThat(app.postJson("/api/payments", keyIn("et-off-1", 3000)).json().path("status").asText()).isEqualTo("PAID");
            await().atMost(Duration.ofSeconds(20)).until(() -> events.ofType("payment.paid").size() == 1);
            assertThat(events.ofType("payment.paid").get(0).headers()).doesNotContainKey("traceparent")
                    .containsKeys("webhook-id", "webhook-signature");
        }
    }
}
