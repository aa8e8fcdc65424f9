package paybridge.canonical;

/** How a charge is paid: card details typed in (where a connector takes them: its capabilities) or a stored billing key. */
public enum PaymentMethod {
    KEY_IN, BILLING_KEY
}
