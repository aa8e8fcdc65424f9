package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A charge (CONTRACT §2), validated against {@code schemas/payment-command.schema.json} before it
 * becomes this record. {@code paymentId} is the idempotency key and the vendor's merchant order id.
 */
public record PaymentCommand(
        @Schema(example = "ord-20261122-0001") String paymentId,
        @Schema(example = "iamport") String vendor,
        @Schema(example = "KEY_IN") PaymentMethod method,
        @Schema(example = "3000") long amount,
        @Schema(example = "KRW") String currency,
        @Schema(example = "Premium plan, November") String orderName,
        @Schema(example = "1") Integer quantity,
        Customer customer,
        Card card,
        @Schema(example = "true") Boolean saveBillingKey,
        @Schema(example = "cu_user-42_5f3a") String billingKey,
        @Schema(example = "sub-42") String subscriptionId) {

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
