package paybridge.connector;

/** A webhook body that cannot be read (not JSON or form, or without the vendor's reference). */
public class MalformedWebhookException extends RuntimeException {
    private final String field;

    /** The body as a whole cannot be read. */
    public MalformedWebhookException(String message) {
        this(null, message);
    }

    /** One field is missing or not what the vendor sends: the 400 names it. */
    public MalformedWebhookException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** The field at fault; null when it is the body as a whole. */
    public String field() {
        return field;
    }
}
