package paybridge.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The properties the benchmarks start paybridge with: a profile of its own ({@code bench}) with the
 * sandbox as the vendors, as in {@code dev}, but without Camel's dev-profile tooling (tracer, message
 * history, dev consoles), so what is measured is what {@code prod} runs. Then every
 * {@code -Dbench.X=Y} system property as the paybridge property {@code X=Y}.
 */
public final class BenchProfile {
    private BenchProfile() {
    }

    public static Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        p.put("camel.main.profile", "bench");
        p.put("paybridge.sandbox.enabled", "true");
        p.put("paybridge.steppay.base-url", "http://127.0.0.1:{{paybridge.sandbox.port}}/sandbox/steppay");
        p.put("paybridge.iamport.base-url", "http://127.0.0.1:{{paybridge.sandbox.port}}/sandbox/iamport");
        p.put("paybridge.steppay.secret-token", "sandbox-steppay-token");
        p.put("paybridge.iamport.api-key", "sandbox-imp-key");
        p.put("paybridge.iamport.api-secret", "sandbox-imp-secret");
        p.put("camel.main.routes-reload-enabled", "false");
        return p;
    }

    /** -Dbench.X=Y system properties as paybridge properties X=Y (e.g. -Dbench.paybridge.db.pool-size=32). */
    public static Map<String, Object> overrides() {
        Map<String, Object> p = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("bench.")) {
                p.put(k.toString().substring("bench.".length()), v.toString());
            }
        });
        return p;
    }
}
