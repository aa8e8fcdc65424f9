package paybridge.connector.http;

/**
 * One call to a vendor, kept as an exchange property so it can be sent again as it was (the one
 * permitted re-send after a 401, and the retries of safe calls) after the HTTP producer has
 * replaced the message with the answer.
 *
 * @param method HTTP method
 * @param path   path below the vendor's base URL, already safe to put in a URL
 * @param json   the JSON body, or null for none. It may hold card data, so {@link #toString()} never shows it.
 * @param operation what the call does, a metrics label ({@code token}, {@code charge}, {@code refund},
 *                  {@code lookup}); never an id
 */
public record VendorRequest(String method, String path, String json, String operation) {

    public VendorRequest(String method, String path, String json) {
        this(method, path, json, "other");
    }

    public static VendorRequest get(String path) {
        return new VendorRequest("GET", path, null);
    }

    public static VendorRequest post(String path, String json) {
        return new VendorRequest("POST", path, json);
    }

    /** The same request labelled with its operation (vendor call metrics). */
    public VendorRequest as(String operation) {
        return new VendorRequest(method, path, json, operation);
    }

    @Override
    public String toString() {
        return "VendorRequest[" + method + " " + path + "]";
    }
}
