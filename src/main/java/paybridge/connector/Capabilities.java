package paybridge.connector;

import java.util.Set;

import paybridge.canonical.PaymentMethod;

/**
 * What a connector can do, as data (read by the registry, the API's validation and the README's
 * vendor table), so no caller has to know a vendor's name to know what it supports.
 *
 * @param methods            the payment methods its charge operation accepts
 * @param refunds            full and partial refunds of a charge it made
 * @param billingKeyIssuance issuing a billing key from a customer's authorization (not only charging one)
 * @param idempotencyKeys    the vendor honours an idempotency key, so a lost answer may be re-asked safely
 * @param signedWebhooks     the vendor signs its webhooks and the connector checks the signature
 */
public record Capabilities(Set<PaymentMethod> methods, boolean refunds, boolean billingKeyIssuance,
                           boolean idempotencyKeys, boolean signedWebhooks) {
    public Capabilities {
        methods = Set.copyOf(methods);
    }
}
