package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;

/**
 * The packaged jar, started as the README says ({@code java -jar target/paybridge.jar} from the
 * repository root), serves health, the sandbox and a charge. Catches what only the shaded jar can
 * get wrong (a component missing at runtime, merged service files). Runs in {@code mvn verify}.
 */
class JarSmokeIT {

    @Test
    void theJarStartsAndCharges() throws Exception {
        Path jar = Path.of("target", "paybridge.jar");
        assertThat(jar).exists();
        int http = FreePorts.next();
        int management = FreePorts.next();
        int sandbox = FreePorts.next();
        Path log = Files.createTempFile("paybridge-jar", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PAYBRIDGE_HTTP_PORT", String.valueOf(http));
        pb.environment().put("CAMEL_MANAGEMENT_PORT", String.valueOf(management));
        pb.environment().put("PAYBRIDGE_SANDBOX_PORT", String.valueOf(sandbox));
        pb.environment().put("PAYBRIDGE_DB_URL", "jdbc:h2:mem:jar-smoke;DB_CLOSE_DELAY=-1");
        pb.environment().remove("CAMEL_MAIN_PROFILE");
        // the JSON layout lives in its own jar: its log4j2 plugin must survive the shading
        pb.environment().put("PAYBRIDGE_LOG_FORMAT", "json");
        Process process = pb.start();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            String health = "";
            for (int i = 0; i < 300 && !health.contains("UP"); i++) {
                assertThat(process.isAlive()).as("jar process alive; log: %s", log).isTrue();
                try {
                    health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/observe/health"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(health).as(Files.readString(log)).contains("UP");

            HttpResponse<String> charge = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/payments"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"paymentId": "jar-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 9900,
                             "orderName": "Premium plan", "customer": {"id": "user-42"},
                             "billingKey": "16057932413479698c8vqQG0kMix9"}""")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(charge.statusCode()).as(charge.body()).isEqualTo(200);
            assertThat(charge.body()).contains("\"status\":\"PAID\"");
            String output = Files.readString(log);
            assertThat(output).as("log4j2 configuration errors").doesNotContain("main ERROR");
            assertThat(output.lines().filter(l -> !l.isBlank()).findFirst().orElse("")).startsWith("{\"@timestamp\"");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        assertThat(new File(log.toString())).exists();
    }
}
