package paybridge.ledger;

import java.time.Instant;
import java.util.Map;

import paybridge.canonical.PaymentStatus;

/** A row of {@code payments}: the attempt and its state (the money facts are in the ledger). */
public record PaymentRecord(
        String paymentId,
        String requestHash,
        String vendor,
        String method,
        long amount,
        String currency,
        String orderName,
        String customerId,
        String subscriptionId,
        String billingKey,
        String cardLast4,
        PaymentStatus status,
        String vendorPaymentRef,
        String failureCode,
        String failureMessage,
        long refundReserved,
        Instant createdAt,
        Instant updatedAt) {

    static PaymentRecord of(Map<String, Object> r) {
        return new PaymentRecord((String) r.get("payment_id"), (String) r.get("request_hash"), (String) r.get("vendor"),
                (String) r.get("method"), Sql.longValue(r.get("amount")), trim(r.get("currency")),
                (String) r.get("order_name"), (String) r.get("customer_id"), (String) r.get("subscription_id"),
                (String) r.get("billing_key"), trim(r.get("card_last4")), PaymentStatus.valueOf((String) r.get("status")),
                (String) r.get("vendor_payment_ref"), (String) r.get("failure_code"), (String) r.get("failure_message"),
                Sql.longValue(r.get("refund_reserved")), Sql.instant(r.get("created_at")), Sql.instant(r.get("updated_at")));
    }

    private static String trim(Object value) {
        return value == null ? null : value.toString().trim();
    }
}
