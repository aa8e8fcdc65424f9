package paybridge.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/** A port paybridge cannot listen on stops start-up instead of leaving a node without its API. */
class HttpServersListeningTest {

    @Test
    void apiPortTakenStopsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String port = String.valueOf(taken.getLocalPort());
            assertThatThrownBy(() -> RunningPaybridge.start(Map.of("paybridge.http.port", port, "camel.server.port", port)))
                    .hasStackTraceContaining("no HTTP server listens on").hasStackTraceContaining(":" + port + " ");
        }
    }

    @Test
    void managementPortTakenStopsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            String port = String.valueOf(taken.getLocalPort());
            assertThatThrownBy(() -> RunningPaybridge.start(Map.of("camel.management.port", port)))
                    .hasStackTraceContaining("no HTTP server listens on").hasStackTraceContaining(":" + port + " ");
        }
    }
}
