package paybridge.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** paybridge.management.token over real HTTP on the management port; and the probe paths it serves. */
class ManagementTokenTest {
    private static final String TOKEN = "mgmt-7f3c9a";

    private static Response get(RunningPaybridge app, String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.managementPort + path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return app.send(request);
    }

    @Test
    void withTheTokenSetEveryManagementPathNeedsIt() {
        // (RunningPaybridge sends the token with its own health checks while it waits for UP)
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.management.token", TOKEN))) {
            for (String path : new String[] {"/observe/health", "/observe/health/live", "/observe/health/ready",
                    "/observe/metrics", "/observe/nothing-here"}) {
                Response none = get(app, path, null);
                assertThat(none.status()).as(path).isEqualTo(401);
                assertThat(none.contentType()).startsWith("application/problem+json");
                assertThat(none.json().path("status").asInt()).isEqualTo(401);
                assertThat(get(app, path, "Bearer wrong-token").status()).as(path).isEqualTo(401);
                assertThat(get(app, path, "Bearer " + TOKEN + "x").status()).as(path).isEqualTo(401);
                assertThat(get(app, path, TOKEN).status()).as(path).isEqualTo(401);
            }
            Response health = get(app, "/observe/health", "Bearer " + TOKEN);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("UP");
            assertThat(get(app, "/observe/metrics", "Bearer " + TOKEN).body()).contains("paybridge_");
            // the business port is not the management token's: /api stays as paybridge.api.key says
            assertThat(app.get("/api/openapi.json").status()).isEqualTo(200);
        }
    }

    @Test
    void offByDefaultAndTheProbePathsAnswer() {
        try (RunningPaybridge app = RunningPaybridge.start()) {
            assertThat(get(app, "/observe/health", null).status()).isEqualTo(200);
            assertThat(get(app, "/observe/metrics", null).status()).isEqualTo(200);
            // the paths deploy/kubernetes probes: liveness and readiness
            Response live = get(app, "/observe/health/live", null);
            assertThat(live.status()).as(live.body()).isEqualTo(200);
            assertThat(live.body()).contains("UP");
            Response ready = get(app, "/observe/health/ready", null);
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("UP");
        }
    }
}
