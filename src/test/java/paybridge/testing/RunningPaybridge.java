package paybridge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import paybridge.PaybridgeMain;

/**
 * paybridge started in this JVM exactly as {@code java -jar} starts it ({@link PaybridgeMain#newMain}),
 * from the repository's own application.properties and routes/, on free ports and a private
 * in-memory H2 database (or the database a test names). Talk to it over real HTTP.
 */
public final class RunningPaybridge implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final int httpPort;
    public final int managementPort;
    public final int sandboxPort;
    private final Main main;
    /** paybridge.management.token when the test set one: sent with every health request */
    private String managementToken;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private RunningPaybridge(Main main, int httpPort, int managementPort, int sandboxPort) {
        this.main = main;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.sandboxPort = sandboxPort;
    }

    public static RunningPaybridge start() {
        return start(Map.of());
    }

    /** Starts with these properties on top of the files; waits until health says UP. */
    public static RunningPaybridge start(Map<String, Object> properties) {
        return start(Path.of("."), properties);
    }

    /** Starts from another home directory (its application.properties and routes/). */
    public static RunningPaybridge start(Path home, Map<String, Object> properties) {
        int http = FreePorts.next();
        int management = FreePorts.next();
        int sandbox = FreePorts.next();
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("paybridge.http.port", String.valueOf(http));
        overrides.put("camel.server.port", String.valueOf(http));
        overrides.put("camel.management.port", String.valueOf(management));
        overrides.put("paybridge.sandbox.port", String.valueOf(sandbox));
        overrides.put("paybridge.db.url", "jdbc:h2:mem:pb" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        overrides.put("camel.main.routes-reload-enabled", "false");
        overrides.putAll(properties);
        Main main = PaybridgeMain.newMain(home, overrides);
        RunningPaybridge app = new RunningPaybridge(main, http, management, sandbox);
        Object token = overrides.get("paybridge.management.token");
        app.managementToken = token == null ? null : token.toString();
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("paybridge did not start: " + e.getMessage(), e);
        }
        app.awaitHealthy(Duration.ofSeconds(20));
        return app;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T lookup(String name, Class<T> type) {
        return main.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    /** The first column of the first row {@code query} answers ({@code ?} bound to {@code params}) as text; null for none. */
    public String text(String query, Object... params) {
        try (java.sql.Connection c = lookup("database", paybridge.ledger.Database.class).dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(query)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String sandboxUrl() {
        return "http://127.0.0.1:" + sandboxPort + "/sandbox";
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
    }

    public Response postJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String url(String path) {
        return path.startsWith("http") ? path : baseUrl() + path;
    }

    public Response health() {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).GET();
        if (managementToken != null) {
            request.header("Authorization", "Bearer " + managementToken);
        }
        return send(request);
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = health();
                if (last.status() == 200 && last.body().contains("UP")) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // server not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("paybridge not healthy within " + timeout + ": " + last);
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An HTTP answer: status, content type and body. */
    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (" + status + " " + contentType + "): " + body, e);
            }
        }
    }
}
