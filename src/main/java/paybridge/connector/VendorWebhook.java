package paybridge.connector;

/**
 * What a webhook delivery claims, read from its body. A claim only: the vendor's own record
 * (a lookup) decides what happened; these fields are compared with it.
 *
 * @param vendorRef      iamport {@code imp_uid}, Steppay {@code idKey}: what is looked up
 * @param orderId        iamport {@code merchant_uid}; Steppay's numeric {@code orderId} (informative only)
 * @param claimedStatus  iamport {@code status}, Steppay {@code webHookType}
 * @param cancellationId iamport {@code cancellation_id}, when present
 * @param claimedAmount  an {@code amount} field, when a body carries one (vendors do not; a forger might)
 */
public record VendorWebhook(String vendor, String vendorRef, String orderId, String claimedStatus,
                            String cancellationId, Long claimedAmount) {

    /**
     * A well-formed delivery that is not about a payment (e.g. a payout event): stored, answered 200 and
     * finished without a lookup; {@code claimedStatus} says what it was.
     */
    public static VendorWebhook ignored(String vendor, String what) {
        return new VendorWebhook(vendor, null, null, what, null, null);
    }

    /** Whether this delivery names no payment to look up ({@link #ignored}). */
    public boolean isIgnored() {
        return vendorRef == null;
    }
}
