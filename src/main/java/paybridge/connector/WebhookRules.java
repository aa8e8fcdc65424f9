package paybridge.connector;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A vendor's webhooks, as the vendor-free intake and processor (paybridge.webhooks) see them: who
 * may deliver, how a delivery is authenticated, what its body claims, and how that claim compares
 * with the vendor's own record (the record decides; a claim is only compared). The payment a claim
 * names is looked up through the connector's {@link Connector#lookupByVendorRefRoute()} with
 * {@link VendorWebhook#vendorRef()}.
 */
public interface WebhookRules {

    /** Reads a webhook body's fields (form or JSON, already parsed); {@link MalformedWebhookException} when it cannot. */
    VendorWebhook parse(Map<String, String> fields);

    /** Compares a webhook's claim with the vendor's looked-up record. */
    ClaimCheck check(VendorWebhook claim, VendorPayment found);

    /** Which source addresses may deliver this vendor's webhooks. */
    IpAllowList sources();

    /**
     * Null when the delivery is authentic or this vendor's webhooks are not signed here; else the
     * name of the header at fault (the intake answers 401 and stores nothing).
     */
    String refuseSignature(Function<String, String> header, byte[] rawBody);

    /** Lower-case header names that carry secrets: never stored, never shown. */
    Set<String> secretHeaders();

    /**
     * The body text as the inbox keeps it: a field that carries a secret (e.g. a per-payment verification
     * value) replaced, everything else as received. Called after the signature check, which sees the
     * exact bytes. Default: the body unchanged.
     */
    default String storedBody(String contentType, String body) {
        return body;
    }

    /** Whether {@link #refuseSignature} checks anything with the settings given (the start-up log says so). */
    default boolean signed() {
        return false;
    }
}
