package paybridge;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;
import paybridge.billing.BillingConfiguration;
import paybridge.events.EventsConfiguration;
import paybridge.observe.ObserveConfiguration;
import paybridge.webhooks.WebhookConfiguration;

/**
 * Starts paybridge: {@code java -jar target/paybridge.jar}.
 *
 * <p>Reads {@code application.properties} and {@code routes/} from the working directory, or from
 * the directory {@code PAYBRIDGE_HOME} names (CONTRACT §1); the copy inside the jar is only a
 * fallback so the jar also starts on its own. The configurations are named in {@link #CONFIGURATIONS};
 * Java routes are only the connectors', which the connector registry adds.
 */
public final class PaybridgeMain {

    /**
     * Every {@link CamelConfiguration} of paybridge, in the order they run: the database, connectors and
     * payment services first, the rest building on what it binds.
     */
    static final List<Class<? extends CamelConfiguration>> CONFIGURATIONS = List.of(
            PaybridgeConfiguration.class, ObserveConfiguration.class, EventsConfiguration.class,
            BillingConfiguration.class, WebhookConfiguration.class);

    private PaybridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        newMain(Path.of(System.getenv().getOrDefault("PAYBRIDGE_HOME", ".")), Map.of()).run(args);
    }

    /** The profile: a test's override, else CAMEL_MAIN_PROFILE, else dev (CONTRACT §1). */
    static String profile(Map<String, Object> overrides) {
        Object chosen = overrides.get("camel.main.profile");
        if (chosen == null) {
            chosen = System.getenv().getOrDefault("CAMEL_MAIN_PROFILE", "dev");
        }
        return chosen.toString().trim();
    }

    /**
     * The one way paybridge is assembled, used by {@link #main} and by the tests, so the tests start
     * exactly what production starts.
     *
     * @param home      the directory holding application.properties and routes/
     * @param overrides properties that win over every file (tests use them for ports and databases)
     */
    public static Main newMain(Path home, Map<String, Object> overrides) {
        Path absoluteHome = home.toAbsolutePath().normalize();
        // the configurations by name: camel-main's package scan would read every entry of the shaded jar
        // (about 0.6 s of a 3 s start). PaybridgeMainTest fails when a configuration is missing here
        Main main = new Main();
        CONFIGURATIONS.forEach(main.configure()::addConfiguration);
        main.addMainListener(new CamelProfileOverrides());
        // a connector's routes are added by the connector registry, and only for an enabled vendor
        main.configure().setJavaRoutesExcludePattern("paybridge/connector/**");
        // camel-main only reads classpath:application.properties by default (CAMEL-NOTES). The first
        // location that has a key wins: the operator's profile file, the profile file in the jar,
        // the operator's application.properties, then the copy in the jar.
        String profile = profile(overrides);
        main.setDefaultPropertyPlaceholderLocation(String.join(",",
                "file:" + absoluteHome.resolve("application-" + profile + ".properties") + ";optional=true",
                "classpath:application-" + profile + ".properties;optional=true",
                "file:" + absoluteHome.resolve("application.properties") + ";optional=true",
                "classpath:application.properties;optional=true"));
        java.util.Properties initial = new java.util.Properties();
        initial.setProperty("paybridge.home", absoluteHome.toString());
        initial.setProperty("camel.main.profile", profile);
        main.setInitialProperties(initial);
        if (!overrides.isEmpty()) {
            main.setOverrideProperties(Map.copyOf(overrides));
        }
        return main;
    }
}
