package paybridge.canonical;

/**
 * A command for a vendor that no route of this build serves at all (enabled by configuration, but
 * without a vendor package): a 422 whose {@code errors} name {@code vendor}. (Thrown by
 * dispatch.camel.yaml, which can only pass a message, hence its own class.)
 */
public class UnsupportedVendorException extends UnsupportedCommandException {
    public UnsupportedVendorException(String detail) {
        super("vendor", detail);
    }
}
