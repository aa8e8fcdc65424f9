package paybridge.canonical;

/**
 * A charge (CONTRACT §2), validated against {@code schemas/payment-command.schema.json} before it
 * becomes this record. {@code paymentId} is the idempotency key and the vendor's merchant order id.
 */
public record PaymentCommand(
        String paymentId,
        String vendor,
        PaymentMethod method,
        long amount,
        String currency,
        String orderName,
        Integer quantity,
        Customer customer,
        Card card,
        Boolean saveBillingKey,
        String billingKey,
        String subscriptionId) {

    public PaymentCommand {
        currency = currency == null ? "KRW" : currency;
        quantity = quantity == null ? 1 : quantity;
        saveBillingKey = saveBillingKey != null && saveBillingKey;
    }

    public PaymentCommand withBillingKey(String key) {
        return new PaymentCommand(paymentId, vendor, method, amount, currency, orderName, quantity, customer, card,
                saveBillingKey, key, subscriptionId);
    }
}
