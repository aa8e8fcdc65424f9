package paybridge.canonical;

import java.util.List;

/** An RFC 9457 problem detail, the body of every error answer ({@code application/problem+json}). */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, List.of());
    }

    public static Problem invalid(String detail, List<FieldError> errors) {
        return new Problem("https://paybridge.dev/problems/invalid-request", "Invalid request", 400, detail, errors);
    }
}
