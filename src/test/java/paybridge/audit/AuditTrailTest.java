package paybridge.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
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
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Every state-changing API call leaves an audit row naming the API key's name; operator actions
 * (resolve, replay, PATCH, DELETE, resume) carry the request's X-Reason; a refused action leaves none
 * (it is one transaction with its change), nor does a repeated create that changed nothing; GET
 * /api/audit filters and pages with a cursor. On H2 here, on PostgreSQL in {@link AuditTrailPostgresTest}.
 */
class AuditTrailTest {
    static final String OPS = "ops-key-0001";
    static final String SHOP = "shop-key-0002";
    private static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
    private static RunningPaybridge h2App;

    @BeforeAll
    static void start() {
        h2App = RunningPaybridge.start(settings());
    }

    RunningPaybridge app() {
        return h2App;
    }

    boolean postgres() {
        return false;
    }

    /** An application with no key configured (the API open). */
    RunningPaybridge startOpen() {
        return RunningPaybridge.start(Map.of());
    }

    static Map<String, Object> settings() {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.api.keys", "ops:" + OPS + ",shop:" + SHOP);
        // an UNKNOWN charge (the sandbox's lost answer) that may be resolved at once
        p.put("paybridge.vendor.timeout", "PT0.5S");
        p.put("paybridge.vendor.operation-timeout", "PT0.5S");
        p.put("paybridge.vendor.in-flight-margin", "PT0S");
        p.put("paybridge.reconcile.interval", "PT1H");
        p.put("paybridge.webhook.processing-enabled", "false");
        return p;
    }

    @AfterAll
    static void stop() {
        if (h2App != null) {
            h2App.close();
        }
    }

    static Response call(RunningPaybridge on, String method, String path, String key, String reason, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : on.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (reason != null) {
            b.header("X-Reason", reason);
        }
        return on.send(b);
    }

    Response call(String method, String path, String key, String reason, String body) {
        return call(app(), method, path, key, reason, body);
    }

    JsonNode audit(String query) {
        Response r = call("GET", "/api/audit" + query, OPS, null, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    List<JsonNode> rowsOf(String action, String target) {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode e : audit("?limit=1000").path("entries")) {
            if (action.equals(e.path("action").asText()) && target.equals(e.path("target").asText())) {
                rows.add(e);
            }
        }
        return rows;
    }

    JsonNode onlyRow(String action, String target) {
        // a row is listed once every transaction that began before it has ended (the list's horizon),
        // e.g. a billing run's in the background: wait for it
        await().atMost(Duration.ofSeconds(20)).until(() -> !rowsOf(action, target).isEmpty());
        List<JsonNode> rows = rowsOf(action, target);
        assertThat(rows).as(action + " " + target).hasSize(1);
        return rows.get(0);
    }

    void storeCard(String paymentId, String customer, String customerUid) {
        Response r = call("POST", "/api/payments", SHOP, null, """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                 "orderName": "Card check", "customer": {"id": "%s"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2030-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": true, "billingKey": "%s"}""".formatted(paymentId, customer, customerUid));
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("PAID");
    }

    @Test
    void everyOperatorActionIsRecordedWithItsActorAndReason() {
        // resolve: a charge whose answer was lost (4003), settled by an operator
        Response unknown = call("POST", "/api/payments", SHOP, null, """
                {"paymentId": "au-resolve-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 4003,
                 "orderName": "Plan", "customer": {"id": "user-au"}, "billingKey": "16057932413479698c8vqQG0kMix9"}""");
        assertThat(unknown.json().path("status").asText()).as(unknown.body()).isEqualTo("UNKNOWN");
        assertThat(onlyRow("payment.charge", "au-resolve-1").path("actor").asText()).isEqualTo("shop");
        Response[] resolved = new Response[1];
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            resolved[0] = call("POST", "/api/payments/au-resolve-1/resolve", OPS, "checked in the Steppay console",
                    "{\"status\": \"PAID\", \"reason\": \"seen paid\"}");
            assertThat(resolved[0].status()).isNotEqualTo(409);
        });
        assertThat(resolved[0].status()).as(resolved[0].body()).isEqualTo(200);
        JsonNode resolve = onlyRow("payment.resolve", "au-resolve-1");
        assertThat(resolve.path("actor").asText()).isEqualTo("ops");
        assertThat(resolve.path("reason").asText()).isEqualTo("checked in the Steppay console");
        assertThat(Instant.parse(resolve.path("at").asText())).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
        // resolving it again is a 409 (already decided): nothing changed, no second row
        assertThat(call("POST", "/api/payments/au-resolve-1/resolve", OPS, "again",
                "{\"status\": \"FAILED\", \"reason\": \"x\"}").status()).isEqualTo(409);
        assertThat(rowsOf("payment.resolve", "au-resolve-1")).hasSize(1);

