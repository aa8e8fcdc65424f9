package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.ledger.PaymentStore;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * {@code /resolve} naming a vendor reference that is free when the resolve checks it, and committed on the
 * payment it belongs to (by another node, its webhook say) right before the resolve's update: the
 * database's unique reference refuses the update, and the operator gets the same answer as for a
 * reference already taken, naming the field, with nothing of the resolve written (state, ledger entry,
 * event, audit row: one transaction) and the other payment's reference left as it was committed.
 */
class ResolveReferenceRaceTest {
    @Test
    void aReferenceCommittedOnAnotherPaymentBeforeTheUpdateIsRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.operation-timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT0S",
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.processing-enabled", "false"))) {
            // two charges whose answers were lost: the operator resolves the first with the idKey Steppay
            // shows for it, which the race below records on the second
            for (String id : new String[] {"race-stuck", "race-owner"}) {
                assertThat(app.postJson("/api/payments", Commands.billingKey(id, "steppay", 4002, Commands.STEPPAY_KEY))
                        .json().path("status").asText()).isEqualTo("UNKNOWN");
            }
            String ref = SteppayRecords.idKeyOf(app, "race-stuck");
            PaymentStore payments = app.lookup("paymentStore", PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> payments.inFlight("race-stuck").orElseThrow().landed());
            String refBefore = app.text("SELECT vendor_payment_ref FROM payments WHERE payment_id = ?", "race-stuck");
            String versionBefore = app.text("SELECT version FROM payments WHERE payment_id = ?", "race-stuck");
            String nextLookBefore = app.text("SELECT next_look_at FROM payments WHERE payment_id = ?", "race-stuck");
            String eventsBefore = app.text("SELECT COUNT(*) FROM events WHERE payment_id = ?", "race-stuck");

            // the reference is free when the resolve checks it; committed on race-owner just before the
            // resolve's own update of race-stuck
            ChargeInFlightTest.sql(app, paybridge.testing.PaymentRowMeanwhileTrigger.beforeReferenceSet("owner_webhook_meanwhile", "race-stuck", () -> {
                try {
                    assertThat(ChargeInFlightTest.sql(app,
                            "UPDATE payments SET vendor_payment_ref = ? WHERE payment_id = ?", ref, "race-owner")).isEqualTo(1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));

            Response r = app.postJson("/api/payments/race-stuck/resolve",
                    "{\"status\": \"PAID\", \"reason\": \"checked at the vendor\", \"vendorPaymentRef\": \"" + ref + "\"}");
            // the race was built: the other payment's reference committed between the check and the update
            assertThat(paybridge.testing.PaymentRowMeanwhileTrigger.fired("owner_webhook_meanwhile")).isEqualTo(1);
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("type").asText()).isEqualTo("https://paybridge.dev/problems/vendor-reference-taken");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("vendorPaymentRef");
            assertThat(r.json().path("detail").asText()).contains(ref).contains("nothing was changed");

            // nothing of the resolve: still open and on reconcile's schedule, unchanged, no entry, no event, no audit row
            assertThat(app.get("/api/payments/race-stuck").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.text("SELECT vendor_payment_ref FROM payments WHERE payment_id = ?", "race-stuck")).isEqualTo(refBefore);
            assertThat(app.text("SELECT version FROM payments WHERE payment_id = ?", "race-stuck")).isEqualTo(versionBefore);
            assertThat(app.text("SELECT next_look_at FROM payments WHERE payment_id = ?", "race-stuck"))
                    .isNotNull().isEqualTo(nextLookBefore);
            assertThat(app.get("/api/ledger?paymentId=race-stuck").json().path("entries")).isEmpty();
            assertThat(app.text("SELECT COUNT(*) FROM events WHERE payment_id = ?", "race-stuck")).isEqualTo(eventsBefore);
            assertThat(app.text("SELECT COUNT(*) FROM audit WHERE action = 'payment.resolve' AND target = ?", "race-stuck"))
                    .isEqualTo("0");
            // the other node's commit stands: the reference is its payment's
            assertThat(app.text("SELECT vendor_payment_ref FROM payments WHERE payment_id = ?", "race-owner")).isEqualTo(ref);

            // the refusal left nothing behind that blocks the operator: with another reference the vendor shows
            // as this payment (made again in its console) the resolve goes through
            ChargeInFlightTest.sql(app, "DROP TRIGGER owner_webhook_meanwhile");
            String again = SteppayRecords.paidElsewhere(app, "race-stuck", 4002);
            Response retry = app.postJson("/api/payments/race-stuck/resolve",
                    "{\"status\": \"PAID\", \"reason\": \"checked at the vendor\", \"vendorPaymentRef\": \"" + again + "\"}");
            assertThat(retry.status()).as(retry.body()).isEqualTo(200);
            assertThat(app.get("/api/ledger?paymentId=race-stuck").json().path("entries")).hasSize(1);
            assertThat(app.text("SELECT COUNT(*) FROM audit WHERE action = 'payment.resolve' AND target = ?", "race-stuck"))
                    .isEqualTo("1");
        }
    }
}
