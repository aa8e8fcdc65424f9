package paybridge.connector.iamport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import paybridge.sandbox.TestAmounts;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.VendorHarness;
import paybridge.connector.VendorPayment;

/** Everything logged (at DEBUG, Camel and HTTP client included) while charging names no card data, token or secret. */
class IamportRouteLogTest {

    @Test
    void logsHoldNoCardDataTokensOrSecrets() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " " + event.getThrown()));
            }
        };
        capture.start();
        LoggerConfig root = config.getRootLogger();
        Level before = root.getLevel();
        root.addAppender(capture, Level.DEBUG, null);
        root.setLevel(Level.DEBUG);
        ctx.updateLoggers();
        try (VendorHarness h = new VendorHarness()) {
            h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), 1000, "cu_log"), ChargeOutcome.class);
            h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), TestAmounts.DECLINE, "cu_log2"),
                    ChargeOutcome.class);
            h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), TestAmounts.HANG, null),
                    ChargeOutcome.class);
            h.call("direct:iamport-lookup-order", "nope", VendorPayment.class);
        } finally {
            root.removeAppender("capture");
            root.setLevel(before);
            ctx.updateLoggers();
        }
        assertThat(lines).isNotEmpty();
        assertThat(lines).anyMatch(l -> l.contains("outcome=PAID"));
        for (String line : lines) {
            assertThat(line).doesNotContain("1234-1234-1234-1234", "1234123412341234", "900101", "pwd_2digit",
                    "card_number", "sandbox-imp-secret", "access_token", "Bearer ");
        }
    }
}
