package paybridge.billing;

import java.time.Instant;
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
        return new paybridge.api.TimeCursor(createdAt, subscriptionId).encode();
    }

    /** The cursor, or null when the text is not one this list wrote. */
    static ListCursor parse(String text) {
        paybridge.api.TimeCursor cursor = paybridge.api.TimeCursor.parse(text);
        return cursor == null || !ID.matcher(cursor.key()).matches() ? null
                : new ListCursor(cursor.at(), cursor.key());
    }
}
