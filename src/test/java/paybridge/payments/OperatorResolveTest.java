package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import paybridge.testing.RefuseLedgerEntry;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/** {@code /resolve}: never while the charge can be in flight; the state and its ledger entry together or not at all. */
class OperatorResolveTest {
    private static String paid(String ref) {
        return "{\"status\": \"PAID\", \"reason\": \"checked at the vendor\", \"vendorPaymentRef\": \"" + ref + "\"}";
    }

    /** A payment UNKNOWN a moment ago may still be charged at the vendor: 409 saying from when it may be resolved. */
    @Test
    void aPaymentThatMayBeInFlightIsNotResolved() {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT1H",
                "paybridge.webhook.processing-enabled", "false"))) {
            assertThat(app.postJson("/api/payments", Commands.keyIn("o-flight-1", 4003, false)).json()
                    .path("status").asText()).isEqualTo("UNKNOWN");
            Instant before = Instant.now();
            Response r = app.postJson("/api/payments/o-flight-1/resolve",
                    "{\"status\": \"FAILED\", \"reason\": \"not in the console\"}");
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.contentType()).startsWith("application/problem+json");
            String detail = r.json().path("detail").asText();
            Matcher from = Pattern.compile("may be resolved from (\\S+)").matcher(detail);
            assertThat(from.find()).as(detail).isTrue();
            // the horizon: about an hour (the margin) after the attempt was recorded
            assertThat(Instant.parse(from.group(1))).isAfter(before.plus(Duration.ofMinutes(59)));
            assertThat(app.get("/api/payments/o-flight-1").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=o-flight-1").json().path("entries")).isEmpty();
        }
    }

    /**
     * The database refuses the operator's ledger entry (a test trigger on that INSERT): the resolve
     * fails and neither the state nor the entry is written; once the database accepts it, both are.
     */
    @Test
    void theStateAndItsEntryAreWrittenTogetherOrNotAtAll() throws Exception {
        try (RunningPaybridge app = startLandingAtOnce()) {
            // charged at Steppay, the answer lost: the operator finds its idKey in the console
            assertThat(app.postJson("/api/payments", Commands.billingKey("o-atomic-1", "steppay", 4002, Commands.STEPPAY_KEY))
                    .json().path("status").asText()).isEqualTo("UNKNOWN");
            String PAID = paid(SteppayRecords.idKeyOf(app, "o-atomic-1"));
            ChargeInFlightTest.sql(app, RefuseLedgerEntry.create("fail_operator_entry",
                    row -> "OPERATOR".equals(row.get("source"))));
            Response[] failed = new Response[1];
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                failed[0] = app.postJson("/api/payments/o-atomic-1/resolve", PAID);
                assertThat(failed[0].status()).isNotEqualTo(409); // past its horizon
            });
            assertThat(failed[0].status()).isGreaterThanOrEqualTo(500);
            assertThat(app.get("/api/payments/o-atomic-1").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=o-atomic-1").json().path("entries")).isEmpty();

            ChargeInFlightTest.sql(app, "DROP TRIGGER fail_operator_entry");
            Response resolved = app.postJson("/api/payments/o-atomic-1/resolve", PAID);
            assertThat(resolved.status()).isEqualTo(200);
            assertThat(resolved.json().path("status").asText()).isEqualTo("PAID");
            assertThat(app.get("/api/ledger?paymentId=o-atomic-1").json().path("entries")).hasSize(1);
        }
    }

    /**
     * An operator pastes the vendor reference of another payment: 422 naming vendorPaymentRef (the
     * database's unique reference would otherwise refuse the update as a 500), nothing changed.
     */
    @Test
    void aVendorReferenceAnotherPaymentHoldsIsRefusedNamingTheField() throws Exception {
        try (RunningPaybridge app = startLandingAtOnce()) {
            Response paid = app.postJson("/api/payments", Commands.billingKey("o-ref-paid", "steppay", 1000, Commands.STEPPAY_KEY));
            assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");
            String taken = paid.json().path("vendorPaymentRef").asText();
            assertThat(app.postJson("/api/payments", Commands.billingKey("o-ref-stuck", "steppay", 4002, Commands.STEPPAY_KEY))
                    .json().path("status").asText()).isEqualTo("UNKNOWN");
            String own = SteppayRecords.idKeyOf(app, "o-ref-stuck");
            // past its in-flight horizon, where an operator may resolve it
            paybridge.ledger.PaymentStore payments = app.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> payments.inFlight("o-ref-stuck").orElseThrow().landed());

            Response r = app.postJson("/api/payments/o-ref-stuck/resolve",
                    "{\"status\": \"PAID\", \"reason\": \"checked\", \"vendorPaymentRef\": \"" + taken + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("vendorPaymentRef");
            assertThat(r.json().path("detail").asText()).contains("o-ref-paid");
            assertThat(app.get("/api/payments/o-ref-stuck").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=o-ref-stuck").json().path("entries")).isEmpty();

            // its own reference (the vendor shows it as this payment) recorded on another payment after the
            // checks, before the update (a transaction not committed while the resolve checks): the unique
            // reference refuses the update, and the answer is the same 422
            paybridge.ledger.Database db = app.lookup("database", paybridge.ledger.Database.class);
            java.util.concurrent.ExecutorService operator = java.util.concurrent.Executors.newSingleThreadExecutor();
            java.util.concurrent.Future<Response> raced;
            try (java.sql.Connection webhook = db.dataSource().getConnection();
                 java.sql.Connection observer = db.dataSource().getConnection()) {
                webhook.setAutoCommit(false);
                try (var record = webhook.prepareStatement(
                        "UPDATE payments SET vendor_payment_ref = ? WHERE payment_id = 'o-ref-paid'")) {
                    record.setString(1, own);
                    assertThat(record.executeUpdate()).isEqualTo(1);
                    raced = operator.submit(() -> app.postJson("/api/payments/o-ref-stuck/resolve",
                            paid(own)));
                    // past its check, the resolve's update waits for the uncommitted reference (H2 retries it
                    // until the other transaction ends or its lock timeout)
                    await().atMost(Duration.ofSeconds(20)).until(() -> raced.isDone() || settling(observer));
                    webhook.commit();
                }
            }
            Response late = raced.get(30, java.util.concurrent.TimeUnit.SECONDS);
            operator.shutdown();
            assertThat(late.status()).as(late.body()).isEqualTo(422);
            assertThat(late.json().path("errors").get(0).path("field").asText()).isEqualTo("vendorPaymentRef");
            assertThat(app.get("/api/payments/o-ref-stuck").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=o-ref-stuck").json().path("entries")).isEmpty();
        }
    }

    /**
     * A reference the operator types for a PAID is looked up at the vendor before anything is written: one
     * the vendor shows as another order, for another amount, or does not know, the charge's billing key, a
     * reference given with a FAILED, or one no vendor uses: each refused naming vendorPaymentRef, nothing
     * changed. The vendor's payment under this order id, charged, for its amount, settles it.
     */
    @Test
    void aTypedReferenceIsSettledOnlyWhenTheVendorShowsItAsThisPaymentCharged() throws Exception {
        try (RunningPaybridge app = startLandingAtOnce()) {
            assertThat(app.postJson("/api/payments", Commands.billingKey("o-check-1", "steppay", 4003, Commands.STEPPAY_KEY))
                    .json().path("status").asText()).isEqualTo("UNKNOWN");
            paybridge.ledger.PaymentStore payments = app.lookup("paymentStore", paybridge.ledger.PaymentStore.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> payments.inFlight("o-check-1").orElseThrow().landed());

            String otherOrder = SteppayRecords.paidElsewhere(app, "elsewhere-check-1", 4003);
            String otherAmount = SteppayRecords.paidElsewhere(app, "o-check-1", 5000);
            Map<String, String> refused = Map.of(
                    paid(otherOrder), "order elsewhere-check-1",
                    paid(otherAmount), "of 5000",
                    paid("sp-nobody-has-this"), "no payment",
                    paid(Commands.STEPPAY_KEY), "billing key");
            for (Map.Entry<String, String> resolve : refused.entrySet()) {
                Response r = app.postJson("/api/payments/o-check-1/resolve", resolve.getKey());
                assertThat(r.status()).as(r.body()).isEqualTo(422);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("vendorPaymentRef");
                assertThat(r.json().path("detail").asText()).contains(resolve.getValue()).contains("nothing was changed");
            }
            for (String invalid : new String[] {
                    "{\"status\": \"FAILED\", \"reason\": \"x\", \"vendorPaymentRef\": \"" + otherOrder + "\"}",
                    paid(""), paid(" " + otherOrder), paid("sp 1")}) {
                Response r = app.postJson("/api/payments/o-check-1/resolve", invalid);
                assertThat(r.status()).as(invalid + " " + r.body()).isEqualTo(400);
                assertThat(r.json().path("errors").get(0).path("field").asText()).as(r.body()).endsWith("vendorPaymentRef");
            }
            assertThat(app.get("/api/payments/o-check-1").json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(app.get("/api/ledger?paymentId=o-check-1").json().path("entries")).isEmpty();
            assertThat(app.text("SELECT COUNT(*) FROM audit WHERE action = 'payment.resolve' AND target = ?", "o-check-1"))
                    .isEqualTo("0");

            // the vendor's own payment under this order id (a retry in its console, say), for this amount, part of
            // it returned since in the vendor's console: PAID with every money fact the record shows, the return too
            String its = SteppayRecords.paidElsewhere(app, "o-check-1", 4003);
            assertThat(app.postJson(app.sandboxUrl() + "/steppay/_control/console-cancel/" + its, "{\"amount\": 1000}")
                    .status()).isEqualTo(200);
            Response settled = app.postJson("/api/payments/o-check-1/resolve", paid(its));
            assertThat(settled.status()).as(settled.body()).isEqualTo(200);
            assertThat(settled.json().path("status").asText()).isEqualTo("PARTIALLY_REFUNDED");
            assertThat(settled.json().path("vendorPaymentRef").asText()).isEqualTo(its);
            assertThat(settled.json().path("refundedAmount").asLong()).isEqualTo(1000);
            JsonNode entries = app.get("/api/ledger?paymentId=o-check-1").json().path("entries");
            assertThat(entries).hasSize(2);
            assertThat(entries.toString()).contains("\"amount\":4003").contains("\"amount\":-1000").contains("OPERATOR");
        }
    }

    /** Whether a session is executing the update that settles an open payment (H2 shows each session's statement). */
    private static boolean settling(java.sql.Connection observer) throws java.sql.SQLException {
        try (var s = observer.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS "
                + "WHERE EXECUTING_STATEMENT LIKE 'UPDATE payments SET status = ?,%' ESCAPE '!'")) {
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    /** Vendor calls bounded at 0.5 s and no margin: an unanswered charge can be resolved a moment later. */
    /**
     * A payment settled PAID without its vendor's reference, at a vendor whose refund can only be asked by
     * that reference (Steppay's idKey): a refund is refused (422) before its row and its reservation, so no
     * refund stays open with the amount held and no route is asked to send what it cannot.
     */
    @Test
    void aRefundOfAPaymentSettledWithoutItsReferenceIsRefusedBeforeAnythingIsHeld() throws Exception {
        try (RunningPaybridge app = startLandingAtOnce()) {
            assertThat(app.postJson("/api/payments", Commands.billingKey("o-noref-1", "steppay", 4003, Commands.STEPPAY_KEY))
                    .json().path("status").asText()).isEqualTo("UNKNOWN");
            Response[] resolved = new Response[1];
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                resolved[0] = app.postJson("/api/payments/o-noref-1/resolve",
                        "{\"status\": \"PAID\", \"reason\": \"seen in the console\"}");
                assertThat(resolved[0].status()).isNotEqualTo(409); // past its horizon
            });
            assertThat(resolved[0].status()).as(resolved[0].body()).isEqualTo(200);
            assertThat(resolved[0].json().path("vendorPaymentRef").isMissingNode()
                    || resolved[0].json().path("vendorPaymentRef").isNull()).isTrue();

            Response refund = app.postJson("/api/refunds", Commands.refund("o-noref-rf", "o-noref-1", 1000L));
            assertThat(refund.status()).as(refund.body()).isEqualTo(422);
            assertThat(refund.contentType()).startsWith("application/problem+json");
            assertThat(refund.json().path("detail").asText()).contains("no reference at steppay");
            assertThat(new paybridge.ledger.RefundStore(new paybridge.ledger.Sql(app.context())).find("o-noref-rf"))
                    .as("no refund row, nothing reserved").isEmpty();
            assertThat(app.get("/api/payments/o-noref-1").json().path("refundedAmount").asLong()).isZero();
            assertThat(app.get("/api/ledger?paymentId=o-noref-1").json().path("entries")).hasSize(1);
        }
    }

    private static RunningPaybridge startLandingAtOnce() {
        return RunningPaybridge.start(Map.of(
                "paybridge.vendor.timeout", "PT0.5S",
                "paybridge.vendor.operation-timeout", "PT0.5S",
                "paybridge.vendor.in-flight-margin", "PT0S",
                "paybridge.reconcile.interval", "PT1H",
                "paybridge.webhook.processing-enabled", "false"));
    }
}
