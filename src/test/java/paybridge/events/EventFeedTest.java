package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.observe.BoundedReading;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * GET /api/events as a feed (cursor, next never null, limit, filters, problem+json for bad input),
 * GET /api/events/{id}, redeliver's answers, the OpenAPI document, the retention job, and the
 * observability of deliveries (meters, report-only health) with a destination that is down.
 */
class EventFeedTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.events.destinations", "down");
        // nothing listens there: every try fails (connection refused)
        p.put("paybridge.events.destination.down.uri", "http://127.0.0.1:9/events");
        p.put("paybridge.events.destination.down.types", "payment.failed");
        p.put("paybridge.events.poll-interval", "PT0.2S");
        p.put("paybridge.events.retry-delays", "PT0.2S");
        p.put("paybridge.observe.backlog-refresh", "PT0.1S");
        app = RunningPaybridge.start(p);
        for (int i = 0; i < 5; i++) {
            assertThat(app.postJson("/api/payments", EventTypesTest.keyIn("f-" + i, 2000)).status()).isEqualTo(200);
        }
        assertThat(app.postJson("/api/payments", EventTypesTest.keyIn("f-declined", 4001)).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theFeedPagesOldestFirstWithACursorThatIsNeverNull() {
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/api/events").json().path("events").size() >= 6);
        List<String> all = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            JsonNode body = app.get("/api/events?type=payment.paid&limit=2" + (after == null ? "" : "&after=" + after)).json();
            assertThat(body.path("next").isTextual()).isTrue();
            body.path("events").forEach(e -> all.add(e.path("data").path("paymentId").asText()));
            if (body.path("events").size() < 2) {
                after = body.path("next").asText();
                break;
            }
            after = body.path("next").asText();
        }
        assertThat(all).containsExactly("f-0", "f-1", "f-2", "f-3", "f-4");
        // at the end: no events, and next stays a position to poll again with
        JsonNode end = app.get("/api/events?after=" + after).json();
        assertThat(end.path("events")).isEmpty();
        assertThat(end.path("next").asText()).isEqualTo(after);
        JsonNode first = app.get("/api/events?paymentId=f-declined").json();
        assertThat(first.path("events")).hasSize(1);
        assertThat(first.path("events").get(0).path("type").asText()).isEqualTo("payment.failed");
        assertThat(first.path("events").get(0).path("data").path("failure").path("code").asText()).isNotBlank();
        assertThat(app.get("/api/events?limit=1").json().path("events")).hasSize(1);

        // a cursor of the feed before it was ordered by time (a bare seq) still goes on after its event
        long seq = paybridge.ledger.Sql.longValue(new paybridge.ledger.Sql(app.context()).query(
                "SELECT seq FROM events WHERE payment_id = 'f-2' AND type = 'payment.paid'", Map.of()).get(0).get("seq"));
        List<String> rest = new ArrayList<>();
        app.get("/api/events?type=payment.paid&after=" + seq).json().path("events")
                .forEach(e -> rest.add(e.path("data").path("paymentId").asText()));
        assertThat(rest).startsWith("f-3", "f-4").doesNotContain("f-0", "f-1", "f-2");
    }

    @Test
    void badInputIsAProblemNamingTheField() {
        for (String[] c : new String[][] {{"limit=0", "limit"}, {"limit=1001", "limit"}, {"after=abc", "after"},
                {"type=PAID", "type"}, {"paymentId=" + "x".repeat(41), "paymentId"}}) {
            Response r = app.get("/api/events?" + c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo(c[1]);
        }
        assertThat(app.get("/api/events/evt_00000000000000000000000000000000").status()).isEqualTo(404);
        assertThat(app.get("/api/events/nonsense").status()).isEqualTo(404);
        assertThat(app.postJson("/api/events/evt_00000000000000000000000000000000/redeliver", "").status()).isEqualTo(404);
        String id = await().atMost(Duration.ofSeconds(10)).until(
                () -> app.get("/api/events?paymentId=f-0").json().path("events"), events -> events.size() == 1)
                .get(0).path("id").asText();
        Response unknown = app.postJson("/api/events/" + id + "/redeliver", "{\"destination\": \"nowhere\"}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().path("errors").get(0).path("field").asText()).isEqualTo("destination");
        assertThat(app.postJson("/api/events/" + id + "/redeliver", "[1]").status()).isEqualTo(400);
        // a payment.paid event has no delivery to "down" (its types): naming it makes one
        Response named = app.postJson("/api/events/" + id + "/redeliver", "{\"destination\": \"down\"}");
        assertThat(named.status()).isEqualTo(202);
        assertThat(named.json().path("deliveries").get(0).path("destination").asText()).isEqualTo("down");
    }

    @Test
    void theOpenApiDocumentListsTheEventsApi() {
        JsonNode paths = app.get("/api/openapi.json").json().path("paths");
        assertThat(paths.has("/api/events")).isTrue();
        assertThat(paths.path("/api/events").path("get").path("parameters")).extracting(n -> n.path("name").asText())
                .contains("type", "paymentId", "subscriptionId", "after", "limit");
        assertThat(paths.has("/api/events/{eventId}")).isTrue();
        assertThat(paths.path("/api/events/{eventId}/redeliver").path("post").path("responses").has("202")).isTrue();
    }

    @Test
    void deliveriesAreCountedAndTheBacklogIsReportedWhileHealthStaysUp() {
        String id = await().atMost(Duration.ofSeconds(10)).until(
                () -> app.get("/api/events?paymentId=f-declined").json().path("events"), events -> events.size() == 1)
                .get(0).path("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "FAILED".equals(app.get("/api/events/" + id).json().path("deliveries").get(0).path("status").asText()));
        JsonNode d = app.get("/api/events/" + id).json().path("deliveries").get(0);
        assertThat(d.path("attempts").asInt()).isEqualTo(2);
        assertThat(d.path("lastStatus").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = app.get("http://127.0.0.1:" + app.managementPort + "/observe/metrics").body();
            // (another test's redeliver to "down" may have added its own tries)
            assertThat(counted(metrics, "retry")).isGreaterThanOrEqualTo(1);
            assertThat(counted(metrics, "failed")).isGreaterThanOrEqualTo(1);
            assertThat(counted(metrics, "delivered")).isZero();
            assertThat(metrics).contains("paybridge_events_undelivered ");
            assertThat(metrics).contains("paybridge_events_undelivered_oldest_seconds ");
        });
        Response health = app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full");
        assertThat(health.status()).isEqualTo(200);
        // report only: UP, with what waits for an operator
        assertThat(health.body()).contains("{\"name\":\"events\",\"status\":\"UP\"")
                .contains("FAILED after every retry");
    }

    @Test
    void deliveriesToADestinationNoLongerConfiguredAreReportedNotCountedAsBacklog() {
        // f-1's payment.paid has no delivery ("down" takes payment.failed only); one is left PENDING to a
        // destination that was configured once
        String id = await().atMost(Duration.ofSeconds(10)).until(
                () -> app.get("/api/events?paymentId=f-1").json().path("events"), events -> events.size() == 1)
                .get(0).path("id").asText();
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app.context());
        sql.update("""
                INSERT INTO event_deliveries (event_id, destination, status, attempts, retries_from, next_attempt_at, created_at)
                VALUES (:?id, 'removed', 'PENDING', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""", Map.of("id", id));
        try {
            EventStore store = app.lookup("eventStore", EventStore.class);
            EventStore.Backlog here = store.backlog(List.of("down"), BoundedReading.QUERY_TIMEOUT);
            assertThat(here.unconfigured()).isEqualTo(1);
            assertThat(store.backlog(List.of("down", "removed"), BoundedReading.QUERY_TIMEOUT).undelivered()).isEqualTo(here.undelivered() + 1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    app.get("http://127.0.0.1:" + app.managementPort + "/observe/health?exposureLevel=full").body())
                    .contains("no longer configured"));
        } finally {
            sql.update("DELETE FROM event_deliveries WHERE destination = 'removed'", Map.of());
        }
    }

    private static double counted(String metrics, String outcome) {
        String prefix = "paybridge_event_deliveries_total{destination=\"down\",outcome=\"" + outcome + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(-1);
    }

    @Test
    void theRetentionJobDeletesOldEventsDeliveredEverywhereAndKeepsAFailedOne() throws Exception {
        assertThat(app.postJson("/api/payments", EventTypesTest.keyIn("f-old", 2000)).status()).isEqualTo(200);
        // a declined charge whose event's delivery to "down" failed after every retry
        assertThat(app.postJson("/api/payments", EventTypesTest.keyIn("f-old-failed", 4001)).status()).isEqualTo(200);
        String failed = await().atMost(Duration.ofSeconds(10)).until(
                () -> app.get("/api/events?paymentId=f-old-failed").json().path("events"), events -> events.size() == 1)
                .get(0).path("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                "FAILED".equals(app.get("/api/events/" + failed).json().path("deliveries").get(0).path("status").asText()));
        javax.sql.DataSource db = app.lookup("database", paybridge.ledger.Database.class).dataSource();
        try (java.sql.Connection c = db.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "UPDATE events SET created_at = created_at - INTERVAL '31' DAY WHERE payment_id IN (?, ?)")) {
            ps.setString(1, "f-old");
            ps.setString(2, "f-old-failed");
            assertThat(ps.executeUpdate()).isEqualTo(2);
        }
        app.lookup("eventDeliveries", EventDeliveries.class).purge();
        assertThat(app.get("/api/events/" + failed).status()).as("never delivered: kept").isEqualTo(200);
        assertThat(app.get("/api/events?paymentId=f-old").json().path("events")).isEmpty();
        assertThat(app.get("/api/events?paymentId=f-1").json().path("events")).hasSize(1);
    }
}
