package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * {@code POST /api/billing-keys} (CONTRACT §2): issue a billing key from the authorization the
 * customer's browser got from the vendor's billing window. {@code authKey} is the idempotency key; it is
 * a credential, never logged ({@link #toString()}).
 */
public record BillingKeyCommand(
        @Schema(example = "toss") String vendor,
        Customer customer,
        @Schema(example = "bln_b6WEXxNo7Lp1XJ5dWvqOzXz1") String authKey) {

    @Override
    public String toString() {
        return "BillingKeyCommand[vendor=" + vendor + ", customer=" + (customer == null ? null : customer.id()) + "]";
    }
}
