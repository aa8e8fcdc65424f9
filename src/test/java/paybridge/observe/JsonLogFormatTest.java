package paybridge.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.layout.template.json.JsonTemplateLayout;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import paybridge.testing.RunningPaybridge;

/**
 * {@code PAYBRIDGE_LOG_FORMAT=json} / {@code -Dpaybridge.log.format=json}: the shipped log4j2.xml
 * then writes JSON lines carrying the decision's MDC keys as fields.
 */
class JsonLogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shippedConfigurationPicksTheJsonLayoutAndDecisionLinesCarryTheMdcFields() throws Exception {
        // the default (text) layout of the running configuration
        Appender current = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getAppender("console");
        if (System.getenv("PAYBRIDGE_LOG_FORMAT") == null) {
            assertThat(current.getLayout()).isInstanceOf(PatternLayout.class);
        }

        // the same log4j2.xml loaded with the switch on
        LoggerContext jsonContext;
        System.setProperty("paybridge.log.format", "json");
        try {
            jsonContext = new LoggerContext("paybridge-json-check-" + UUID.randomUUID());
            jsonContext.setConfigLocation(getClass().getResource("/log4j2.xml").toURI());
        } finally {
            System.clearProperty("paybridge.log.format");
        }
        try {
            Layout<?> layout = jsonContext.getConfiguration().getAppender("console").getLayout();
            assertThat(layout).isInstanceOf(JsonTemplateLayout.class);

            String text;
            try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.reconcile.interval", "PT1H"))) {
                text = capture(layout, () -> {
                    assertThat(app.postJson("/api/payments", ObservabilityTest.keyIn("ob-json-1", 3000)).json()
                            .path("status").asText()).isEqualTo("PAID");
                    assertThat(app.postJson("/api/refunds",
                            "{\"refundId\": \"rf-json-1\", \"paymentId\": \"ob-json-1\", \"amount\": 500}").json()
                            .path("status").asText()).isEqualTo("REFUNDED");
                });
            }
            List<JsonNode> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line)); // every line is one JSON object
                }
            }
            JsonNode charge = lines.stream().filter(l -> "charge".equals(l.path("operation").asText())
                    && "ob-json-1".equals(l.path("paymentId").asText())).findFirst().orElseThrow(
                            () -> new AssertionError("no charge decision line in " + text));
            assertThat(charge.path("vendor").asText()).isEqualTo("iamport");
            assertThat(charge.path("outcome").asText()).isEqualTo("PAID");
            assertThat(charge.path("durationMs").asText()).matches("\\d+");
            assertThat(charge.path("log.level").asText()).isEqualTo("INFO");
            assertThat(charge.path("message").asText()).contains("paymentId=ob-json-1");

            JsonNode refund = lines.stream().filter(l -> "refund".equals(l.path("operation").asText())
                    && "rf-json-1".equals(l.path("refundId").asText())).findFirst().orElseThrow(
                            () -> new AssertionError("no refund decision line in " + text));
            assertThat(refund.path("paymentId").asText()).isEqualTo("ob-json-1");
            assertThat(refund.path("outcome").asText()).isEqualTo("REFUNDED");

            // only decision lines carry the keys: they do not leak into the thread's next lines
            assertThat(lines.stream().filter(l -> l.has("paymentId"))).allSatisfy(l ->
                    assertThat(l.path("message").asText()).matches("(charge|refund|reconcile) .*"));
            assertThat(text).doesNotContain("4111-2222-3333-4444").doesNotContain("4111222233334444")
                    .doesNotContain("sandbox-imp-secret");
        } finally {
            jsonContext.stop();
        }
    }

    @Test
    void decisionLogRestoresTheCallersMdc() {
        MDC.put("vendor", "outer");
        try {
            DecisionLog.info(LoggerFactory.getLogger(JsonLogFormatTest.class), "charge", "p-1", null, "iamport", "PAID",
                    5, "charge paymentId={}", "p-1");
            assertThat(MDC.get("vendor")).isEqualTo("outer");
            assertThat(MDC.get("paymentId")).isNull();
            assertThat(MDC.get("durationMs")).isNull();
        } finally {
            MDC.remove("vendor");
        }
    }

    /** Everything logged at INFO and above while {@code action} runs, in {@code layout}. */
    private static String capture(Layout<?> layout, Runnable action) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        StringWriter out = new StringWriter();
        WriterAppender appender = WriterAppender.newBuilder().setName("json-capture-" + UUID.randomUUID())
                .setTarget(out).setLayout(layout).build();
        appender.start();
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        root.addAppender(appender, Level.INFO, null);
        ctx.updateLoggers();
        try {
            action.run();
        } finally {
            root.removeAppender(appender.getName());
            ctx.updateLoggers();
            appender.stop();
        }
        synchronized (out) {
            return out.toString();
        }
    }
}
