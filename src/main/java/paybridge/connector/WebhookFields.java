package paybridge.connector;

import java.util.Map;

/**
 * Reading a webhook body's fields (already parsed from JSON or form by the intake) in a connector's
 * {@link WebhookRules#parse}: what is missing, too long or not a whole amount is a
 * {@link MalformedWebhookException}, so the delivery is stored as REJECTED and answered 400.
 */
public final class WebhookFields {
    private WebhookFields() {
    }

    /** A required text field: present and not blank, at most {@code max} characters. */
    public static String required(Map<String, String> fields, String name, int max) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) {
            throw new MalformedWebhookException(name, "missing " + name);
        }
        if (v.length() > max) {
            throw new MalformedWebhookException(name, name + " longer than " + max + " characters");
        }
        return v.trim();
    }

    public static String optional(Map<String, String> fields, String name, int max) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (v.length() > max) {
            throw new MalformedWebhookException(name, name + " longer than " + max + " characters");
        }
        return v.trim();
    }

    /**
     * A required reference the vendor's lookup takes in its URL path: one outside the vendor's characters
     * and length ({@code format}) is no reference the vendor issues, so no lookup can ever verify it.
     */
    public static String reference(Map<String, String> fields, String name, java.util.regex.Pattern format) {
        String v = required(fields, name, 200);
        if (!format.matcher(v).matches()) {
            throw new MalformedWebhookException(name, name + " is not a reference the vendor issues");
        }
        return v;
    }

    /** An optional whole amount; a value that is not a whole number is malformed. */
    public static Long amount(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        if (!v.trim().matches("-?\\d{1,18}")) {
            throw new MalformedWebhookException(name, name + " is not a whole amount");
        }
        return Long.parseLong(v.trim());
    }
}
