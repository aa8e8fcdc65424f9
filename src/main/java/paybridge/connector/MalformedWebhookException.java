package paybridge.connector;

/** A webhook body that cannot be read (not JSON or form, or without the vendor's reference). */
public class MalformedWebhookException extends RuntimeException {
    public MalformedWebhookException(String message) {
        super(message, null, false, false);
    }
}
