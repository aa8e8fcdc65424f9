package paybridge.connector.http;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON reading and writing for vendor calls: money is whole KRW in {@code long}, fractions are refused. */
public final class VendorJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private VendorJson() {
    }

    /** An answer that is not what the vendor documents: for a charge, the outcome is then UNKNOWN. */
    public static final class BadResponseException extends RuntimeException {
        public BadResponseException(String message) {
            super(message, null, false, false);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write a vendor request", e);
        }
    }

    /** Parses a JSON object; null for an empty body; {@link BadResponseException} for anything else. */
    public static JsonNode readObject(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new BadResponseException("The vendor's answer is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new BadResponseException("The vendor's answer is not JSON");
        }
    }

    /**
     * A whole-KRW amount: a JSON integer, or a string of digits (Steppay's documents quote amounts
     * as strings). Absent or null gives {@code fallback}; a fraction or anything else is refused.
     */
    public static long money(JsonNode parent, String field, long fallback) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return fallback;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isFloatingPointNumber()) {
            // 1000.0 is still whole; 1000.5 is not KRW
            java.math.BigDecimal d = v.decimalValue();
            if (d.stripTrailingZeros().scale() <= 0) {
                try {
                    return d.longValueExact();
                } catch (ArithmeticException e) {
                    // too large, refused below
                }
            }
        }
        if (v.isTextual() && v.asText().matches("-?\\d{1,18}")) {
            return Long.parseLong(v.asText());
        }
        throw new BadResponseException("Field " + field + " is not a whole amount");
    }

    public static long requiredMoney(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            throw new BadResponseException("Field " + field + " is missing");
        }
        return money(parent, field, 0);
    }

    /** A text field, or null when absent, null or empty. */
    public static String text(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    /** UNIX seconds, where 0 means "not set" (iamport). */
    public static Instant epochSeconds(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || !v.canConvertToLong() || v.longValue() <= 0) {
            return null;
        }
        return Instant.ofEpochSecond(v.longValue());
    }

    /** An ISO-8601 date-time with offset (Steppay), or null when absent or unreadable. */
    public static Instant isoInstant(JsonNode parent, String field) {
        String s = text(parent, field);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
