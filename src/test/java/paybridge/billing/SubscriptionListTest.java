package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Customer;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * GET /api/subscriptions (CONTRACT §2): filters, oldest createdAt first, a cursor that returns each
 * subscription exactly once while new ones are inserted, and bad parameters named in a 400.
 */
class SubscriptionListTest {

    @Test
    void onH2() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start()) {
            aThousandInPagesOfAHundredEachExactlyOnceWhileNewOnesAreInserted(app, 1000);
            filtersAndBadParameters(app);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.db.url", pg.url(),
                     "paybridge.db.user", pg.user(), "paybridge.db.password", "",
                     "paybridge.billing.quartz.instance-name", "paybridge-list"))) {
            aThousandInPagesOfAHundredEachExactlyOnceWhileNewOnesAreInserted(app, 1000);
            filtersAndBadParameters(app);
        }
    }

    private static void aThousandInPagesOfAHundredEachExactlyOnceWhileNewOnesAreInserted(RunningPaybridge app, int n)
            throws Exception {
        // the thousand: created at distinct times, ids in an order other than their creation's
        SubscriptionStore store = app.lookup("subscriptionStore", SubscriptionStore.class);
        OffsetDateTime anchor = OffsetDateTime.parse("2026-12-01T00:00:00+09:00");
        Instant base = Instant.now().minusSeconds(3600);
        for (int i = 0; i < n; i++) {
            String id = "ls" + String.format("%05d", (i * 7919) % n);
            // every tenth shares its creation time with the one before: ties are ordered by id
            Instant created = base.plusMillis(i - (i % 10 == 9 ? 1 : 0));
            store.insert(new Subscription(id, "test", "steppay", STEPPAY_KEY, new Customer("user-" + id, null, null, null),
                    "Premium plan", 9900, "KRW", "P1M", anchor, 0, anchor.toInstant(), "ACTIVE", null, null, null,
                    created, created));
        }
        // new subscriptions keep arriving while the pages are read, with ids that sort before and after
        // the thousand: through the API (created now: after them), and stamped inside their range (a node
        // whose clock is behind), some of those among the pages already read
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger inserted = new AtomicInteger();
        Thread inserter = new Thread(() -> {
            while (reading.get()) {
                int k = inserted.getAndIncrement();
                String id = (k % 2 == 0 ? "la" : "lz") + k;
                if (k % 3 == 0) {
                    Instant created = base.plusMillis((k * 37L) % n);
                    store.insert(new Subscription(id, "test", "steppay", STEPPAY_KEY, new Customer("user-" + id, null,
                            null, null), "Premium plan", 9900, "KRW", "P1M", anchor, 0, anchor.toInstant(), "ACTIVE",
                            null, null, null, created, created));
                    continue;
                }
                Response r = app.postJson("/api/subscriptions", BillingFixtures.subscriptionJson(id, "steppay", STEPPAY_KEY,
                        9900, "P1M", "2026-12-01T00:00:00+09:00"));
                if (r.status() != 201) {
                    throw new AssertionError(r.body());
                }
            }
        });
        inserter.start();
        Map<String, Integer> seen = new HashMap<>();
        List<Instant> order = new ArrayList<>();
        String after = null;
        int pages = 0;
        try {
            do {
                Response r = app.get("/api/subscriptions?limit=100" + (after == null ? "" : "&after="
                        + URLEncoder.encode(after, StandardCharsets.UTF_8)));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                JsonNode page = r.json();
                assertThat(page.path("subscriptions").size()).isLessThanOrEqualTo(100);
                for (JsonNode s : page.path("subscriptions")) {
                    seen.merge(s.path("subscriptionId").asText(), 1, Integer::sum);
                    order.add(Instant.parse(s.path("createdAt").asText()));
                }
                after = page.path("next").isNull() ? null : page.path("next").asText();
                pages++;
                // let the inserter in between pages
                BillingFixtures.sleep(5);
            } while (after != null && pages < 100);
        } finally {
            reading.set(false);
            inserter.join();
        }
        assertThat(inserted.get()).as("inserted while reading").isPositive();
        for (int i = 0; i < n; i++) {
            assertThat(seen.get("ls" + String.format("%05d", i))).as("ls%05d", i).isEqualTo(1);
        }
        assertThat(seen.values()).as("no subscription twice").allMatch(count -> count == 1);
        for (int i = 1; i < order.size(); i++) {
            assertThat(order.get(i)).as("oldest createdAt first").isAfterOrEqualTo(order.get(i - 1));
        }
        assertThat(pages).isGreaterThanOrEqualTo(n / 100);
    }

    private static void filtersAndBadParameters(RunningPaybridge app) {
        app.postJson("/api/subscriptions", Lifecycle.subscriptionJson("lf-1", "user-lf", "iamport", "cu_lf_1", 9900,
                OffsetDateTime.parse("2026-12-01T00:00:00+09:00")));
        app.postJson("/api/subscriptions", Lifecycle.subscriptionJson("lf-2", "user-lf", "steppay", STEPPAY_KEY, 9900,
                OffsetDateTime.parse("2026-12-01T00:00:00+09:00")));
        BillingFixtures.sql(app).update("""
                UPDATE subscriptions SET state = 'PAST_DUE', past_due_reason = 'HARD_DECLINE',
                    past_due_since = CURRENT_TIMESTAMP, past_due_payment_id = 'lf-2-20261201'
                WHERE subscription_id = :?id""", Map.of("id", "lf-2"));

        JsonNode mine = app.get("/api/subscriptions?customerId=user-lf").json();
        assertThat(mine.path("subscriptions").findValuesAsText("subscriptionId")).containsExactly("lf-1", "lf-2");
        assertThat(mine.path("next").isNull()).isTrue();
        JsonNode pastDue = app.get("/api/subscriptions?state=PAST_DUE").json().path("subscriptions");
        assertThat(pastDue.findValuesAsText("subscriptionId")).containsExactly("lf-2");
        assertThat(pastDue.get(0).path("pastDue").path("reason").asText()).isEqualTo("HARD_DECLINE");
        assertThat(app.get("/api/subscriptions?vendor=iamport&customerId=user-lf").json().path("subscriptions")
                .findValuesAsText("subscriptionId")).containsExactly("lf-1");
        JsonNode one = app.get("/api/subscriptions?customerId=user-lf&limit=1").json();
        assertThat(one.path("subscriptions")).hasSize(1);
        JsonNode two = app.get("/api/subscriptions?customerId=user-lf&limit=1&after=" + one.path("next").asText()).json();
        assertThat(two.path("subscriptions").findValuesAsText("subscriptionId")).containsExactly("lf-2");
        assertThat(two.path("next").isNull()).isTrue();
        assertThat(app.get("/api/subscriptions?limit=1000").json().path("subscriptions").size()).isLessThanOrEqualTo(1000);

        for (String[] bad : new String[][] {{"limit=0", "limit"}, {"limit=1001", "limit"}, {"limit=ten", "limit"},
                {"state=LATE", "state"}, {"after=not-a-cursor", "after"}}) {
            Response r = app.get("/api/subscriptions?" + bad[0]);
            assertThat(r.status()).as(bad[0]).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(Lifecycle.fields(r)).as(bad[0]).containsExactly(bad[1]);
        }
    }
}
