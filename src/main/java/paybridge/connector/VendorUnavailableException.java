package paybridge.connector;

/** A lookup or token call could not get an answer (after its retries): try again later. */
public class VendorUnavailableException extends RuntimeException {
    public VendorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
