package paybridge;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.apache.camel.spi.PropertiesComponent;

/** Typed, trimmed reads of application.properties (after placeholders and profile files). */
public final class Settings {
    private final PropertiesComponent props;

    public Settings(PropertiesComponent props) {
        this.props = props;
    }

    /** The value, or empty when the key is absent or blank. */
    public Optional<String> find(String key) {
        return props.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty());
    }

    public String get(String key, String defaultValue) {
        return find(key).orElse(defaultValue);
    }

    public String require(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("Missing setting " + key));
    }

    public int intValue(String key, int defaultValue) {
        return find(key).map(Integer::parseInt).orElse(defaultValue);
    }

    public boolean bool(String key, boolean defaultValue) {
        return find(key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    public Duration duration(String key, String defaultIso) {
        return Duration.parse(get(key, defaultIso));
    }

    /**
     * Reads an ISO-8601 duration and publishes it as {@code <key>-millis} for route URIs: Camel's
     * timer reads "PT2S" as 0 ms.
     */
    public Duration durationAsMillisProperty(String key, String defaultIso) {
        Duration value = duration(key, defaultIso);
        props.addOverrideProperty(key + "-millis", String.valueOf(value.toMillis()));
        return value;
    }

    /**
     * This node's id: {@code paybridge.node.id}, else the host name and a random suffix, generated
     * once and then published as the setting, so billing runs and webhook leases name one node.
     */
    public synchronized String nodeId() {
        Optional<String> configured = find("paybridge.node.id");
        if (configured.isPresent()) {
            return configured.get();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "node";
        }
        String generated = host + "-" + UUID.randomUUID().toString().substring(0, 6);
        props.addOverrideProperty("paybridge.node.id", generated);
        return generated;
    }
}
