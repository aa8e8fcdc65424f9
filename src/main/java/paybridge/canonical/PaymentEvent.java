package paybridge.canonical;

import java.time.Instant;

/**
 * One money fact about a payment, however it was learnt (API answer, lookup, operator, webhook).
 *
 * @param amount          the signed ledger amount: +paid, -returned, 0 otherwise
 * @param cancellationId  the vendor's id of the cancellation, when money was returned and it has one
 * @param refundedTotal   the payment's cumulative returned amount after this event (money returned only)
 * @param keyQualifier    tells apart two facts of the same type on one payment that are not the same fact
 *                        (a reconcile "never charged" FAILED entry and a later decline of the same
 *                        paymentId sent again); null for nearly every event
 */
public record PaymentEvent(
        String vendor,
        String paymentId,
        String vendorPaymentRef,
        String subscriptionId,
        EventType type,
        long amount,
        String currency,
        String cancellationId,
        long refundedTotal,
        Instant occurredAt,
        String keyQualifier) {

    /** Qualifier of the FAILED entry that records a reconcile's "never charged" conclusion. */
    public static final String NOT_CHARGED = "NOT_CHARGED";

    public PaymentEvent(String vendor, String paymentId, String vendorPaymentRef, String subscriptionId, EventType type,
                        long amount, String currency, String cancellationId, long refundedTotal, Instant occurredAt) {
        this(vendor, paymentId, vendorPaymentRef, subscriptionId, type, amount, currency, cancellationId, refundedTotal,
                occurredAt, null);
    }

    /**
     * The ledger's unique key, derived from the facts alone (CONTRACT §5): the same outcome learnt
     * from the API, a lookup, an operator and a webhook is one entry.
     */
    public String eventKey() {
        if (!type.returnsMoney()) {
            return vendor + ":" + paymentId + ":" + type + (keyQualifier == null ? "" : ":" + keyQualifier);
        }
        // REFUNDED (our API), CANCELLED and PARTIALLY_REFUNDED (a webhook or lookup) of the same
        // cancellation are one fact: the key names the return, not the type that reported it.
        return vendor + ":" + paymentId + ":RETURN:"
                + (cancellationId != null && !cancellationId.isBlank() ? "c=" + cancellationId : "t=" + refundedTotal);
    }
}
