package paybridge;

import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.main.Main;

/**
 * Starts paybridge: {@code java -jar target/paybridge.jar}.
 *
 * <p>Reads {@code application.properties} and {@code routes/} from the working directory, or from
 * the directory {@code PAYBRIDGE_HOME} names (CONTRACT §1); the copy inside the jar is only a
 * fallback so the jar also starts on its own. Java routes and configuration are found by package
 * scan from this class.
 */
public final class PaybridgeMain {

    private PaybridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        newMain(Path.of(System.getenv().getOrDefault("PAYBRIDGE_HOME", ".")), Map.of()).run(args);
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
        Main main = new Main(PaybridgeMain.class); // finds PaybridgeConfiguration and RouteBuilders by package scan
        // camel-main only reads classpath:application.properties by default (CAMEL-NOTES)
        main.setDefaultPropertyPlaceholderLocation(
                "file:" + absoluteHome.resolve("application.properties") + ";optional=true,"
                        + "classpath:application.properties;optional=true");
        java.util.Properties initial = new java.util.Properties();
        initial.setProperty("paybridge.home", absoluteHome.toString());
        main.setInitialProperties(initial);
        if (!overrides.isEmpty()) {
            main.setOverrideProperties(Map.copyOf(overrides));
        }
        return main;
    }
}
