package paybridge.sandbox;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.apache.camel.impl.DefaultCamelContext;
import paybridge.PaybridgeConfiguration;
import paybridge.Settings;

/**
 * The vendor sandbox as a process of its own, for runs where it must outlive the paybridge nodes it
 * serves (bench/chaos.sh kills nodes; a vendor does not forget its payments when a merchant's server
 * dies). Reads the same {@code paybridge.sandbox.*} settings as the in-process sandbox, from
 * {@code application.properties} in {@code PAYBRIDGE_HOME} (default: the working directory) with
 * {@code -D} system properties winning; {@code paybridge.sandbox.webhook-url} may list several nodes,
 * comma-separated. Prints {@code SANDBOX_PORT=<port>} once listening; stops on SIGTERM.
 */
public final class SandboxMain {
    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getenv().getOrDefault("PAYBRIDGE_HOME", ".")).toAbsolutePath();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            // only the properties component is used: placeholders, {{env:…}}, system properties override
            context.getPropertiesComponent().setLocation("file:" + home.resolve("application.properties")
                    + ";optional=true,classpath:application.properties;optional=true");
            context.getPropertiesComponent().addInitialProperty("paybridge.home", home.toString());
            Settings settings = new Settings(context.getPropertiesComponent());
            SandboxServer server = new SandboxServer(SandboxSettings.from(settings),
                    PaybridgeConfiguration.sandboxFaults(settings));
            int port = server.start();
            System.out.println("SANDBOX_PORT=" + port);
            System.out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            stopped.await();
        }
    }
}
