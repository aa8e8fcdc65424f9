package paybridge.canonical;

import java.util.List;

/**
 * A command no vendor route serves (vendor and method pair): a 422 naming what is supported, with
 * {@code errors} naming {@code method} (the vendor is enabled, it just does not take this method).
 */
public class UnsupportedCommandException extends ProblemException {
    public static final String TYPE = "https://paybridge.dev/problems/unsupported-command";

    public UnsupportedCommandException(String detail) {
        this("method", detail);
    }

    public UnsupportedCommandException(String field, String detail) {
        super(new Problem(TYPE, "Unsupported vendor and method", 422, detail, List.of(new FieldError(field, detail))));
    }
}