        // subscription changes: PATCH, a refused resume (same HARD-declined key), resume on a new key, DELETE
        OffsetDateTime due = OffsetDateTime.now(SEOUL).truncatedTo(ChronoUnit.DAYS).minusDays(10);
        storeCard("au-card-1", "user-au-sub", "cu_au_old");
        storeCard("au-card-2", "user-au-sub", "cu_au_new");
        Response created = call("POST", "/api/subscriptions", SHOP, null, """
                {"subscriptionId": "au-sub", "vendor": "iamport", "billingKey": "cu_au_old",
                 "customer": {"id": "user-au-sub"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "%s"}""".formatted(due.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(onlyRow("subscription.create", "au-sub").path("actor").asText()).isEqualTo("shop");
        assertThat(call("POST", app().sandboxUrl() + "/iamport/_control/expire-card/cu_au_old", null, null, "{}").status())
                .isEqualTo(200);
        Response run = call("POST", "/api/billing-runs", OPS, "month-end catch-up",
                "{\"asOf\": \"" + due.plusHours(3).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\"}");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        String runId = run.json().path("runId").asText();
        assertThat(onlyRow("billing-run.start", runId).path("reason").asText()).isEqualTo("month-end catch-up");
        await().atMost(Duration.ofMinutes(1)).until(() -> "PAST_DUE".equals(
                call("GET", "/api/subscriptions/au-sub", OPS, null, null).json().path("state").asText()));

        Response sameKey = call("POST", "/api/subscriptions/au-sub/resume", OPS, "customer asked", null);
        assertThat(sameKey.status()).as(sameKey.body()).isEqualTo(422);
        assertThat(rowsOf("subscription.resume", "au-sub")).as("a refused resume leaves no row").isEmpty();

        Response patched = call("PATCH", "/api/subscriptions/au-sub", OPS, "new card by phone (ticket 4411)",
                "{\"billingKey\": \"cu_au_new\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        Response resumed = call("POST", "/api/subscriptions/au-sub/resume", OPS, "customer paid by transfer", null);
        assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
        Response cancelled = call("DELETE", "/api/subscriptions/au-sub", SHOP, "customer left", null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(onlyRow("subscription.patch", "au-sub").path("reason").asText()).isEqualTo("new card by phone (ticket 4411)");
        assertThat(onlyRow("subscription.patch", "au-sub").path("actor").asText()).isEqualTo("ops");
        assertThat(onlyRow("subscription.resume", "au-sub").path("reason").asText()).isEqualTo("customer paid by transfer");
        assertThat(onlyRow("subscription.cancel", "au-sub").path("actor").asText()).isEqualTo("shop");
        assertThat(onlyRow("subscription.cancel", "au-sub").path("reason").asText()).isEqualTo("customer left");
        // a PATCH of the cancelled subscription is a 409: its row, written first in its transaction, is rolled back
        Response late = call("PATCH", "/api/subscriptions/au-sub", OPS, "too late", "{\"amount\": 100}");
        assertThat(late.status()).as(late.body()).isEqualTo(409);

        // replay of a stored webhook delivery
        Response stored = app().postJson("/webhooks/iamport",
                "{\"imp_uid\": \"imp_000000000000\", \"merchant_uid\": \"au-x\", \"status\": \"paid\"}");
        String inboxId = stored.json().path("inboxId").asText();
        Response replayed = call("POST", "/api/webhooks/" + inboxId + "/replay", OPS, "vendor outage over", null);
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(200);
        assertThat(onlyRow("webhook.replay", inboxId).path("reason").asText()).isEqualTo("vendor outage over");

        // a refund, recorded under its caller (no reason given: null)
        Response refund = call("POST", "/api/refunds", SHOP, null,
                "{\"refundId\": \"au-rf-1\", \"paymentId\": \"au-card-1\", \"amount\": 100}");
        assertThat(refund.status()).as(refund.body()).isEqualTo(200);
        JsonNode refundRow = onlyRow("refund.create", "au-rf-1");
        assertThat(refundRow.path("actor").asText()).isEqualTo("shop");
        assertThat(refundRow.path("reason").isNull()).isTrue();
        // the refused PATCH above is older than the refund's row, which is listed: it would be too
        assertThat(rowsOf("subscription.patch", "au-sub")).as("a refused PATCH leaves no row").hasSize(1);
    }

    @Test
    void aRepeatedCreateThatChangedNothingWritesNoRow() {
        String body = """
                {"subscriptionId": "au-again", "vendor": "steppay", "billingKey": "bk-again",
                 "customer": {"id": "user-again"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "2099-01-01T00:00:00+09:00"}""";
        assertThat(call("POST", "/api/subscriptions", SHOP, null, body).status()).isEqualTo(201);
        Response again = call("POST", "/api/subscriptions", OPS, "retry after a timeout", body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        Response other = call("POST", "/api/subscriptions", OPS, null, body.replace("9900", "9901"));
        assertThat(other.status()).as(other.body()).isEqualTo(409);
        // a later row listed: every earlier one would be listed too
        assertThat(call("POST", "/api/subscriptions", SHOP, null, body.replace("au-again", "au-again-2")).status())
                .isEqualTo(201);
        onlyRow("subscription.create", "au-again-2");
        JsonNode row = onlyRow("subscription.create", "au-again");
        assertThat(row.path("actor").asText()).isEqualTo("shop");
    }

    @Test
    void aReasonTooLongIs422NamingTheHeaderAndChangesNothing() {
        Response created = call("POST", "/api/subscriptions", SHOP, null, """
                {"subscriptionId": "au-long", "vendor": "steppay", "billingKey": "bk-long",
                 "customer": {"id": "user-long"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                 "nextBillingAt": "2099-01-01T00:00:00+09:00"}""");
        assertThat(created.status()).isEqualTo(201);
        Response r = call("PATCH", "/api/subscriptions/au-long", OPS, "x".repeat(501), "{\"amount\": 1}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("X-Reason");
        assertThat(call("GET", "/api/subscriptions/au-long", OPS, null, null).json().path("amount").asLong()).isEqualTo(9900);
        assertThat(rowsOf("subscription.patch", "au-long")).isEmpty();
        // 500 characters are kept whole
        assertThat(call("PATCH", "/api/subscriptions/au-long", OPS, "y".repeat(500), "{\"amount\": 2}").status()).isEqualTo(200);
        assertThat(onlyRow("subscription.patch", "au-long").path("reason").asText()).hasSize(500);
    }

    @Test
    void theListFiltersByActorAndTimeAndPagesWithACursor() {
        Instant before = Instant.now().minusSeconds(3600);
        for (int i = 0; i < 5; i++) {
            String body = """
                    {"subscriptionId": "au-page-%d", "vendor": "steppay", "billingKey": "bk-page",
                     "customer": {"id": "user-page"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                     "nextBillingAt": "2099-01-01T00:00:00+09:00"}""".formatted(i);
            assertThat(call("POST", "/api/subscriptions", i % 2 == 0 ? SHOP : OPS, null, body).status()).isEqualTo(201);
        }
        onlyRow("subscription.create", "au-page-4");
        // every page of 2, oldest first, no entry twice, none skipped
        List<String> paged = new ArrayList<>();
        String next = null;
        Instant last = Instant.MIN;
        do {
            JsonNode page = audit("?actor=shop&limit=2" + (next == null ? "" : "&after=" + next));
            assertThat(page.path("entries").size()).isLessThanOrEqualTo(2);
            for (JsonNode e : page.path("entries")) {
                assertThat(e.path("actor").asText()).isEqualTo("shop");
                Instant at = Instant.parse(e.path("at").asText());
                assertThat(at).isAfterOrEqualTo(last);
                last = at;
                paged.add(e.path("auditId").asText());
            }
            next = page.path("next").isNull() ? null : page.path("next").asText();
        } while (next != null);
        List<String> all = new ArrayList<>();
        audit("?actor=shop&limit=1000").path("entries").forEach(e -> all.add(e.path("auditId").asText()));
        assertThat(paged).containsExactlyElementsOf(all).doesNotHaveDuplicates();
        assertThat(all.size()).isGreaterThanOrEqualTo(3);
        assertThat(audit("?actor=ops&limit=1000").path("entries").findValuesAsText("target")).contains("au-page-1", "au-page-3")
                .doesNotContain("au-page-0");

        // from (inclusive) / to (exclusive), on the rows' own (database) times
        JsonNode first = audit("?actor=shop&limit=1").path("entries").get(0);
        String at = first.path("at").asText();
        assertThat(audit("?actor=shop&limit=1000&to=" + enc(at)).path("entries").findValuesAsText("auditId"))
                .doesNotContain(first.path("auditId").asText());
        assertThat(audit("?actor=shop&limit=1&from=" + enc(at)).path("entries").get(0).path("auditId").asText())
                .isEqualTo(first.path("auditId").asText());
        assertThat(audit("?from=" + enc(Instant.now().plusSeconds(3600).toString())).path("entries")).isEmpty();
        assertThat(audit("?from=" + enc(before.toString()) + "&limit=1000").path("entries").size()).isGreaterThanOrEqualTo(5);

        // bad parameters: 400 naming each
        Response bad = call("GET", "/api/audit?limit=0&after=nope&from=yesterday", OPS, null, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").findValuesAsText("field")).containsExactlyInAnyOrder("limit", "after", "from");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void withNoKeyConfiguredTheActorIsAnonymous() {
        try (RunningPaybridge open = startOpen()) {
            Response created = call(open, "POST", "/api/subscriptions", null, "by hand", """
                    {"subscriptionId": "au-anon", "vendor": "steppay", "billingKey": "bk-anon",
                     "customer": {"id": "user-anon"}, "orderName": "Plan", "amount": 9900, "interval": "P1M",
                     "nextBillingAt": "2099-01-01T00:00:00+09:00"}""");
            assertThat(created.status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(20)).until(() -> open.get("/api/audit").json().path("entries").size() > 0);
            JsonNode e = open.get("/api/audit").json().path("entries").get(0);
            assertThat(e.path("actor").asText()).isEqualTo("anonymous");
            assertThat(e.path("action").asText()).isEqualTo("subscription.create");
            assertThat(e.path("target").asText()).isEqualTo("au-anon");
            assertThat(e.path("reason").asText()).isEqualTo("by hand");
            assertThat(e.path("auditId").asText()).isNotBlank();
        }
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
        AuditStore store = new AuditStore(new Sql(app().context()), app().lookup("transactions", Transactions.class),
                new paybridge.ledger.CommitHorizon(new Sql(app().context()), app().lookup("transactions", Transactions.class), this::postgres));
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> app().lookup("transactions", Transactions.class).run(() -> {
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
