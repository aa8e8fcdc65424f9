package paybridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.LogCapture;
import paybridge.testing.RunningPaybridge;

/** The prod profile refuses to start without what real money needs, and never serves the sandbox. */
class ProfileGuardTest {

    @Test
    void prodRefusesToStartNamingEveryMissingSetting() {
        assertThatThrownBy(() -> RunningPaybridge.start(Map.of("camel.main.profile", "prod")).close())
                .hasStackTraceContaining("The prod profile refuses to start: missing PAYBRIDGE_API_KEY (or PAYBRIDGE_API_KEYS), "
                        + "STEPPAY_SECRET_TOKEN, IAMPORT_API_KEY, IAMPORT_API_SECRET");
    }

    @Test
    void prodAsksOnlyForTheVendorsEnabled() {
        Map<String, Object> props = new HashMap<>();
        props.put("camel.main.profile", "prod");
        props.put("paybridge.vendors", "steppay");
        props.put("paybridge.api.key", "k");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("missing STEPPAY_SECRET_TOKEN")
                .satisfies(e -> assertThat(stackOf(e)).doesNotContain("IAMPORT_API_KEY"));
    }

    @Test
    void prodWithTossEnabledRequiresItsSecretKey() {
        Map<String, Object> props = prodWithCredentials();
        props.put("paybridge.vendors", "steppay,iamport,toss");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("The prod profile refuses to start: missing TOSS_SECRET_KEY");
    }

    @Test
    void prodWithTossAndNoWebhookSourceListStartsButWarns() {
        Map<String, Object> props = prodWithCredentials();
        props.put("paybridge.vendors", "steppay,iamport,toss");
        props.put("paybridge.toss.secret-key", "live_sk_x");
        try (LogCapture log = new LogCapture()) {
            try (RunningPaybridge app = RunningPaybridge.start(props)) {
                assertThat(app.health().status()).isEqualTo(200);
            }
            assertThat(log.text()).contains("WARN paybridge.ProfileGuard prod: PAYBRIDGE_TOSS_WEBHOOK_IPS is unset");
        }
        props.put("paybridge.toss.webhook-ips", "13.124.18.147,13.124.108.35,3.36.173.151,3.38.81.32");
        try (LogCapture log = new LogCapture()) {
            RunningPaybridge.start(props).close();
            assertThat(log.text()).doesNotContain("PAYBRIDGE_TOSS_WEBHOOK_IPS is unset");
        }
    }

    @Test
    void aProfileNamedLikeProdButNotProdRefusesToStart() {
        Map<String, Object> props = prodWithCredentials();
        props.put("camel.main.profile", "production");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("Profile 'production' is not a paybridge profile: production runs with CAMEL_MAIN_PROFILE=prod");
    }

    @Test
    void prodRefusesATossTestKey() {
        Map<String, Object> props = prodWithCredentials();
        props.put("paybridge.vendors", "steppay,iamport,toss");
        props.put("paybridge.toss.secret-key", "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R");
        props.put("paybridge.toss.webhook-ips", "13.124.18.147");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("missing TOSS_SECRET_KEY (a live key: a test_ key's charges move no money)");
    }

    @Test
    void prodRefusesPlainHttpToAVendorOnAnotherHost() {
        Map<String, Object> props = prodWithCredentials();
        props.put("paybridge.iamport.base-url", "http://api.iamport.kr");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("paybridge.iamport.base-url is plain http to another host");
        assertThat(ProfileGuard.plainHttpToAnotherHost("https://api.iamport.kr")).isFalse();
        assertThat(ProfileGuard.plainHttpToAnotherHost("http://127.0.0.1:8099")).isFalse(); // a local proxy, a benchmark's fake
        assertThat(ProfileGuard.plainHttpToAnotherHost("HTTP://10.0.0.5:80")).isTrue();
    }

    @Test
    void prodRefusesASandboxBaseUrl() {
        Map<String, Object> props = prodWithCredentials();
        props.put("paybridge.iamport.base-url", "http://127.0.0.1:1/sandbox/iamport");
        assertThatThrownBy(() -> RunningPaybridge.start(props).close())
                .hasStackTraceContaining("paybridge.iamport.base-url points at the sandbox");
    }

    @Test
    void prodWithCredentialsStartsAndServesNoSandbox() {
        try (LogCapture log = new LogCapture()) {
            try (RunningPaybridge app = RunningPaybridge.start(prodWithCredentials())) {
                assertThat(app.health().status()).isEqualTo(200);
                assertThat(app.lookup("sandbox", Object.class)).isNull();
                assertThat(listening(app.sandboxPort)).as("sandbox port").isFalse();
            }
            // the tests' database is an in-memory H2 one
            assertThat(log.text()).contains("WARN paybridge.ProfileGuard prod: PAYBRIDGE_DB_URL is an in-memory H2 database");
        }
    }

    @Test
    void prodWarnsOfH2AndNotOfPostgresql() {
        assertThat(ProfileGuard.databaseWarning("jdbc:h2:file:./data/paybridge"))
                .hasValueSatisfying(w -> assertThat(w).contains("a crash of this process loses what was committed in its last moments"));
        assertThat(ProfileGuard.databaseWarning("jdbc:h2:mem:x")).hasValueSatisfying(w -> assertThat(w).contains("in-memory"));
        assertThat(ProfileGuard.databaseWarning("jdbc:postgresql://127.0.0.1:5432/paybridge")).isEmpty();
    }

    private static Map<String, Object> prodWithCredentials() {
        Map<String, Object> props = new HashMap<>();
        props.put("camel.main.profile", "prod");
        props.put("paybridge.api.key", "test-api-key");
        props.put("paybridge.steppay.secret-token", "t");
        props.put("paybridge.iamport.api-key", "k");
        props.put("paybridge.iamport.api-secret", "s");
        return props;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String stackOf(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
