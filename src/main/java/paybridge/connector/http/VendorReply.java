package paybridge.connector.http;

/**
 * What one vendor call produced: an HTTP answer ({@code status} and {@code body}), or the
 * exception that prevented one ({@code error}; {@code status} is then 0).
 */
public record VendorReply(int status, String body, Throwable error) {

    public static VendorReply answer(int status, String body) {
        return new VendorReply(status, body, null);
    }

    public static VendorReply failed(Throwable error) {
        return new VendorReply(0, null, error);
    }

    public boolean failed() {
        return error != null;
    }

    /** Whether the request certainly never reached the vendor (see {@link SendFailures}). */
    public boolean notSent() {
        return error != null && SendFailures.notSent(error);
    }

    /** Worth another try for a safe call: an I/O failure or a 5xx. Never used for charges or refunds. */
    public boolean retryable() {
        if (error != null) {
            // a call abandoned on purpose (no token) was already retried where it failed
            return SendFailures.rootOf(error, NotSentException.class) == null;
        }
        return status >= 500;
    }

    @Override
    public String toString() {
        return error != null ? "VendorReply[error " + error.getClass().getSimpleName() + "]" : "VendorReply[" + status + "]";
    }
}
