package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paybridge.testing.FreePorts;

/** PAYBRIDGE_HOME names the directory whose application.properties and routes/ are used (CONTRACT §1). */
class HomeDirectoryTest {

    @Test
    void settingsAndRoutesComeFromTheHomeDirectory(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("routes"));
        int port = FreePorts.next();
        String props = Files.readString(Path.of("application.properties"))
                .replace("paybridge.http.port = {{env:PAYBRIDGE_HTTP_PORT:8080}}", "paybridge.http.port = " + port);
        Files.writeString(home.resolve("application.properties"), props);
        Files.writeString(home.resolve("routes/home.camel.yaml"), """
                - route:
                    id: from-home
                    from:
                      uri: direct:from-home
                      steps:
                        - setBody:
                            constant: home routes
                """);
        Main main = PaybridgeMain.newMain(home, Map.of(
                "camel.management.port", String.valueOf(FreePorts.next()),
                "paybridge.sandbox.port", String.valueOf(FreePorts.next()),
                "camel.main.routes-reload-enabled", "false",
                "paybridge.db.url", "jdbc:h2:mem:home" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
        main.start();
        try {
            assertThat(main.getCamelContext().getRoute("from-home")).isNotNull();
            assertThat(main.getCamelContext().getRoute("api-ping")).as("routes of the working directory").isNull();
            assertThat(main.getCamelContext().resolvePropertyPlaceholders("{{paybridge.http.port}}")).isEqualTo(String.valueOf(port));
            String answer = main.getCamelContext().createProducerTemplate().requestBody("direct:from-home", "", String.class);
            assertThat(answer).isEqualTo("home routes");
        } finally {
            main.stop();
        }
    }
}
