package paybridge.billing;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.Customer;
import paybridge.ledger.Sql;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Subscriptions and runs for the billing tests. */
final class BillingFixtures {
    static final String STEPPAY_KEY = "16057932413479698c8vqQG0kMix9";

    private BillingFixtures() {
    }

    static String subscriptionJson(String id, String vendor, String key, long amount, String interval, String nextBillingAt) {
        return subscriptionJson(id, "user-" + id, vendor, key, amount, interval, nextBillingAt);
    }

    /** As above, for the customer given (the one whose card the key is: another customer's key is refused). */
    static String subscriptionJson(String id, String customerId, String vendor, String key, long amount, String interval,
                                   String nextBillingAt) {
        return """
                {"subscriptionId": "%s", "vendor": "%s", "billingKey": "%s",
                 "customer": {"id": "%s", "name": "홍길동", "phone": "010-1234-5678", "email": "gildong@example.kr"},
                 "orderName": "Premium plan", "amount": %d, "currency": "KRW", "interval": "%s", "nextBillingAt": "%s"}
                """.formatted(id, vendor, key, customerId, amount, interval, nextBillingAt);
    }

    /** Inserts many subscriptions straight through the store (the API path is tested on its own). */
    static void insert(RunningPaybridge app, String prefix, int n, String vendor, String key, long amount, String nextBillingAt) {
        insert(app, prefix, n, vendor, key, amount, "P1M", nextBillingAt);
    }

    static void insert(RunningPaybridge app, String prefix, int n, String vendor, String key, long amount, String interval,
                       String nextBillingAt) {
        SubscriptionStore store = app.lookup("subscriptionStore", SubscriptionStore.class);
        OffsetDateTime anchor = OffsetDateTime.parse(nextBillingAt);
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            String id = prefix + String.format("%05d", i);
            store.insert(new Subscription(id, "test", vendor, key, new Customer("user-" + id, "홍길동", null, null),
                    "Premium plan", amount, "KRW", interval, anchor, 0, anchor.toInstant(), "ACTIVE", null, null, null, now, now));
        }
    }

    static Sql sql(RunningPaybridge app) {
        return new Sql(app.context());
    }

    /**
     * A RUNNING run of another node whose last heartbeat was {@code silentSeconds} ago on the database's
     * clock (0: it beats now).
     */
    static void insertRun(RunningPaybridge app, String runId, Instant asOf, String node, long silentSeconds) {
        app.lookup("billingRunStore", BillingRunStore.class).insert(runId, asOf, false, node);
        sql(app).update("""
                UPDATE billing_runs SET heartbeat_at = CURRENT_TIMESTAMP - CAST(:?s AS BIGINT) * INTERVAL '1' SECOND,
                    started_at = CURRENT_TIMESTAMP - CAST(:?s AS BIGINT) * INTERVAL '1' SECOND
                WHERE run_id = :?runId""", Map.of("s", silentSeconds, "runId", runId));
    }

    static String startRun(RunningPaybridge app, String asOf, boolean dryRun) {
        Response r = app.postJson("/api/billing-runs", "{\"asOf\": \"" + asOf + "\", \"dryRun\": " + dryRun + "}");
        if (r.status() != 202) {
            throw new AssertionError("run not started: " + r.status() + " " + r.body());
        }
        return r.json().path("runId").asText();
    }

    /** Polls the run document until it is no longer RUNNING. */
    static JsonNode awaitRun(RunningPaybridge app, String runId, Duration timeout) {
        return awaitRun(app, runId, timeout, 100);
    }

    /** As above, every {@code pollMillis} (each read counts the run's attempts: not free under load). */
    static JsonNode awaitRun(RunningPaybridge app, String runId, Duration timeout, long pollMillis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode doc = null;
        while (System.nanoTime() < deadline) {
            doc = app.get("/api/billing-runs/" + runId).json();
            if (!"RUNNING".equals(doc.path("status").asText())) {
                return doc;
            }
            sleep(pollMillis);
        }
        throw new AssertionError("run " + runId + " still RUNNING after " + timeout + ": " + doc);
    }

    static JsonNode run(RunningPaybridge app, String asOf) {
        return awaitRun(app, startRun(app, asOf, false), Duration.ofMinutes(3));
    }

    static long charges(RunningPaybridge app, String vendor) {
        JsonNode stats = app.get(app.sandboxUrl() + "/" + vendor + "/_stats").json();
        return stats.has("response") ? stats.path("response").path("charges").asLong() : stats.path("charges").asLong();
    }

    static JsonNode subscription(RunningPaybridge app, String id) {
        return app.get("/api/subscriptions/" + id).json();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
