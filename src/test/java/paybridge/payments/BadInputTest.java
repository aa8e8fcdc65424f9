package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Bad input always gets a 4xx problem+json naming what is wrong: never a 5xx, a stack trace or HTML. */
class BadInputTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        // toss is a connector here but not enabled: a vendor known to the contract and still refused
        app = RunningPaybridge.start(java.util.Map.of("paybridge.vendors", "steppay,iamport"));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static final String VALID = Commands.keyIn("bad-0001", 3000, false);

    static Stream<Arguments> badPayments() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"paymentId\": ", 400, "$"),
                Arguments.of("not an object", "[1, 2]", 400, "$"),
                Arguments.of("empty object", "{}", 400, "paymentId"),
                Arguments.of("amount zero", VALID.replace("\"amount\": 3000", "\"amount\": 0"), 400, "amount"),
                Arguments.of("amount negative", VALID.replace("\"amount\": 3000", "\"amount\": -5"), 400, "amount"),
                Arguments.of("amount fractional", VALID.replace("\"amount\": 3000", "\"amount\": 3000.5"), 400, "amount"),
                Arguments.of("amount as string", VALID.replace("\"amount\": 3000", "\"amount\": \"3000\""), 400, "amount"),
                Arguments.of("amount too large", VALID.replace("\"amount\": 3000", "\"amount\": 10000000001"), 400, "amount"),
                Arguments.of("unknown method", VALID.replace("\"KEY_IN\"", "\"CASH\""), 400, "method"),
                Arguments.of("missing orderName", VALID.replace("\"orderName\": \"Premium plan\",", ""), 400, "orderName"),
                Arguments.of("missing customer id", VALID.replace("\"id\": \"user-42\",", ""), 400, "customer.id"),
                Arguments.of("KEY_IN without card", VALID.replaceAll("\"card\": \\{[^}]*},", ""), 400, "card"),
                Arguments.of("card number too short", VALID.replace("4111-2222-3333-4444", "4111-2222"), 400, "card.number"),
                Arguments.of("expiry malformed", VALID.replace("2028-01", "01/28"), 400, "card.expiry"),
                Arguments.of("id with spaces", VALID.replace("bad-0001", "bad 0001"), 400, "paymentId"),
                Arguments.of("id with quotes", VALID.replace("bad-0001", "bad\\\"0001"), 400, "paymentId"),
                Arguments.of("id too long", VALID.replace("bad-0001", "x".repeat(41)), 400, "paymentId"),
                Arguments.of("currency other than KRW", VALID.replace("\"orderName\"", "\"currency\": \"USD\", \"orderName\""), 400,
                        "currency"),
                Arguments.of("unknown field", VALID.replace("\"orderName\"", "\"amout\": 1, \"orderName\""), 400, "amout"),
                // valid JSON, but no PostgreSQL text column stores it
                Arguments.of("NUL in orderName", VALID.replace("Premium plan", "Premium\\u0000plan"), 400, "orderName"),
                Arguments.of("NUL in customer name", VALID.replace("홍길동", "홍\\u0000길동"), 400, "customer.name"),
                Arguments.of("unknown vendor", VALID.replace("\"iamport\"", "\"paypal\""), 422, "vendor"),
                Arguments.of("vendor known to the contract but not enabled", VALID.replace("\"iamport\"", "\"toss\""), 422,
                        "vendor"),
                Arguments.of("unsupported pair: Steppay KEY_IN", VALID.replace("\"iamport\"", "\"steppay\""), 422, "method"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayments")
    void badPaymentCommands(String name, String body, int status, String field) {
        Response r = app.postJson("/api/payments", body);
        assertProblem(r, status);
        if (field != null && !field.equals("$")) {
            assertThat(r.json().path("errors")).as(name).anySatisfy(e -> assertThat(e.path("field").asText()).isEqualTo(field));
        }
        assertThat(app.get("/api/payments/bad-0001").status()).as("nothing recorded").isEqualTo(404);
    }

    @Test
    void aSubscriptionForAVendorNotEnabledNamesTheVendorField() {
        Response r = app.postJson("/api/subscriptions", """
                {"subscriptionId": "bad-sub-1", "vendor": "paypal", "billingKey": "k-1",
                 "customer": {"id": "user-42"}, "orderName": "Premium plan", "amount": 9900, "currency": "KRW",
                 "interval": "P1M", "nextBillingAt": "2026-12-01T00:00:00+09:00"}""");
        assertProblem(r, 422);
        assertThat(r.json().path("errors")).singleElement().satisfies(e -> {
            assertThat(e.path("field").asText()).isEqualTo("vendor");
            assertThat(e.path("message").asText()).contains("iamport");
        });
        assertThat(app.get("/api/subscriptions/bad-sub-1").status()).as("nothing recorded").isEqualTo(404);
    }

    @Test
    void anUnsupportedPairNamesTheMethodAndWhatIsSupported() {
        Response r = app.postJson("/api/payments", VALID.replace("\"iamport\"", "\"steppay\""));
        assertProblem(r, 422);
        assertThat(r.json().path("detail").asText()).contains("steppay BILLING_KEY");
        assertThat(r.json().path("errors")).singleElement()
                .satisfies(e -> assertThat(e.path("field").asText()).isEqualTo("method"));
    }

    /**
     * A vendor in paybridge.vendors that no connector serves is a misconfiguration: start-up stops,
     * naming it, instead of running with a vendor whose commands would fail or fall to another's code.
     */
    @Test
    void aVendorEnabledWithoutAConnectorStopsStartUpNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        RunningPaybridge.start(java.util.Map.of("paybridge.vendors", "steppay,iamport,paypal")).close())
                .hasStackTraceContaining("paybridge.vendors names [paypal] but no connector serves it");
    }

    @Test
    void everyBadFieldIsListedAtOnce() {
        Response r = app.postJson("/api/payments", "{\"paymentId\": \"a b\", \"vendor\": \"iamport\", \"method\": \"KEY_IN\","
                + " \"amount\": \"10\", \"orderName\": \"\", \"customer\": {}}");
        assertProblem(r, 400);
        JsonNode fields = r.json().path("errors");
        assertThat(fields).extracting(e -> e.path("field").asText())
                .contains("paymentId", "amount", "orderName", "customer.id", "card");
    }

    @Test
    void wrongContentTypeIs415() {
        Response r = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/payments"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(VALID)));
        assertProblem(r, 415);
    }

    @Test
    void twoMebibyteBodyIs413() {
        String huge = "{\"paymentId\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        Response r = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/payments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(huge, StandardCharsets.UTF_8)));
        assertProblem(r, 413);
    }

    @Test
    void badRefundsAndLedgerQueries() {
        assertProblem(app.postJson("/api/refunds", "{\"refundId\": \"r 1\", \"paymentId\": \"p\", \"amount\": 1.5}"), 400);
        assertProblem(app.postJson("/api/refunds", "{\"refundId\": \"r1\", \"paymentId\": \"p\", \"amount\": 0}"), 400);
        assertProblem(app.get("/api/ledger?from=yesterday"), 400);
        assertProblem(app.postJson("/api/payments/whatever/resolve", "{\"status\": \"MAYBE\"}"), 400);
        Response nul = app.postJson("/api/refunds", "{\"refundId\": \"r-nul\", \"paymentId\": \"p\", \"reason\": \"a\\u0000b\"}");
        assertProblem(nul, 400);
        assertThat(nul.json().path("errors").get(0).path("field").asText()).isEqualTo("reason");
    }

    private static void assertProblem(Response r, int status) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.has("type")).isTrue();
        assertThat(r.body()).doesNotContain("Exception", "\tat ", "<html");
        assertThat(r.body()).as("no card data echoed").doesNotContain("4111", "3333-4444", "900101");
    }
}
