package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** Charges through the real API against the sandbox vendors (CONTRACT §2). */
class ChargeApiTest {
    private static RunningPaybridge app;

    @BeforeAll
    static void start() {
        app = RunningPaybridge.start();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static long charges(String vendor) {
        JsonNode stats = app.get(app.sandboxUrl() + "/" + vendor + "/_stats").json();
        return stats.has("response") ? stats.path("response").path("charges").asLong() : stats.path("charges").asLong();
    }

    @Test
    void keyInChargeIsPaidRecordedAndStoresABillingKey() {
        long before = charges("iamport");
        Response r = app.postJson("/api/payments", Commands.keyIn("c-keyin-1", 3000, true));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(body.path("status").asText()).isEqualTo("PAID");
        assertThat(body.path("amount").asLong()).isEqualTo(3000);
        assertThat(body.path("refundedAmount").asLong()).isZero();
        assertThat(body.path("vendorPaymentRef").asText()).matches("imp_\\d{12}");
        assertThat(body.path("billingKey").asText()).startsWith("cu_user-42_");
        assertThat(charges("iamport")).isEqualTo(before + 1);

        JsonNode ledger = app.get("/api/ledger?paymentId=c-keyin-1").json().path("entries");
        assertThat(ledger).hasSize(1);
        assertThat(ledger.get(0).path("type").asText()).isEqualTo("PAID");
        assertThat(ledger.get(0).path("amount").asLong()).isEqualTo(3000);
        assertThat(ledger.get(0).path("source").asText()).isEqualTo("API");

        // the stored key charges again with `again`
        Response again = app.postJson("/api/payments",
                Commands.billingKey("c-again-1", "iamport", 9900, body.path("billingKey").asText()));
        assertThat(again.json().path("status").asText()).isEqualTo("PAID");
        assertThat(again.json().path("billingKey").asText()).isEqualTo(body.path("billingKey").asText());
    }

    /** The answer to a charge is built from the values just written: it must be exactly what is stored. */
    @Test
    void theChargeAnswerIsWhatIsStored() {
        for (Map.Entry<String, Long> c : Map.of("c-answer-paid", 3000L, "c-answer-declined", 4001L).entrySet()) {
            Response r = app.postJson("/api/payments", Commands.keyIn(c.getKey(), c.getValue(), true));
            assertThat(r.json().path("status").asText()).isEqualTo(c.getValue() == 4001L ? "FAILED" : "PAID");
            assertThat(r.json()).isEqualTo(app.get("/api/payments/" + c.getKey()).json());
        }
    }

    @Test
    void sameCommandAgainReplaysWithoutChargingAndAnotherCommandIsAConflict() {
        Response first = app.postJson("/api/payments", Commands.keyIn("c-idem-1", 5000, false));
        long after = charges("iamport");
        Response second = app.postJson("/api/payments", Commands.keyIn("c-idem-1", 5000, false));
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("vendorPaymentRef")).isEqualTo(first.json().path("vendorPaymentRef"));
        assertThat(charges("iamport")).isEqualTo(after);

        Response other = app.postJson("/api/payments", Commands.keyIn("c-idem-1", 5001, false));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(charges("iamport")).isEqualTo(after);
    }

