package paybridge.payments;

import paybridge.canonical.ExchangeProperties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentResult;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;

/**
 * A NOT_CHARGED conclusion is a conclusion until the vendor's record proves otherwise, also when its
 * paymentId is sent again: a refusal of the re-send, or a re-send never attempted, never ends its
 * re-checks; a billing attempt is never sent again; and an overturn commits with every money fact of
 * the record or not at all. Real HTTP against a scripted iamport whose lookups answer 404 until the
 * test publishes a record (the vendor charged, its lookup lags). Horizon: 0.5 s + 0.5 s + 0.5 s.
 */
abstract class ReopenedAttemptTest {
    private static final String FIVE_HUNDRED = "{\"code\":-1,\"message\":\"server error\",\"response\":null}";
    private static final String UNAUTHORIZED = "{\"code\":-1,\"message\":\"Unauthorized\",\"response\":null}";
    private static final String DUPLICATE =
            "{\"code\":-1,\"message\":\"merchant_uid already used\",\"response\":null}";

    static Map<String, Object> settings(ScriptedIamport vendor) {
        return new HashMap<>(Map.of(
                "paybridge.iamport.base-url", vendor.baseUrl(),
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.operation-timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT0.5S",
                "paybridge.reconcile.interval", "PT0.2S",
                "paybridge.reconcile.max-backoff", "PT1S",
                "paybridge.reconcile.not-charged-rechecks", "60",
                "paybridge.webhook.processing-enabled", "false"));
    }

    abstract RunningPaybridge app();

    abstract ScriptedIamport vendor();

    /** Makes the database refuse a ledger return (type PARTIALLY_REFUNDED or CANCELLED): a trigger. */
    abstract void installReturnFailure() throws Exception;

    abstract void dropReturnFailure() throws Exception;

    /** How many returns the trigger has refused so far. */
    abstract int returnRefusals() throws Exception;

