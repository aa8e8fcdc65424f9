package paybridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paybridge.testing.RunningPaybridge;

/** In the dev profile an edited routes/*.camel.yaml takes effect without a restart. */
class RouteReloadTest {

    @Test
    void editedRouteFileIsReloaded(@TempDir Path home) throws Exception {
        Path routes = Files.createDirectories(home.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Files.copy(Path.of("application.properties"), home.resolve("application.properties"));
        try (RunningPaybridge app = RunningPaybridge.start(home, Map.of("camel.main.routes-reload-enabled", "true"))) {
            assertThat(app.get("/api/ping").body()).contains("\"ok\"");
            Path api = routes.resolve("api.camel.yaml");
            edit(api, "constant: '{\"status\":\"ok\"}'", "constant: '{\"status\":\"edited\"}'");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(app.get("/api/ping").body()).contains("\"edited\""));
            assertThat(app.get("/api/payments/none").status()).as("the other routes still run").isEqualTo(404);
            // one edit can be seen as two changes (the file truncated, then written): let a second reload end
            // before the context stops, which Camel does not wait for (its stop summary walks the route list
            // the reload is changing)
            org.apache.camel.spi.ReloadStrategy reload = app.context().hasService(org.apache.camel.spi.ReloadStrategy.class);
            assertThat(reload).as("the route watcher").isNotNull();
            int[] last = {-1};
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(700)).until(() -> {
                int now = reload.getReloadCounter();
                boolean settled = now == last[0];
                last[0] = now;
                return settled;
            });
        }
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }
}
