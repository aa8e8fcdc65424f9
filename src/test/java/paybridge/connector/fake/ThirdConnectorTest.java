package paybridge.connector.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paybridge.ledger.Database;
import paybridge.ledger.PaymentStore;
import paybridge.sandbox.fake.FakeSimulator;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Adding a vendor touches its package, its settings block, its dispatch branches and its sandbox
 * simulator, nothing else. A third connector ({@link FakeConnector}, test sources only) and its
 * simulator ({@link FakeSimulator}, found and served by the sandbox under /sandbox/fake, over real
 * HTTP) are added to a copy of the bundle's home directory: application.properties plus its
 * {@code paybridge.fake.*} block (and its dev defaults, pointing at its simulator), routes/ with its
 * branches in dispatch.camel.yaml; main code is the bundle's as is. A charge, a refund, a lost answer settled by reconcile and a webhook all go through
 * it; a vendor no connector serves is refused (422 at the API, 404 at /webhooks) and never served by
 * another connector.
 */
class ThirdConnectorTest {
    private static final String WEBHOOK_SECRET = "sandbox-fake-webhook-secret";
    @TempDir
    static Path temp;
    private static Path home;
    private static RunningPaybridge app;

    @BeforeAll
    static void start() throws IOException {
        home = withFakeVendor(temp.resolve("home"));
        app = RunningPaybridge.start(home, settings("steppay,iamport,fake"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static Map<String, Object> settings(String vendors) {
        Map<String, Object> s = new HashMap<>();
        s.put("paybridge.vendors", vendors);
        // the simulators answer a lost charge (4002) after this, well after the vendor timeout
        s.put("paybridge.sandbox.hang", "PT5S");
        s.put("paybridge.vendor.timeout", "PT2S");
        s.put("paybridge.vendor.operation-timeout", "PT2S");
        // a charge is looked up only once it can no longer be in flight: budget + timeout + this
        s.put("paybridge.vendor.in-flight-margin", "PT0.5S");
        s.put("paybridge.reconcile.interval", "PT0.3S");
        s.put("paybridge.reconcile.max-backoff", "PT1S");
        return s;
    }

    // ---- what adding the vendor takes, outside its package

    /**
     * A copy of the bundle's home directory with the fake vendor added: its settings block in
     * application.properties, its dev defaults (its simulator, the sandbox's credentials) in
     * application-dev.properties, and in dispatch.camel.yaml one more branch in each choice (its
     * charge operation before the charge choice's otherwise, its refund before the refund choice's).
     */
    static Path withFakeVendor(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("application.properties"), Files.readString(Path.of("application.properties")) + """

                # ---- fake (a third vendor; its connector: paybridge.connector.fake)
                paybridge.fake.base-url = {{env:FAKE_BASE_URL:https://api.fake.example}}
                paybridge.fake.api-key = {{env:FAKE_API_KEY:}}
                # unset: webhooks are not signature-checked (the lookup decides all the same)
                paybridge.fake.webhook-secret = {{env:FAKE_WEBHOOK_SECRET:}}
                paybridge.fake.webhook-ips = {{env:PAYBRIDGE_FAKE_WEBHOOK_IPS:}}
                """);
        Files.writeString(dir.resolve("application-dev.properties"), """
                paybridge.fake.base-url = {{env:FAKE_BASE_URL:http://127.0.0.1:{{paybridge.sandbox.port}}/sandbox/fake}}
                paybridge.fake.api-key = {{env:FAKE_API_KEY:%s}}
                paybridge.fake.webhook-secret = {{env:FAKE_WEBHOOK_SECRET:%s}}
                """.formatted(FakeSimulator.API_KEY, WEBHOOK_SECRET));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path file : routes.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, dir.resolve("routes").resolve(file.getFileName()));
            }
        }
        Path dispatch = dir.resolve("routes/dispatch.camel.yaml");
        String yaml = Files.readString(dispatch);
        yaml = beforeOtherwise(yaml, 1, """
                - simple: "${exchangeProperty.paybridgeVendor} == 'fake' && ${exchangeProperty.paybridgeMethod} == 'BILLING_KEY'"
                  steps:
                    - setProperty: { name: paybridgeVendorRoute, constant: direct:fake-billing-key }
                """);
        yaml = beforeOtherwise(yaml, 2, """
                - simple: "${exchangeProperty.paybridgeVendor} == 'fake'"
                  steps:
                    - to: direct:fake-refund
                """);
        Files.writeString(dispatch, yaml);
        return dir;
    }

    /** Inserts a {@code when} item before the n-th {@code otherwise:} of the file, at its choice's indentation. */
    private static String beforeOtherwise(String yaml, int n, String when) {
        Matcher m = Pattern.compile("(?m)^( *)otherwise:\\s*$").matcher(yaml);
        for (int i = 0; i < n; i++) {
            assertThat(m.find()).as("dispatch.camel.yaml has its choice number " + n).isTrue();
        }
        String indent = " ".repeat(m.group(1).length() + 2);
        String item = when.lines().map(l -> indent + l + "\n").reduce("", String::concat);
        return yaml.substring(0, m.start()) + item + yaml.substring(m.start());
    }

    // ---- through the third connector

    @Test
    void aChargeARefundAndAReconcileLookupGoThroughTheThirdConnector() {
        // a charge
        Response paid = app.postJson("/api/payments", charge("fk-pay-1", 3000));
        assertThat(paid.status()).as(paid.body()).isEqualTo(200);
        assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
        assertThat(paid.json().path("vendor").asText()).isEqualTo("fake");
        String ref = paid.json().path("vendorPaymentRef").asText();
        assertThat(ref).startsWith("fk_");

        // a decline is the vendor's answer: 200 FAILED with its reason
        Response declined = app.postJson("/api/payments", charge("fk-decline-1", 4001));
        assertThat(declined.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(declined.json().path("failure").path("code").asText()).isEqualTo("card_declined");

        // a refund
        long refunds = stat(app, "refunds");
        Response refund = app.postJson("/api/refunds",
                "{\"refundId\": \"fk-rf-1\", \"paymentId\": \"fk-pay-1\", \"amount\": 1000, \"reason\": \"customer request\"}");
        assertThat(refund.status()).as(refund.body()).isEqualTo(200);
        assertThat(refund.json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(refund.json().path("refundedAmount").asLong()).isEqualTo(1000);
        assertThat(refund.json().path("remainingAmount").asLong()).isEqualTo(2000);
        assertThat(stat(app, "refunds")).isEqualTo(refunds + 1);

        // a lost answer: UNKNOWN, then settled by reconcile's lookup (by paymentId), never charged again
        long charges = stat(app, "charges");
        Response lost = app.postJson("/api/payments", charge("fk-lost-1", 4002));
        assertThat(lost.status()).as(lost.body()).isEqualTo(202);
        assertThat(lost.json().path("status").asText()).isEqualTo("UNKNOWN");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(app.get("/api/payments/fk-lost-1").json().path("status").asText()).isEqualTo("PAID"));
        assertThat(stat(app, "charges")).isEqualTo(charges + 1);
        JsonNode lostEntries = app.get("/api/ledger?paymentId=fk-lost-1").json().path("entries");
        assertThat(lostEntries).hasSize(1);
        assertThat(lostEntries.get(0).path("source").asText()).isEqualTo("RECONCILE");
        assertThat(lostEntries.get(0).path("amount").asLong()).isEqualTo(4002);
    }

    /**
     * A webhook through the third connector (the generic /webhooks/{vendor} asks the registry for its
     * rules and lookup): a refund made in the vendor's console, announced, its signature checked by
     * the connector's rule, verified by a lookup, recorded once.
     */
    @Test
    void aWebhookGoesThroughTheThirdConnector() {
        Response paid = app.postJson("/api/payments", charge("fk-hook-1", 3000));
        assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");
        String ref = paid.json().path("vendorPaymentRef").asText();
        String consoleRefund = app.postJson(app.sandboxUrl() + "/fake/_control/console-refund/" + ref,
                "{\"amount\": 500}").json().path("refundId").asText();
        String webhook = "{\"event\":\"charge.refunded\",\"chargeId\":\"" + ref + "\",\"orderId\":\"fk-hook-1\","
                + "\"refundId\":\"" + consoleRefund + "\"}";

        assertThat(deliver(app, "fake", webhook, "not-the-signature").status())
                .as("the fake connector's signature rule").isEqualTo(401);
        assertThat(deliver(app, "fake", webhook, FakeWebhooks.sign(WEBHOOK_SECRET, webhook.getBytes(StandardCharsets.UTF_8)))
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(app.get("/api/payments/fk-hook-1").json().path("refundedAmount").asLong()).isEqualTo(500));
        JsonNode entries = app.get("/api/ledger?paymentId=fk-hook-1").json().path("entries");
        assertThat(entries).extracting(e -> e.path("source").asText() + " " + e.path("amount").asLong())
                .containsExactly("API 3000", "WEBHOOK -500");
        assertThat(app.get("/api/webhooks?vendor=fake").json().path("entries"))
                .anySatisfy(e -> assertThat(e.path("status").asText()).isEqualTo("PROCESSED"));
    }

    @Test
    void aMethodTheThirdConnectorDoesNotTakeIsA422NamingMethodAndWhatIsSupported() {
        Response r = app.postJson("/api/payments", charge("fk-keyin-1", 3000).replace("BILLING_KEY", "KEY_IN")
                .replace("\"billingKey\": \"fk-key-1\"", "\"card\": {\"number\": \"4111222233334444\", \"expiry\": \"2028-01\"}"));
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("method");
        assertThat(r.json().path("detail").asText()).contains("fake BILLING_KEY", "iamport KEY_IN");
        assertThat(app.get("/api/payments/fk-keyin-1").status()).isEqualTo(404);
    }

    // ---- a vendor not in the registry

    @Test
    void aVendorNotInTheRegistryIsRefusedAndNeverServedByAnotherConnector() {
        Response charge = app.postJson("/api/payments", charge("fk-none-1", 3000).replace("\"fake\"", "\"nope\""));
        assertThat(charge.status()).isEqualTo(422);
        assertThat(charge.json().path("errors").get(0).path("field").asText()).isEqualTo("vendor");
        assertThat(deliver(app, "nope", "{\"event\":\"charge.paid\",\"chargeId\":\"fk_1\"}", null).status())
                .isEqualTo(404);
    }

    /**
     * The same bundle, restarted without the fake vendor enabled (its branches still in dispatch): its
     * payments are refused at once — a refund is a 422 naming {@code vendor} with nothing reserved, a
     * charge the same; its webhooks are checked by its own rules, stored and kept PENDING — and an open
     * one is left for an operator with the reason, never looked up by another connector.
     */
    @Test
    void oncePaymentsOfTheVendorExistDisablingItRefusesThemAndLeavesOpenOnesForAnOperator() throws Exception {
        Map<String, Object> withFake = settings("steppay,iamport,fake");
        String database = "jdbc:h2:file:" + temp.resolve("disabled-db/paybridge").toAbsolutePath();
        withFake.put("paybridge.db.url", database);
        try (RunningPaybridge before = RunningPaybridge.start(home, withFake)) {
            assertThat(before.postJson("/api/payments", charge("fk-dis-1", 3000)).json().path("status").asText())
                    .isEqualTo("PAID");
            assertThat(before.postJson("/api/payments", charge("fk-dis-2", 3000)).json().path("status").asText())
                    .isEqualTo("PAID");
        }
        Map<String, Object> withoutFake = settings("steppay,iamport");
        withoutFake.put("paybridge.db.url", database);
        try (RunningPaybridge after = RunningPaybridge.start(home, withoutFake)) {
            PaymentStore payments = after.lookup("paymentStore", PaymentStore.class);
            Response refund = after.postJson("/api/refunds",
                    "{\"refundId\": \"fk-dis-rf-1\", \"paymentId\": \"fk-dis-1\", \"amount\": 1000}");
            assertThat(refund.status()).as(refund.body()).isEqualTo(422);
            assertThat(refund.json().path("errors").get(0).path("field").asText()).isEqualTo("vendor");
            assertThat(count(after, "SELECT COUNT(*) FROM refunds WHERE refund_id = ?", "fk-dis-rf-1")).isZero();
            assertThat(payments.refundable("fk-dis-1")).isEqualTo(3000);

            Response charge = after.postJson("/api/payments", charge("fk-dis-3", 3000));
            assertThat(charge.status()).isEqualTo(422);
            assertThat(charge.json().path("errors").get(0).path("field").asText()).isEqualTo("vendor");
            String paidHook = "{\"event\":\"charge.paid\",\"chargeId\":\"fk_1\"}";
            // its webhooks are still checked by its own rules, then stored and kept PENDING, never lost
            assertThat(deliver(after, "fake", paidHook, "not-the-signature").status()).isEqualTo(401);
            Response hook = deliver(after, "fake", paidHook,
                    FakeWebhooks.sign(WEBHOOK_SECRET, paidHook.getBytes(StandardCharsets.UTF_8)));
            assertThat(hook.status()).as(hook.body()).isEqualTo(200);
            String inboxId = hook.json().path("inboxId").asText();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(after.text("SELECT status FROM webhook_inbox WHERE inbox_id = ?", inboxId)).isEqualTo("PENDING");
                assertThat(after.text("SELECT reason FROM webhook_inbox WHERE inbox_id = ?", inboxId))
                        .contains("fake is not enabled here");
            });

            // an open payment of the disabled vendor: left with its reason, not looked up by anyone
            long lookups = stat(after, "lookups");
            update(after, "UPDATE payments SET status = 'UNKNOWN', in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND, "
                    + "next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE payment_id = ?", "fk-dis-2");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    after.text("SELECT unsettled_reason FROM payments WHERE payment_id = ?", "fk-dis-2"))
                    .isEqualTo("VENDOR_NOT_ENABLED"));
            assertThat(after.get("/api/payments/fk-dis-2").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(stat(after, "lookups")).isEqualTo(lookups);
        }
    }

    private static String charge(String paymentId, long amount) {
        return """
                {"paymentId": "%s", "vendor": "fake", "method": "BILLING_KEY", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "user-42"}, "billingKey": "fk-key-1"}"""
                .formatted(paymentId, amount);
    }

    /** A count the fake vendor's simulator keeps (what the vendor saw). */
    private static long stat(RunningPaybridge app, String counter) {
        return app.get(app.sandboxUrl() + "/fake/_stats").json().path(counter).asLong();
    }

    /** A webhook delivery as a vendor sends it: JSON, signed when a signature is given. */
    private static Response deliver(RunningPaybridge app, String vendor, String body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/webhooks/" + vendor))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (signature != null) {
            request.header(FakeWebhooks.SIGNATURE_HEADER, signature);
        }
        return app.send(request);
    }

    private static void update(RunningPaybridge app, String sql, String id) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static long count(RunningPaybridge app, String sql, String id) throws Exception {
        return Long.parseLong(app.text(sql, id));
    }
}
