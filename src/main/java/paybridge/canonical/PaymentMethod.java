package paybridge.canonical;

/** How a charge is paid: card details typed in (iamport only) or a stored billing key. */
public enum PaymentMethod {
    KEY_IN, BILLING_KEY
}
