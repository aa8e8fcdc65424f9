package paybridge.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.Test;
import paybridge.observe.OtlpReceiver.ReceivedSpan;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.ScriptedIamport;

/**
 * Tracing ({@code paybridge.tracing.otlp-endpoint}): spans exported over OTLP/HTTP to a real receiver,
 * the shape of a charge's trace under the caller's {@code traceparent}, what reaches the vendor, and
 * trace ids in both log formats.
 */
class TracingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An amount no id, port or timestamp contains: no span may carry it. */
    private static final long AMOUNT = 987_654;

    private static String keyIn(String paymentId) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "Hong"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": false}""".formatted(paymentId, AMOUNT);
    }

    private static RunningPaybridge start(ScriptedIamport vendor, OtlpReceiver receiver) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.processing-enabled", "false"));
        if (receiver != null) {
            settings.put("paybridge.tracing.otlp-endpoint", receiver.url());
            settings.put("paybridge.tracing.export-interval", "PT0.2S");
        }
        return RunningPaybridge.start(settings);
    }

    private static RunningPaybridge.Response charge(RunningPaybridge app, String paymentId, String traceparent) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/payments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(keyIn(paymentId), StandardCharsets.UTF_8));
        if (traceparent != null) {
            request.header("traceparent", traceparent)
                    .header("tracestate", "congo=t61rcWkgMzE")
                    .header("baggage", "userId=alice");
        }
        return app.send(request);
    }

    private static String hex(int length) {
        return UUID.randomUUID().toString().replace("-", "").repeat(2).substring(0, length);
    }

    @Test
    void aChargeIsOneTraceUnderTheCallersTraceparentWithOneSpanPerVendorCall() throws Exception {
        String traceId = hex(32);
        String callerSpan = hex(16);
        try (OtlpReceiver receiver = new OtlpReceiver();
             ScriptedIamport vendor = ScriptedIamport.start();
             RunningPaybridge app = start(vendor, receiver)) {
            RunningPaybridge.Response paid = charge(app, "tr-charge-1", "00-" + traceId + "-" + callerSpan + "-01");
            assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");

            // the charge's vendor span arrives once the API call's spans are exported
            ReceivedSpan chargeCall = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans.stream()
                    .filter(s -> s.traceId().equals(traceId) && s.name().equals("iamport charge")).findFirst(),
                    java.util.Optional::isPresent).get();
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans.stream()
                    .anyMatch(s -> s.traceId().equals(traceId) && s.parentSpanId().equals(callerSpan)));
            Thread.sleep(500); // the batch still in flight, if any
            List<ReceivedSpan> trace = receiver.spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
            Map<String, ReceivedSpan> byId = trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity()));

            // one trace: a single span continues the caller's, the server span of the API call
            List<ReceivedSpan> entries = trace.stream().filter(s -> s.parentSpanId().equals(callerSpan)).toList();
            assertThat(entries).hasSize(1);
            // every other span's parent is in the trace
            assertThat(trace).allSatisfy(s -> assertThat(s.parentSpanId().equals(callerSpan) || byId.containsKey(s.parentSpanId()))
                    .as("parent of %s in the trace", s).isTrue());

            // the vendor calls: token then charge, each a CLIENT span with vendor, operation, outcome only,
            // descending from the API call's span
            assertThat(chargeCall.kind()).isEqualTo(ReceivedSpan.KIND_CLIENT);
            assertThat(chargeCall.attributes()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("vendor", "iamport", "operation", "charge", "outcome", "2xx"));
            assertThat(ancestors(chargeCall, byId)).contains(entries.get(0).spanId());
            List<ReceivedSpan> vendorCalls = trace.stream().filter(s -> s.kind() == ReceivedSpan.KIND_CLIENT).toList();
            assertThat(vendorCalls).extracting(ReceivedSpan::name).containsExactlyInAnyOrder("iamport token", "iamport charge");
            ReceivedSpan token = vendorCalls.stream().filter(s -> s.name().equals("iamport token")).findFirst().orElseThrow();
            assertThat(token.attributes()).containsEntry("operation", "token").containsEntry("outcome", "2xx");

            // its SQL statements are spans of the trace too: the attempt recorded (INSERT) and settled (UPDATE),
            // each with its SQL text (named parameters only: the values are bound, never in the text)
            List<ReceivedSpan> statements = trace.stream()
                    .filter(s -> s.name().equals("INSERT") || s.name().equals("UPDATE")).toList();
            assertThat(statements).extracting(ReceivedSpan::name).contains("INSERT", "UPDATE");
            assertThat(statements).allSatisfy(s -> assertThat(s.attributes().get("db.statement")).contains(":?"));

            // the vendor got the charge span's traceparent, and neither tracestate nor baggage
            ScriptedIamport.Received chargeRequest = vendor.received.stream()
                    .filter(r -> r.path().contains("/subscribe/payments/")).findFirst().orElseThrow();
            assertThat(chargeRequest.headers()).containsEntry("traceparent", "00-" + traceId + "-" + chargeCall.spanId() + "-01")
                    .doesNotContainKeys("tracestate", "baggage");
            ScriptedIamport.Received tokenRequest = vendor.received.stream()
                    .filter(r -> r.path().endsWith("/users/getToken")).findFirst().orElseThrow();
            assertThat(tokenRequest.headers()).containsEntry("traceparent", "00-" + traceId + "-" + token.spanId() + "-01");

            // no span carries the amount, card data, the vendor's URL (ids in its paths) or secrets
            for (ReceivedSpan s : receiver.spans) {
                String text = s.name() + " " + s.attributes() + " " + s.eventTexts();
                assertThat(text).as(s.toString()).doesNotContain(String.valueOf(AMOUNT), "4111", "900101",
                        "sandbox-imp-secret", "Bearer", vendor.baseUrl(), "congo", "alice");
            }
            assertThat(receiver.contentTypes).allMatch(t -> t.startsWith("application/x-protobuf"));
        }
    }

    @Test
    void aWebhookDeliveryStartsItsOwnTraceWhateverTraceparentItSends() throws Exception {
        String foreignTrace = hex(32);
        try (OtlpReceiver receiver = new OtlpReceiver();
             ScriptedIamport vendor = ScriptedIamport.start();
             RunningPaybridge app = start(vendor, receiver)) {
            RunningPaybridge.Response stored = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/webhooks/iamport"))
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + foreignTrace + "-" + hex(16) + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"imp_uid\": \"imp_1\", \"merchant_uid\": \"tr-wh-1\", \"status\": \"paid\"}")));
            assertThat(stored.status()).as(stored.body()).isEqualTo(200);
            ReceivedSpan intake = await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans.stream()
                    .filter(s -> s.attributes().getOrDefault("camel.uri", "").startsWith("platform-http")
                            && s.attributes().getOrDefault("http.url", "").contains("/webhooks/iamport")).findFirst(),
                    java.util.Optional::isPresent).get();
            assertThat(intake.parentSpanId()).isEmpty();
            assertThat(intake.traceId()).isNotEqualTo(foreignTrace);
            assertThat(receiver.spans).noneMatch(s -> s.traceId().equals(foreignTrace));
        }
    }

    /** Span ids from {@code span}'s parent up to the root within the trace. */
    private static List<String> ancestors(ReceivedSpan span, Map<String, ReceivedSpan> byId) {
        List<String> out = new java.util.ArrayList<>();
        for (ReceivedSpan s = byId.get(span.parentSpanId()); s != null; s = byId.get(s.parentSpanId())) {
            out.add(s.spanId());
        }
        return out;
    }

    @Test
    void withoutAnEndpointNothingIsTracedAndNoTraceparentIsSent() {
        try (ScriptedIamport vendor = ScriptedIamport.start(); RunningPaybridge app = start(vendor, null)) {
            assertThat(Tracing.of(app.context()).enabled()).isFalse();
            RunningPaybridge.Response paid = charge(app, "tr-off-1", "00-" + hex(32) + "-" + hex(16) + "-01");
            assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
            assertThat(vendor.received).isNotEmpty().allSatisfy(r -> assertThat(r.headers()).doesNotContainKey("traceparent"));
            assertThat(paid.body()).doesNotContain("trace");
        }
    }

    @Test
    void aMalformedEndpointStopsStartUpNamingTheSetting() {
        for (String bad : List.of("otel-collector:4318", "ftp://collector/", "http://", "http://collector:4318/v1/traces?x=1")) {
            assertThatThrownBy(() -> RunningPaybridge.start(Map.of("paybridge.tracing.otlp-endpoint", bad)).close())
                    .as(bad).hasStackTraceContaining("paybridge.tracing.otlp-endpoint (PAYBRIDGE_TRACING_OTLP_ENDPOINT)");
        }
        assertThat(Tracing.tracesUri("http://collector:4318")).hasToString("http://collector:4318/v1/traces");
        assertThat(Tracing.tracesUri("https://collector/otlp/")).hasToString("https://collector/otlp/v1/traces");
        assertThat(Tracing.tracesUri("http://collector:4318/v1/traces")).hasToString("http://collector:4318/v1/traces");
    }

    @Test
    void everyLineLoggedInATraceCarriesItsTraceAndSpanIdInTextAndJson() throws Exception {
        String traceId = hex(32);
        LoggerContext jsonContext;
        System.setProperty("paybridge.log.format", "json");
        try {
            jsonContext = new LoggerContext("paybridge-json-trace-" + UUID.randomUUID());
            jsonContext.setConfigLocation(getClass().getResource("/log4j2.xml").toURI());
        } finally {
            System.clearProperty("paybridge.log.format");
        }
        Layout<?> text = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getAppender("console").getLayout();
        Layout<?> json = jsonContext.getConfiguration().getAppender("console").getLayout();
        try (OtlpReceiver receiver = new OtlpReceiver();
             ScriptedIamport vendor = ScriptedIamport.start();
             RunningPaybridge app = start(vendor, receiver)) {
            Map<Layout<?>, String> logged = capture(List.of(text, json), () -> {
                RunningPaybridge.Response paid = charge(app, "tr-log-1", "00-" + traceId + "-" + hex(16) + "-01");
                assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
            });
            String textLine = logged.get(text).lines().filter(l -> l.contains("charge paymentId=tr-log-1")).findFirst()
                    .orElseThrow(() -> new AssertionError("no decision line in " + logged.get(text)));
            assertThat(textLine).containsPattern("\\[trace_id=" + traceId + " span_id=[0-9a-f]{16}\\] ");
            JsonNode jsonLine = null;
            for (String line : logged.get(json).split("\n")) {
                JsonNode node = JSON.readTree(line);
                if (node.path("message").asText().contains("charge paymentId=tr-log-1")) {
                    jsonLine = node;
                }
            }
            assertThat(jsonLine).as(logged.get(json)).isNotNull();
            assertThat(jsonLine.path("trace_id").asText()).isEqualTo(traceId);
            assertThat(jsonLine.path("span_id").asText()).matches("[0-9a-f]{16}");
            // lines outside any trace have no ids (start-up, timers)
            assertThat(logged.get(text).lines().filter(l -> l.contains("trace_id=")))
                    .allMatch(l -> l.contains("trace_id=" + traceId));
        } finally {
            jsonContext.stop();
        }
    }

    /** Everything logged at INFO and above while {@code action} runs, once per layout. */
    private static Map<Layout<?>, String> capture(List<Layout<?>> layouts, Runnable action) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        Map<Layout<?>, StringWriter> outs = new java.util.LinkedHashMap<>();
        Map<Layout<?>, WriterAppender> appenders = new java.util.LinkedHashMap<>();
        for (Layout<?> layout : layouts) {
            StringWriter out = new StringWriter();
            WriterAppender appender = WriterAppender.newBuilder().setName("trace-capture-" + UUID.randomUUID())
                    .setTarget(out).setLayout(layout).build();
            appender.start();
            root.addAppender(appender, Level.INFO, null);
            outs.put(layout, out);
            appenders.put(layout, appender);
        }
        ctx.updateLoggers();
        try {
            action.run();
        } finally {
            appenders.values().forEach(a -> root.removeAppender(a.getName()));
            ctx.updateLoggers();
            appenders.values().forEach(WriterAppender::stop);
        }
        Map<Layout<?>, String> result = new java.util.LinkedHashMap<>();
        outs.forEach((layout, out) -> {
            synchronized (out) {
                result.put(layout, out.toString());
            }
        });
        return result;
    }
}
