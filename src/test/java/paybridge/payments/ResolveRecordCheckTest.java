package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.ledger.PaymentRecord;

/**
 * The rule an operator's typed vendorPaymentRef is held to, on the record the vendor's lookup answered:
 * the record must be this payment, charged, and stored under the reference typed. A lookup route that
 * finds a payment by something else (Toss's {@code order:} form looks it up by order id) must not let
 * that other text be stored as the payment's reference: a later webhook under the real one would then be
 * recorded as a second payment.
 */
class ResolveRecordCheckTest {
    private static final PaymentRecord UNKNOWN_CHARGE = new PaymentRecord("rrc-1", "h", "toss", "BILLING_KEY", 5000,
            "KRW", "order", "cust", null, "bk", null, PaymentStatus.UNKNOWN, null, null, null, 0, Instant.EPOCH,
            Instant.EPOCH, Instant.EPOCH, 0, null, null);

    private static VendorPayment record(String ref, String orderId, long amount, PaymentStatus status) {
        return new VendorPayment(true, "toss", ref, orderId, status, amount, 0, List.of(), null, null, Instant.EPOCH);
    }

    @Test
    void theRecordMustBeThisPaymentChargedUnderTheTypedReference() {
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "tpk_1",
                record("tpk_1", "rrc-1", 5000, PaymentStatus.PAID))).isNull();
        // found by order id, stored under another text: refused, naming the record's own reference
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "order:rrc-1",
                record("tpk_1", "rrc-1", 5000, PaymentStatus.PAID))).contains("tpk_1");
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "tpk_2",
                record("tpk_2", "rrc-other", 5000, PaymentStatus.PAID))).contains("order rrc-other");
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "tpk_3",
                record("tpk_3", "rrc-1", 4000, PaymentStatus.PAID))).contains("4000");
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "tpk_4",
                record("tpk_4", "rrc-1", 5000, PaymentStatus.FAILED))).contains("FAILED");
        assertThat(OperatorService.recordContradicts(UNKNOWN_CHARGE, "tpk_5", VendorPayment.notFound("toss")))
                .contains("no payment");
    }
}
