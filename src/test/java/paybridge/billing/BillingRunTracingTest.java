package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import paybridge.observe.OtlpReceiver;
import paybridge.observe.OtlpReceiver.ReceivedSpan;
import paybridge.testing.RunningPaybridge;

/** With tracing on, each billing-run item is a trace of its own, not a branch of the run's trace. */
class BillingRunTracingTest {

    @Test
    void eachBillingRunItemIsOneTraceWithItsVendorCall() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver();
             RunningPaybridge app = RunningPaybridge.start(Map.of(
                     "paybridge.tracing.otlp-endpoint", receiver.url(),
                     "paybridge.tracing.export-interval", "PT0.2S"))) {
            BillingFixtures.insert(app, "trb", 3, "steppay", STEPPAY_KEY, 9900, "2026-12-01T00:00:00+09:00");
            assertThat(run(app, "2026-12-01T03:00:00+09:00").path("status").asText()).isEqualTo("COMPLETED");

            List<ReceivedSpan> charges = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans.stream()
                    .filter(s -> s.name().equals("steppay charge")).toList(), l -> l.size() == 3);
            Set<String> itemTraces = charges.stream().map(ReceivedSpan::traceId).collect(Collectors.toSet());
            assertThat(itemTraces).hasSize(3);
            ReceivedSpan runRequest = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans.stream()
                    .filter(s -> s.attributes().getOrDefault("http.url", "").endsWith("/api/billing-runs")).findFirst(),
                    java.util.Optional::isPresent).get();
            assertThat(itemTraces).doesNotContain(runRequest.traceId());
            for (ReceivedSpan charge : charges) {
                assertThat(charge.attributes()).containsEntry("vendor", "steppay").containsEntry("operation", "charge")
                        .containsEntry("outcome", "2xx");
                // the item's trace has one root, and the charge descends from it
                List<ReceivedSpan> trace = receiver.spans.stream().filter(s -> s.traceId().equals(charge.traceId())).toList();
                assertThat(trace.stream().filter(s -> s.parentSpanId().isEmpty())).hasSize(1);
            }
        }
    }
}
