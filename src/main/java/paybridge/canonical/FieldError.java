package paybridge.canonical;

/** One invalid field of a request: {@code field} is a dotted path such as {@code customer.id}. */
public record FieldError(String field, String message) {
}
