package paybridge;

import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Camel's {@code dev} profile turns developer features on after the properties files are bound, so the
 * files alone cannot turn them off: message history and a standby backlog tracer (each copies every
 * message, card numbers included, into memory) and the loading of every health check a component ships
 * (a scan of the whole jar at start-up). This applies the files' values for them once Camel's
 * configuration is done, before any route is built. Keys not set are left as Camel's profile has them.
 */
final class CamelProfileOverrides extends MainListenerSupport {
    static final String MESSAGE_HISTORY = "camel.main.message-history";
    static final String TRACE_STANDBY = "camel.trace.standby";
    static final String LOAD_HEALTH_CHECKS = "camel.main.load-health-checks";

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent properties = context.getPropertiesComponent();
        flag(properties, MESSAGE_HISTORY).ifPresent(context::setMessageHistory);
        flag(properties, TRACE_STANDBY).ifPresent(context::setBacklogTracingStandby);
        flag(properties, LOAD_HEALTH_CHECKS).ifPresent(context::setLoadHealthChecks);
    }

    private static Optional<Boolean> flag(PropertiesComponent properties, String key) {
        return properties.resolveProperty(key).map(v -> Boolean.parseBoolean(v.trim()));
    }
}
