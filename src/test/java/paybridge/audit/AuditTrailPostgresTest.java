package paybridge.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Sql;
import paybridge.ledger.Transactions;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * {@link AuditTrailTest} on PostgreSQL (the oneTransaction policy over HTTP: resolve, PATCH, resume,
 * cancel with their rows; refused ones leave none), and the list's horizon: a row whose transaction
 * began earlier but commits later is never passed by a reader.
 */
class AuditTrailPostgresTest extends AuditTrailTest {
    private static final List<Postgres> databases = new ArrayList<>();
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start(onNewDatabase(settings()));
    }

    private static Map<String, Object> onNewDatabase(Map<String, Object> settings) {
        Postgres pg = Postgres.createDatabase();
        databases.add(pg);
        settings.put("paybridge.db.url", pg.url());
        settings.put("paybridge.db.user", pg.user());
        return settings;
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        databases.forEach(Postgres::close);
    }

    @Override
    RunningPaybridge app() {
        return app;
    }

    @Override
    RunningPaybridge startOpen() {
        return RunningPaybridge.start(onNewDatabase(new java.util.HashMap<>()));
    }

    private List<String> listedTargets() {
        List<String> targets = new ArrayList<>();
        for (JsonNode e : audit("?limit=1000").path("entries")) {
            targets.add(e.path("target").asText());
        }
        return targets;
    }

    private String subscription(String id) {
        return """
                {"subscriptionId": "%s", "vendor": "steppay", "billingKey": "bk-%s",
                 "customer": {"id": "user-%s"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "2099-01-01T00:00:00+09:00"}""".formatted(id, id, id);
    }

    @Test
    void aRowThatCommitsLaterWithAnEarlierTimeIsNeverPassedByTheList() throws Exception {
        assertThat(call("POST", "/api/subscriptions", SHOP, null, subscription("hz-before")).status()).isEqualTo(201);
        onlyRow("subscription.create", "hz-before");

        // a change whose transaction began (and stamped its row) first, and commits last: written by the
        // application's own store, held open here as a lock wait or a slow statement would hold it
        AuditStore store = new AuditStore(new Sql(app.context()), app.lookup("transactions", Transactions.class), true);
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> app.lookup("transactions", Transactions.class).run(() -> {
            store.append("ops", "test.slow-change", "hz-slow", null);
            written.countDown();
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
        // a change that begins and commits meanwhile: its row has a later time than the open one
        assertThat(call("POST", "/api/subscriptions", SHOP, null, subscription("hz-after")).status()).isEqualTo(201);

        // a reader now: nothing at or after the open transaction's start is listed yet, so its cursor
        // cannot pass the row still to come
        List<String> seen = listedTargets();
        assertThat(seen).contains("hz-before").doesNotContain("hz-slow", "hz-after");

        release.countDown();
        slow.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> listedTargets().contains("hz-after"));
        List<String> later = listedTargets();
        // what was listed before is exactly the beginning of what is listed now, and the late row is
        // listed in its time's place, before the row that committed first
        assertThat(later.subList(0, seen.size())).containsExactlyElementsOf(seen);
        assertThat(later.indexOf("hz-slow")).isGreaterThanOrEqualTo(seen.size()).isLessThan(later.indexOf("hz-after"));
    }
}
