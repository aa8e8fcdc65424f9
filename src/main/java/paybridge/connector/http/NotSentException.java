package paybridge.connector.http;

/**
 * A call was abandoned before its request left paybridge (e.g. no iamport token could be had):
 * the vendor certainly did nothing.
 *
 * @see SendFailures
 */
public class NotSentException extends RuntimeException {
    private final String code;

    public NotSentException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The failure code to report, e.g. {@code VENDOR_AUTH_REJECTED} or {@code NO_TOKEN}. */
    public String code() {
        return code;
    }
}
