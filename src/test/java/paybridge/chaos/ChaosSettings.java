package paybridge.chaos;

import java.time.Duration;

/**
 * How big and how rough a chaos run is. Every value can be set as a system property
 * ({@code -Dchaos.duration=PT10M}); {@link #bench()} are bench/chaos.sh's defaults, {@link #test()}
 * the short run inside {@code mvn -B verify}.
 *
 * @param duration       how long the load and the kills go on
 * @param clients        API client threads (each one request at a time)
 * @param subscriptions  subscriptions billed by the runs (P1D, anchored long ago: due at every run)
 * @param billingEvery   how often a billing run is started (POST /api/billing-runs on a random node)
 * @param killMin        shortest pause between two kill -9s
 * @param killMax        longest
 * @param quietBound     after the load, how long reconcile, webhooks and billing get to close every open item
 * @param clockOffset    node b's clock offset (libfaketime FAKETIME), e.g. {@code +90s}
 * @param slow           probability of each vendor fault per vendor call (see paybridge.sandbox.Faults)
 * @param fail           …
 * @param hang           …
 * @param lose           …
 * @param keepDatabase   keep the PostgreSQL database after the run (for a look at the rows)
 */
public record ChaosSettings(Duration duration, int clients, int subscriptions, Duration billingEvery,
                            Duration killMin, Duration killMax, Duration quietBound, String clockOffset,
                            double slow, double fail, double hang, double lose, boolean keepDatabase) {

    public static ChaosSettings bench() {
        return fromSystemProperties(new ChaosSettings(Duration.ofMinutes(10), 6, 60, Duration.ofSeconds(20),
                Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofMinutes(4), "+90s",
                0.05, 0.04, 0.03, 0.04, true));
    }

    public static ChaosSettings test() {
        return fromSystemProperties(new ChaosSettings(Duration.ofSeconds(60), 2, 10, Duration.ofSeconds(15),
                Duration.ofSeconds(25), Duration.ofSeconds(40), Duration.ofMinutes(3), "+90s",
                0.05, 0.04, 0.03, 0.04, false));
    }

    private static ChaosSettings fromSystemProperties(ChaosSettings d) {
        return new ChaosSettings(
                duration("chaos.duration", d.duration), integer("chaos.clients", d.clients),
                integer("chaos.subscriptions", d.subscriptions), duration("chaos.billing-every", d.billingEvery),
                duration("chaos.kill-min", d.killMin), duration("chaos.kill-max", d.killMax),
                duration("chaos.quiet-bound", d.quietBound), System.getProperty("chaos.clock-offset", d.clockOffset),
                number("chaos.faults.slow", d.slow), number("chaos.faults.fail", d.fail),
                number("chaos.faults.hang", d.hang), number("chaos.faults.lose", d.lose),
                Boolean.parseBoolean(System.getProperty("chaos.keep-database", String.valueOf(d.keepDatabase))));
    }

    private static Duration duration(String key, Duration d) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? d : Duration.parse(v);
    }

    private static int integer(String key, int d) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? d : Integer.parseInt(v);
    }

    private static double number(String key, double d) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? d : Double.parseDouble(v);
    }
}
