package paybridge.connector;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import paybridge.sandbox.SandboxServer;
import paybridge.sandbox.SandboxSettings;
import paybridge.connector.ConnectorRegistry;
import paybridge.connector.iamport.IamportConnector;
import paybridge.connector.steppay.SteppayConnector;

/**
 * A vendor sandbox on a free port and a plain CamelContext with both vendors' routes pointed at
 * it: real HTTP, as in production. Each test that counts vendor requests makes its own.
 */
public final class VendorHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final SandboxSettings SETTINGS = SandboxSettings.builder()
            .webhookBaseUrl("http://127.0.0.1:9/webhooks") // nobody listens: webhooks are not under test here
            .hang(Duration.ofSeconds(3))
            .build();

    public final SandboxServer sandbox;
    public final CamelContext camel;
    public final ProducerTemplate template;
    public final String sandboxUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public VendorHarness() throws Exception {
        this(s -> s, p -> { });
    }

    /** @param overrides change settings after the defaults (base URLs at the sandbox, timeout PT0.5S) */
    public VendorHarness(UnaryOperator<SandboxSettings.Builder> sandboxSettings, Consumer<Properties> overrides) throws Exception {
        sandbox = new SandboxServer(sandboxSettings.apply(SETTINGS.toBuilder()).build());
        sandboxUrl = "http://127.0.0.1:" + sandbox.start() + "/sandbox";
        Properties p = new Properties();
        p.setProperty("paybridge.iamport.base-url", sandboxUrl + "/iamport");
        p.setProperty("paybridge.iamport.api-key", SETTINGS.iamportApiKey());
        p.setProperty("paybridge.iamport.api-secret", SETTINGS.iamportApiSecret());
        p.setProperty("paybridge.iamport.pg", "settle");
        p.setProperty("paybridge.steppay.base-url", sandboxUrl + "/steppay");
        p.setProperty("paybridge.steppay.secret-token", SETTINGS.steppaySecretToken());
        p.setProperty("paybridge.steppay.refund-header", "Secret-Token");
        p.setProperty("paybridge.vendor.timeout", "PT0.5S");
        overrides.accept(p);
        camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(p);
        paybridge.Settings settings = new paybridge.Settings(camel.getPropertiesComponent());
        new ConnectorRegistry(java.util.List.of(new IamportConnector(settings), new SteppayConnector(settings)))
                .addRoutes(camel);
        camel.start();
        template = camel.createProducerTemplate();
    }

    /** A port nobody listens on (bound, then closed). */
    public static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public <T> T call(String endpoint, Object body, Class<T> type) {
        return template.requestBody(endpoint, body, type);
    }

    /** {@code GET /sandbox/<vendor>/_stats}; iamport wraps it in its envelope. */
    public JsonNode stats(String vendor) throws Exception {
        JsonNode node = JSON.readTree(send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/" + vendor + "/_stats")).GET()));
        return node.has("response") ? node.get("response") : node;
    }

    public void expireIamportTokens() throws Exception {
        send(HttpRequest.newBuilder(URI.create(sandboxUrl + "/iamport/_control/expire-tokens"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    @Override
    public void close() {
        try {
            camel.close();
        } catch (Exception e) {
            // closing a test context
        }
        sandbox.close();
    }
}
