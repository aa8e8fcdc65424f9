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
        Instant updatedAt,
        Instant inFlightUntil,
        int looks,
        String unsettledReason,
        String overturnedFrom) {

    /**
     * Whether no vendor record can be taken for this payment without an operator: the vendor answered its
     * first ask that the order id is in use ({@link paybridge.canonical.PaymentStates#ORDER_ID_IN_USE}) and
     * no reference of its own was recorded since.
     */
    public boolean orderIdHeldElsewhere() {
        return paybridge.canonical.PaymentStates.ORDER_ID_IN_USE.equals(failureCode) && vendorPaymentRef == null;
    }

    static PaymentRecord of(Map<String, Object> r) {
        return new PaymentRecord((String) r.get("payment_id"), (String) r.get("request_hash"), (String) r.get("vendor"),
                (String) r.get("method"), Sql.longValue(r.get("amount")), trim(r.get("currency")),
                (String) r.get("order_name"), (String) r.get("customer_id"), (String) r.get("subscription_id"),
                (String) r.get("billing_key"), trim(r.get("card_last4")), PaymentStatus.valueOf((String) r.get("status")),
                (String) r.get("vendor_payment_ref"), (String) r.get("failure_code"), (String) r.get("failure_message"),
                Sql.longValue(r.get("refund_reserved")), Sql.instant(r.get("created_at")), Sql.instant(r.get("updated_at")),
                Sql.instant(r.get("in_flight_until")), (int) Sql.longValue(r.get("looks")),
                (String) r.get("unsettled_reason"), (String) r.get("overturned_from"));
    }

    /**
     * The row {@link PaymentStore#insert} writes for a new attempt (its horizon, set by the database,
     * is not known here: null).
     */
    static PaymentRecord pending(paybridge.canonical.PaymentCommand c, String requestHash, Instant now) {
        return new PaymentRecord(c.paymentId(), requestHash, c.vendor(), c.method().name(), c.amount(), c.currency(),
                c.orderName(), c.customer() == null ? null : c.customer().id(), c.subscriptionId(), c.billingKey(),
                c.card() == null ? null : c.card().last4(), PaymentStatus.PENDING, null, null, null, 0, now, now,
                null, 0, null, null);
    }

    /**
     * This row as {@link PaymentStore#settleOpen} leaves it (so the caller need not read it back): a billing key
     * the row holds stays, as the statement's {@code COALESCE(billing_key, ...)} keeps it.
     */
    public PaymentRecord settled(PaymentStatus newStatus, String newVendorPaymentRef, String newBillingKey,
                                 paybridge.canonical.Failure failure, Instant now) {
        return new PaymentRecord(paymentId, requestHash, vendor, method, amount, currency, orderName, customerId,
                subscriptionId, billingKey != null ? billingKey : newBillingKey, cardLast4, newStatus,
                newVendorPaymentRef != null ? newVendorPaymentRef : vendorPaymentRef,
                failure == null ? null : failure.code(), failure == null ? null : PaymentStore.truncate(failure.message(), 500),
                refundReserved, createdAt, now, inFlightUntil, looks, null, overturnedFrom);
    }

    private static String trim(Object value) {
        return value == null ? null : value.toString().trim();
    }
}
