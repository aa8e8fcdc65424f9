package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paybridge.ledger.Database;
import paybridge.ledger.PaymentStore;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * A refund of a payment whose vendor is no longer enabled is a 422 naming {@code vendor} before
 * anything is reserved: no refunds row, what remains refundable unchanged, the same refundId free for
 * later. (Before, the amount was reserved and a PENDING refund inserted, then no route took it: a 500
 * with the money reserved for good.)
 */
class RefundOfDisabledVendorTest {

    @Test
    void aRefundOfAPaymentWhoseVendorIsNoLongerEnabledIsA422AndReservesNothing(@TempDir Path dir) throws Exception {
        String database = "jdbc:h2:file:" + dir.resolve("paybridge").toAbsolutePath();
        try (RunningPaybridge both = RunningPaybridge.start(Map.of("paybridge.vendors", "steppay,iamport",
                "paybridge.db.url", database))) {
            Response paid = both.postJson("/api/payments", """
                    {"paymentId": "dv-pay-1", "vendor": "steppay", "method": "BILLING_KEY", "amount": 3000,
                     "orderName": "Premium plan", "customer": {"id": "user-42"},
                     "billingKey": "16057932413479698c8vqQG0kMix9"}""");
            assertThat(paid.json().path("status").asText()).as(paid.body()).isEqualTo("PAID");
        }
        try (RunningPaybridge iamportOnly = RunningPaybridge.start(Map.of("paybridge.vendors", "iamport",
                "paybridge.db.url", database))) {
            PaymentStore payments = iamportOnly.lookup("paymentStore", PaymentStore.class);
            long remaining = payments.refundable("dv-pay-1");
            assertThat(remaining).isEqualTo(3000);

            Response r = iamportOnly.postJson("/api/refunds",
                    "{\"refundId\": \"dv-rf-1\", \"paymentId\": \"dv-pay-1\", \"amount\": 1000}");
            assertThat(r.status()).as(r.body()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors")).singleElement()
                    .satisfies(e -> assertThat(e.path("field").asText()).isEqualTo("vendor"));
            assertThat(r.json().path("detail").asText()).contains("steppay");

            assertThat(refundRows(iamportOnly, "dv-rf-1")).as("no refunds row").isZero();
            assertThat(payments.refundable("dv-pay-1")).as("nothing reserved").isEqualTo(remaining);
            Response payment = iamportOnly.get("/api/payments/dv-pay-1");
            assertThat(payment.json().path("status").asText()).isEqualTo("PAID");
            assertThat(payment.json().path("refundedAmount").asLong()).isZero();
        }
    }

    private static long refundRows(RunningPaybridge app, String refundId) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM refunds WHERE refund_id = ?")) {
            ps.setString(1, refundId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
