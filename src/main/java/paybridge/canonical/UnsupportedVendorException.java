package paybridge.canonical;

/**
 * A command no route here serves for its vendor (an enabled connector that takes it, without a branch
 * in dispatch.camel.yaml; a refund of a payment whose connector does not refund): a 422 whose
 * {@code errors} name {@code vendor}.
 */
public class UnsupportedVendorException extends UnsupportedCommandException {
    public UnsupportedVendorException(String detail) {
        super("vendor", detail);
    }
}
