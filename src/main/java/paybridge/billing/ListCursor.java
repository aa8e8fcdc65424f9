package paybridge.billing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The list's cursor: the position after a row, as (createdAt, subscriptionId) — the list's order, both
 * never changing for a row — so a page after it never repeats a row nor skips one that existed when the
 * first page was read, whatever is inserted meanwhile. Opaque to callers (base64url).
 */
record ListCursor(Instant createdAt, String subscriptionId) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,24}");

    static ListCursor of(Subscription s) {
        return new ListCursor(s.createdAt(), s.subscriptionId());
    }

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((createdAt + "|" + subscriptionId).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or null when the text is not one this list wrote. */
    static ListCursor parse(String text) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int bar = decoded.indexOf('|');
            if (bar < 0) {
                return null;
            }
            String id = decoded.substring(bar + 1);
            if (!ID.matcher(id).matches()) {
                return null;
            }
            return new ListCursor(Instant.parse(decoded.substring(0, bar)), id);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
