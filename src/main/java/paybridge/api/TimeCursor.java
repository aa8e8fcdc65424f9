package paybridge.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A list's cursor: the position after a row as (time, key), the list's order, both never changing for a
 * row. Opaque to callers (base64url of {@code time|key}); each list checks the key's form itself.
 */
public record TimeCursor(Instant at, String key) {

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((at + "|" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The key as a number (a list ordered by time, then a numeric id), or null when it is not one. */
    public Long numericKey() {
        return key.matches("\\d{1,18}") ? Long.valueOf(key) : null;
    }

    /** The cursor, or null when the text is not one a list wrote. */
    public static TimeCursor parse(String text) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int bar = decoded.indexOf('|');
            return bar < 0 ? null : new TimeCursor(Instant.parse(decoded.substring(0, bar)), decoded.substring(bar + 1));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