    /** The vendor charged, the answer was a 500 and its lookup shows nothing: reconcile concludes NOT_CHARGED. */
    private void notCharged(String body) {
        vendor().charge(Step.after(Duration.ZERO, 500, FIVE_HUNDRED));
        Response r = app().postJson("/api/payments", body);
        assertThat(r.json().path("status").asText()).isEqualTo("UNKNOWN");
        String paymentId = r.json().path("paymentId").asText();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(app().get("/api/payments/" + paymentId).json().path("failure").path("code").asText())
                        .isEqualTo("NOT_CHARGED"));
    }

    private String status(String paymentId) {
        return app().get("/api/payments/" + paymentId).json().path("status").asText();
    }

    private JsonNode entries(String paymentId) {
        return app().get("/api/ledger?paymentId=" + paymentId).json().path("entries");
    }

    /**
     * The re-send of a NOT_CHARGED payment is refused by the vendor as a duplicate of the payment it
     * did charge: not recorded as a final FAILED, but left open and looked up, so the record of the
     * first charge makes it PAID.
     */
    @Test
    void aRefusedReSendStaysOpenUntilTheRecordOfTheFirstChargeSettlesIt() throws Exception {
        notCharged(Commands.keyIn("ro-dup-1", 3000, false));
        vendor().charge(Step.after(Duration.ZERO, 200, DUPLICATE));
        Response again = app().postJson("/api/payments", Commands.keyIn("ro-dup-1", 3000, false));
        assertThat(again.json().path("status").asText()).as(again.body()).isEqualTo("UNKNOWN");
        assertThat(ChargeInFlightTest.column(app(), "next_look_at", "ro-dup-1")).isNotNull();

        vendor().record("ro-dup-1", ScriptedIamport.paid("imp_ro_dup_1", "ro-dup-1", 3000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("ro-dup-1")).isEqualTo("PAID"));
        JsonNode entries = entries("ro-dup-1");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).path("type").asText()).isEqualTo("FAILED");
        assertThat(entries.get(1).path("type").asText()).isEqualTo("PAID");
        assertThat(entries.get(1).path("amount").asLong()).isEqualTo(3000);
    }

    /**
     * A KEY_IN that saves its card, concluded NOT_CHARGED and sent again: paybridge generated its customer_uid
     * the first time, and the re-send is sent with that same one (not one generated anew), so the vendor, the
     * row, the answer and the payment's event all name one billing key.
     */
    @Test
    void aReSentKeyInKeepsTheCustomerUidItsRowHolds() throws Exception {
        int before = vendor().customerUids.size(); // the vendor is shared by this class's tests
        notCharged(Commands.keyIn("ro-key-1", 3000, true));
        String stored = app().get("/api/payments/ro-key-1").json().path("billingKey").asText();
        assertThat(stored).startsWith("cu_");
        assertThat(vendor().customerUids.subList(before, vendor().customerUids.size())).containsExactly(stored);

        Response again = app().postJson("/api/payments", Commands.keyIn("ro-key-1", 3000, true));
        assertThat(again.json().path("status").asText()).as(again.body()).isEqualTo("PAID");
        assertThat(vendor().customerUids.subList(before, vendor().customerUids.size())).containsExactly(stored, stored);
        assertThat(again.json().path("billingKey").asText()).isEqualTo(stored);
        assertThat(app().get("/api/payments/ro-key-1").json().path("billingKey").asText()).isEqualTo(stored);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(app()
                .get("/api/events?paymentId=ro-key-1&type=payment.paid").json().path("events")).hasSize(1));
        assertThat(app().get("/api/events?paymentId=ro-key-1&type=payment.paid").json().path("events").get(0)
                .path("data").path("billingKey").asText()).isEqualTo(stored);
    }

    /**
     * The re-send of a NOT_CHARGED payment is not attempted (the vendor refuses the API key): the
     * payment is its conclusion again, its ledger entry keeps its payment, and its re-checks go on
     * (the record that later shows the first charge still makes it PAID).
     */
    @Test
    void aReSendNotAttemptedLeavesTheConclusionAndItsReChecks() throws Exception {
        notCharged(Commands.keyIn("ro-na-1", 3000, false));
        vendor().charge(Step.after(Duration.ZERO, 401, UNAUTHORIZED));
        vendor().token(Step.after(Duration.ZERO, 401, UNAUTHORIZED));
        Response again = app().postJson("/api/payments", Commands.keyIn("ro-na-1", 3000, false));
        assertThat(again.status()).as(again.body()).isEqualTo(502);

        Response now = app().get("/api/payments/ro-na-1");
        assertThat(now.status()).as("the payment is still there").isEqualTo(200);
        assertThat(now.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(now.json().path("failure").path("code").asText()).isEqualTo("NOT_CHARGED");
        assertThat(ChargeInFlightTest.column(app(), "next_look_at", "ro-na-1")).isNotNull();
        assertThat(entries("ro-na-1")).hasSize(1);

        vendor().record("ro-na-1", ScriptedIamport.paid("imp_ro_na_1", "ro-na-1", 3000));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status("ro-na-1")).isEqualTo("PAID"));
        assertThat(entries("ro-na-1")).hasSize(2);
    }

    /**
     * A billing attempt concluded NOT_CHARGED whose command comes through dispatch again (a claimant
     * that stalled before sending it, while the period moved on to its next attempt id): its stored
     * result is replayed, nothing reaches the vendor().
     */
    @Test
    void aBillingAttemptIsNeverSentAgain() throws Exception {
        String body = """
                {"paymentId": "ro-sub-1-20261201", "vendor": "iamport", "method": "BILLING_KEY", "amount": 9900,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "홍길동"},
                 "billingKey": "cu_ro_sub_1", "subscriptionId": "ro-sub-1"}""";
        notCharged(body);
        int sent = vendor().chargeRequests.get();

        PaymentCommand command = app().lookup("chargeService", ChargeService.class)
                .read(body.getBytes(StandardCharsets.UTF_8));
        Exchange out = app().context().createProducerTemplate().send("direct:dispatch-charge", e -> {
            e.getMessage().setBody(command);
            e.setProperty(ExchangeProperties.LEDGER_SOURCE, LedgerSource.BILLING_RUN);
        });
        assertThat(out.getException()).isNull();
        PaymentResult result = out.getMessage().getBody(PaymentResult.class);
        assertThat(result.status().name()).isEqualTo("FAILED");
        assertThat(result.failure().code()).isEqualTo("NOT_CHARGED");
        assertThat(vendor().chargeRequests.get()).as("nothing sent to the vendor").isEqualTo(sent);
        assertThat(status("ro-sub-1-20261201")).isEqualTo("FAILED");
    }

    /**
     * A re-check finds the record showing the charge and a cancellation; the database refuses the
     * return's entry. Neither the overturn nor any entry is committed, the row stays on its re-checks,
     * and the next look records everything.
     */
    @Test
    void anOverturnCommitsWithTheRecordsReturnsOrNotAtAll() throws Exception {
        notCharged(Commands.keyIn("ro-tx-1", 3000, false));
        installReturnFailure();
        try {
            int refusedBefore = returnRefusals();
            ObjectNode record = ScriptedIamport.paid("imp_ro_tx_1", "ro-tx-1", 3000);
            record.put("cancel_amount", 1000);
            ObjectNode c = record.withArray("cancel_history").addObject();
            c.put("cancellation_id", "cx-ro-1");
            c.put("amount", 1000);
            c.put("cancelled_at", System.currentTimeMillis() / 1000);
            vendor().record("ro-tx-1", record);
            await().atMost(Duration.ofSeconds(20)).until(() -> returnRefusals() > refusedBefore);

            assertThat(status("ro-tx-1")).isEqualTo("FAILED");
            assertThat(ChargeInFlightTest.column(app(), "failure_code", "ro-tx-1")).isEqualTo("NOT_CHARGED");
            assertThat(ChargeInFlightTest.column(app(), "next_look_at", "ro-tx-1")).isNotNull();
            assertThat(entries("ro-tx-1")).hasSize(1);
        } finally {
            dropReturnFailure();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(status("ro-tx-1")).isEqualTo("PARTIALLY_REFUNDED"));
        JsonNode entries = entries("ro-tx-1");
        assertThat(entries).hasSize(3);
        assertThat(entries.get(1).path("type").asText()).isEqualTo("PAID");
        assertThat(entries.get(2).path("type").asText()).isEqualTo("PARTIALLY_REFUNDED");
        assertThat(entries.get(2).path("amount").asLong()).isEqualTo(-1000);
        assertThat(ChargeInFlightTest.column(app(), "overturned_from", "ro-tx-1")).isEqualTo("NOT_CHARGED");
    }
}
