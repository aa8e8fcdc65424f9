package paybridge.connector;

/**
 * What a connector's billing-key issuance route ({@link Connector#issueBillingKeyRoute()}) needs: the
 * customer's authorization from the vendor's browser window and the customer it was given to.
 *
 * @param customerId     the caller's customer id (Toss's {@code customerKey})
 * @param authKey        the authorization the customer's browser got from the vendor; a credential:
 *                       never logged, never shown ({@link #toString()})
 * @param idempotencyKey stable for this authKey, so a re-ask after a lost answer is the same request
 * @param askedBefore    an earlier request for this authKey may have reached the vendor and its answer was
 *                       never recorded (a re-send of a request answered "lost"): a refusal now proves nothing,
 *                       the first ask may have issued the key and spent the authKey
 */
public record BillingKeyRequest(String vendor, String customerId, String authKey, String idempotencyKey,
                                boolean askedBefore) {
    @Override
    public String toString() {
        return "BillingKeyRequest[vendor=" + vendor + ", customerId=" + customerId + "]";
    }
}
