package paybridge.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * A table the backlog counts is locked by another session (a migration, an operator's maintenance, a
 * failover's stuck transaction): the readiness probe and the metrics scrape still answer, each reading
 * bounded and never queued behind another that waits, with the readings unknown; and read again once
 * the lock is gone.
 */
class BacklogUnderLockTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void probesAndScrapesAnswerWhileATableTheyCountIsLocked() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(), "paybridge.db.user", pg.user(),
                     "paybridge.observe.backlog-refresh", "PT0S",
                     // an event destination: its backlog gauges and readiness details count event_deliveries
                     "paybridge.events.destinations", "crm",
                     "paybridge.events.destination.crm.uri", "http://127.0.0.1:1/events"))) {
            String management = "http://127.0.0.1:" + app.managementPort;
            try (Connection locker = DriverManager.getConnection(pg.url(), pg.user(), "")) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE webhook_inbox IN ACCESS EXCLUSIVE MODE");
                    // and one the double-charge check reads (a migration's ALTER waiting, say)
                    s.execute("LOCK TABLE ledger_entries IN ACCESS EXCLUSIVE MODE");
                    s.execute("LOCK TABLE event_deliveries IN ACCESS EXCLUSIVE MODE");
                }
                // several callers at once, as probes and scrapes come: each answers (bounded at 20 s here,
                // where an unbounded reading waits for the lock for as long as it is held)
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> ready = get(management + "/observe/health/ready");
                    assertThat(ready.statusCode()).isIn(200, 503);
                    HttpResponse<String> metrics = get(management + "/observe/metrics");
                    assertThat(metrics.statusCode()).isEqualTo(200);
                    assertThat(metrics.body()).contains("paybridge_webhook_inbox_backlog NaN", "paybridge_events_undelivered NaN");
                }
                locker.rollback();
            }
            // read again a while after the failed reading (not by every gauge of every scrape meanwhile)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get(management + "/observe/metrics").body()).contains("paybridge_webhook_inbox_backlog 0.0",
                            "paybridge_events_undelivered 0.0"));
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
