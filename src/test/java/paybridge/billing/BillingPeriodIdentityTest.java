package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.run;
import static paybridge.billing.BillingFixtures.subscription;
import static paybridge.billing.BillingFixtures.subscriptionJson;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * A period is its subscription and its index (CONTRACT §3): the yyyyMMdd of its id is fixed at its
 * first claim, so a changed PAYBRIDGE_BILLING_TIMEZONE, or two nodes on one database with different
 * zones, never make one period two. Two paybridge instances on one (H2) database, in Asia/Seoul and
 * in UTC, where a period due 2026-12-01T00:00+09:00 is dated 20261201 and 20261130.
 */
class BillingPeriodIdentityTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";

    private static Map<String, Object> node(String db, String name, String zone) {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.db.url", db);
        p.put("paybridge.node.id", name);
        p.put("paybridge.billing.quartz.instance-name", "paybridge-" + name);
        p.put("paybridge.billing.timezone", zone);
        p.put("paybridge.billing.concurrency", "8");
        p.put("paybridge.billing.join-interval", "PT0.5S");
        p.put("paybridge.sandbox.latency", "PT0.1S");
        return p;
    }

    @Test
    void aZoneChangedAfterThePeriodsFirstClaimNeverMakesItTwoPeriods() {
        String db = "jdbc:h2:mem:zone" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (RunningPaybridge seoul = RunningPaybridge.start(node(db, "seoul", "Asia/Seoul"));
             RunningPaybridge utc = RunningPaybridge.start(node(db, "utc", "UTC"))) {
            assertThat(seoul.postJson("/api/subscriptions", subscriptionJson("tz-open", "steppay", STEPPAY_KEY, 9900, "P1M", DUE))
                    .status()).isEqualTo(201);
            assertThat(seoul.postJson("/api/subscriptions", subscriptionJson("tz-dun", "steppay", STEPPAY_KEY, 4001, "P1M", DUE))
                    .status()).isEqualTo(201);
            // tz-open: claimed in Asia/Seoul and sent; the answer was lost (UNKNOWN, left to reconcile)
            BillingFixtures.insertRun(seoul, "run-seoul", Instant.parse("2026-11-30T18:00:00Z"), "seoul", 60);
            DueItem open = DueItem.of(seoul.lookup("subscriptionStore", SubscriptionStore.class).find("tz-open").orElseThrow(),
                    seoul.lookup("billingCalendar", BillingCalendar.class));
            assertThat(open.paymentId()).isEqualTo("tz-open-20261201");
            assertThat(seoul.lookup("billingAttemptStore", BillingAttemptStore.class).claim(open, "run-seoul", "seoul")).isTrue();
            PaymentStore payments = seoul.lookup("paymentStore", PaymentStore.class);
            payments.insert(open.command(), "test");
            payments.settleOpen(open.paymentId(), PaymentStates.require(PaymentStatus.PENDING, Fact.ANSWER_LOST),
                    null, null, new Failure("TIMEOUT", "no answer"));
            // tz-dun: its first attempt declined in a Seoul run; retry -r1 due 2026-12-02T00:00+09:00
            run(seoul, "2026-12-01T03:00:00+09:00");
            assertThat(seoul.get("/api/payments/tz-dun-20261201").json().path("status").asText()).isEqualTo("FAILED");
            long before = charges(seoul, "steppay") + charges(utc, "steppay");

            // now the zone is UTC, where the period's due date is 2026-11-30
            JsonNode r = run(utc, "2026-12-02T03:00:00+09:00");
            assertThat(r.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(attemptIds(utc, "tz-open")).containsExactly("tz-open-20261201");
            assertThat(attemptIds(utc, "tz-dun")).containsExactly("tz-dun-20261201", "tz-dun-20261201-r1");
            assertThat(utc.get("/api/payments/tz-open-20261130").status()).isEqualTo(404);
            assertThat(charges(seoul, "steppay") + charges(utc, "steppay")).isEqualTo(before + 1);
        }
    }

    /**
     * A daily subscription due at 00:30 in Seoul, its period paid there; the zone changed to UTC, where the
     * next period's due date (15:30 the day before) is the date the last period's id got. The next period
     * still gets an id of its own (the day after) and is charged, never skipped as "already claimed".
     */
    @Test
    void aZoneChangeNeverGivesTheNextPeriodTheLastPeriodsId() {
        String db = "jdbc:h2:mem:zoneday" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        try (RunningPaybridge seoul = RunningPaybridge.start(node(db, "seoul", "Asia/Seoul"));
             RunningPaybridge utc = RunningPaybridge.start(node(db, "utc", "UTC"))) {
            assertThat(seoul.postJson("/api/subscriptions", subscriptionJson("tz-daily", "steppay", STEPPAY_KEY, 9900, "P1D",
                    "2026-12-01T00:30:00+09:00")).status()).isEqualTo(201);
            run(seoul, "2026-12-01T03:00:00+09:00");
            assertThat(seoul.get("/api/payments/tz-daily-20261201").json().path("status").asText()).isEqualTo("PAID");
            long before = charges(seoul, "steppay") + charges(utc, "steppay");

            // in UTC the next period is due 2026-12-01T15:30Z: dated 2026-12-01 there, the last period's date
            JsonNode r = run(utc, "2026-12-02T03:00:00+09:00");
            assertThat(r.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(attemptIds(utc, "tz-daily")).containsExactly("tz-daily-20261201", "tz-daily-20261202");
            assertThat(utc.get("/api/payments/tz-daily-20261202").json().path("status").asText()).isEqualTo("PAID");
            assertThat(charges(seoul, "steppay") + charges(utc, "steppay")).isEqualTo(before + 1);
            assertThat(java.time.OffsetDateTime.parse(subscription(utc, "tz-daily").path("nextBillingAt").asText()).toInstant())
                    .isEqualTo(Instant.parse("2026-12-02T15:30:00Z"));
        }
    }

    @Test
    void twoNodesWithDifferentZonesOnOneDatabaseChargeEachPeriodOnce() {
        twoNodesWithDifferentZones(node("jdbc:h2:mem:zones" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1", "seoul", "Asia/Seoul"), node("", "utc", "UTC"));
    }

    @Test
    void twoNodesWithDifferentZonesOnOnePostgresqlDatabaseChargeEachPeriodOnce() {
        try (Postgres pg = Postgres.createDatabase()) {
            Map<String, Object> seoul = node(pg.url(), "seoul", "Asia/Seoul");
            seoul.put("paybridge.db.user", pg.user());
            seoul.put("paybridge.db.password", "");
            Map<String, Object> utc = new HashMap<>(seoul);
            utc.putAll(node(pg.url(), "utc", "UTC"));
            twoNodesWithDifferentZones(seoul, utc);
        }
    }

    private static void twoNodesWithDifferentZones(Map<String, Object> seoulNode, Map<String, Object> utcNode) {
        utcNode.put("paybridge.db.url", seoulNode.get("paybridge.db.url"));
        try (RunningPaybridge seoul = RunningPaybridge.start(seoulNode);
             RunningPaybridge utc = RunningPaybridge.start(utcNode)) {
            int n = 300;
            BillingFixtures.insert(seoul, "zz", n, "steppay", STEPPAY_KEY, 9900, DUE);
            long before = charges(seoul, "steppay") + charges(utc, "steppay");

            // started on the Seoul node; the UTC node joins it and works from the other end
            JsonNode done = BillingFixtures.awaitRun(seoul, BillingFixtures.startRun(seoul, "2026-12-01T03:00:00+09:00", false),
                    Duration.ofMinutes(3));
            assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
            Sql sql = BillingFixtures.sql(seoul);
            assertThat(count(sql, "SELECT COUNT(DISTINCT claimed_by) AS n FROM billing_attempts WHERE subscription_id LIKE 'zz%'"))
                    .as("both nodes claimed").isEqualTo(2);
            assertThat(count(sql, "SELECT COUNT(*) AS n FROM billing_attempts WHERE subscription_id LIKE 'zz%'")).isEqualTo(n);
            assertThat(count(sql, "SELECT COUNT(*) AS n FROM payments WHERE subscription_id LIKE 'zz%'")).isEqualTo(n);
            assertThat(count(sql, "SELECT COUNT(*) AS n FROM subscriptions WHERE subscription_id LIKE 'zz%' AND period_index = 1"))
                    .isEqualTo(n);
            assertThat(charges(seoul, "steppay") + charges(utc, "steppay")).isEqualTo(before + n);
        }
    }

    private static List<String> attemptIds(RunningPaybridge app, String subscriptionId) {
        return BillingFixtures.sql(app).query("SELECT payment_id FROM billing_attempts WHERE subscription_id = :?id"
                + " ORDER BY payment_id", Map.of("id", subscriptionId)).stream().map(r -> (String) r.get("payment_id")).toList();
    }

    private static long count(Sql sql, String query) {
        return Sql.longValue(sql.query(query, Map.of()).get(0).get("n"));
    }
}