    @Test
    void tenIdenticalRequestsAtOnceMakeOneVendorCall() throws Exception {
        long before = charges("iamport");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(() -> app.postJson("/api/payments", Commands.keyIn("c-burst-1", 7000, true)));
        }
        List<Response> answers = new ArrayList<>();
        for (Future<Response> f : pool.invokeAll(calls)) {
            answers.add(f.get());
        }
        pool.shutdown();
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isIn(200, 202);
            assertThat(a.json().path("paymentId").asText()).isEqualTo("c-burst-1");
        });
        assertThat(charges("iamport")).isEqualTo(before + 1);
        assertThat(app.get("/api/payments/c-burst-1").json().path("status").asText()).isEqualTo("PAID");
        assertThat(app.get("/api/ledger?paymentId=c-burst-1").json().path("entries")).hasSize(1);
    }

    @Test
    void steppayBillingKeyChargeIsPaid() {
        Response r = app.postJson("/api/payments", Commands.billingKey("c-steppay-1", "steppay", 9900, Commands.STEPPAY_KEY));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("PAID");
        assertThat(r.json().path("vendorPaymentRef").asText()).hasSize(29).isNotEqualTo(Commands.STEPPAY_KEY);
    }

    @Test
    void declinesAreFailedWithTheVendorsReasonAndFinal() {
        Response onetime = app.postJson("/api/payments", Commands.keyIn("c-decline-1", 4001, false));
        assertThat(onetime.status()).isEqualTo(200);
        assertThat(onetime.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(onetime.json().path("failure").path("message").asText()).contains("F113");

        Response steppay = app.postJson("/api/payments", Commands.billingKey("c-decline-2", "steppay", 4001, Commands.STEPPAY_KEY));
        assertThat(steppay.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(steppay.json().path("failure").path("code").asText()).isEqualTo("PAYMENT_FAILED");

        JsonNode ledger = app.get("/api/ledger?paymentId=c-decline-1").json().path("entries");
        assertThat(ledger).hasSize(1);
        assertThat(ledger.get(0).path("type").asText()).isEqualTo("FAILED");
        assertThat(ledger.get(0).path("amount").asLong()).isZero();

        long before = charges("iamport");
        assertThat(app.postJson("/api/payments", Commands.keyIn("c-decline-1", 4001, false)).json().path("status").asText())
                .isEqualTo("FAILED");
        assertThat(charges("iamport")).as("a declined paymentId is final: no second charge").isEqualTo(before);
    }

    @Test
    void virtualAccountAwaitsDeposit() {
        Response r = app.postJson("/api/payments", Commands.keyIn("c-vbank-1", 4004, false));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("AWAITING_DEPOSIT");
    }

    @Test
    void unsupportedVendorMethodPairIs422NamingWhatExistsAndRecordsNothing() {
        String steppayKeyIn = Commands.keyIn("c-unsupported-1", 3000, false).replace("\"iamport\"", "\"steppay\"");
        Response r = app.postJson("/api/payments", steppayKeyIn);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("detail").asText()).contains("iamport KEY_IN", "iamport BILLING_KEY", "steppay BILLING_KEY");
        assertThat(app.get("/api/payments/c-unsupported-1").status()).isEqualTo(404);

        Response unknownVendor = app.postJson("/api/payments", Commands.keyIn("c-unsupported-2", 3000, false)
                .replace("\"iamport\"", "\"paypal\""));
        assertThat(unknownVendor.status()).isEqualTo(422);
        assertThat(unknownVendor.json().path("detail").asText()).contains("steppay", "iamport");
    }

    @Test
    void unknownPaymentIs404() {
        Response r = app.get("/api/payments/no-such-payment");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("title").asText()).isEqualTo("Payment not found");
    }

    @Test
    void operatorResolvesAnOpenPaymentOnceAndRefusesADecidedOne() {
        Response paid = app.postJson("/api/payments", Commands.keyIn("c-resolve-1", 3000, false));
        assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
        Response refused = app.postJson("/api/payments/c-resolve-1/resolve",
                "{\"status\": \"FAILED\", \"reason\": \"checked by hand\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(app.get("/api/payments/c-resolve-1").json().path("status").asText()).isEqualTo("PAID");
    }

    @Test
    void vendorNotEnabledIs422() {
        try (RunningPaybridge iamportOnly = RunningPaybridge.start(Map.of("paybridge.vendors", "iamport"))) {
            Response r = iamportOnly.postJson("/api/payments", Commands.billingKey("c-off-1", "steppay", 100, Commands.STEPPAY_KEY));
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.json().path("detail").asText()).contains("not enabled");
        }
    }
}
