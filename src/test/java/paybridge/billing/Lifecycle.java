package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** HTTP helpers for the subscription lifecycle tests: PATCH, resume, iamport billing keys, vendor records. */
final class Lifecycle {
    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");

    private Lifecycle() {
    }

    /**
     * A due date ten days before today in Seoul (midnight): every dunning offset (P1D, P3D, P7D) is in
     * the past, the next period (P1M) well in the future, whatever day the tests run.
     */
    static OffsetDateTime dueTenDaysAgo() {
        return OffsetDateTime.now(SEOUL).truncatedTo(ChronoUnit.DAYS).minusDays(10);
    }

    static String iso(OffsetDateTime t) {
        return t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** {@code <subscriptionId>-<yyyyMMdd>} of a period due at {@code due} (Seoul). */
    static String periodId(String subscriptionId, OffsetDateTime due) {
        return subscriptionId + "-" + due.atZoneSameInstant(SEOUL).format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8);
    }

    /** A key-in charge at iamport that stores the card under {@code customerUid} for {@code customerId}. */
    static void storeIamportCard(RunningPaybridge app, String paymentId, String customerId, String customerUid) {
        Response r = app.postJson("/api/payments", """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": 1000,
                 "orderName": "Card check", "customer": {"id": "%s", "name": "홍길동"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2030-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": true, "billingKey": "%s"}""".formatted(paymentId, customerId, customerUid));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("PAID");
        assertThat(r.json().path("billingKey").asText()).isEqualTo(customerUid);
    }

    static String subscriptionJson(String id, String customerId, String vendor, String key, long amount, OffsetDateTime due) {
        return """
                {"subscriptionId": "%s", "vendor": "%s", "billingKey": "%s",
                 "customer": {"id": "%s", "name": "홍길동", "phone": "010-1234-5678", "email": "gildong@example.kr"},
                 "orderName": "Premium plan", "amount": %d, "interval": "P1M", "nextBillingAt": "%s"}
                """.formatted(id, vendor, key, customerId, amount, iso(due));
    }

    static Response create(RunningPaybridge app, String json) {
        Response r = app.postJson("/api/subscriptions", json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r;
    }

    static Response patch(RunningPaybridge app, String subscriptionId, String json) {
        return app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/" + subscriptionId))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    static Response resume(RunningPaybridge app, String subscriptionId, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/" + subscriptionId
                + "/resume"));
        if (json == null) {
            return app.send(b.POST(HttpRequest.BodyPublishers.noBody()));
        }
        return app.send(b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    /** A billing run as of this instant, awaited. */
    static JsonNode runAt(RunningPaybridge app, OffsetDateTime asOf) {
        return BillingFixtures.awaitRun(app, BillingFixtures.startRun(app, iso(asOf), false), Duration.ofMinutes(2));
    }

    static JsonNode runAt(RunningPaybridge app, String asOf) {
        return BillingFixtures.awaitRun(app, BillingFixtures.startRun(app, asOf, false), Duration.ofMinutes(2));
    }

    /** The stored card of a customer_uid has expired since (sandbox test control). */
    static void expireCard(RunningPaybridge app, String customerUid) {
        Response r = app.postJson(app.sandboxUrl() + "/iamport/_control/expire-card/" + customerUid, "{}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Every iamport payment the vendor holds. */
    static JsonNode iamportRecords(RunningPaybridge app) {
        return app.get(app.sandboxUrl() + "/iamport/_records").json().path("response");
    }

    /** How many charges the vendor made on this customer_uid (paid or declined). */
    static long chargesOnKey(RunningPaybridge app, String customerUid) {
        long n = 0;
        for (JsonNode p : iamportRecords(app)) {
            if (customerUid.equals(p.path("customer_uid").asText())) {
                n++;
            }
        }
        return n;
    }

    /** The vendor's record of a merchant_uid. */
    static JsonNode iamportRecord(RunningPaybridge app, String merchantUid) {
        for (JsonNode p : iamportRecords(app)) {
            if (merchantUid.equals(p.path("merchant_uid").asText())) {
                return p;
            }
        }
        throw new AssertionError("iamport has no payment " + merchantUid);
    }

    /** The field names of a problem's errors (without a leading slash). */
    static java.util.List<String> fields(Response r) {
        return r.json().path("errors").findValuesAsText("field").stream().map(f -> f.replaceFirst("^/", "")).toList();
    }
}
