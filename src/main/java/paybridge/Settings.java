package paybridge;

import java.util.Optional;

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
}
