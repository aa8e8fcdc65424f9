package paybridge.webhooks;

import java.time.Instant;
import java.util.Map;

import paybridge.canonical.InboxState;
import paybridge.ledger.Sql;

/** A row of {@code webhook_inbox}: the delivery as received, and where its processing stands. */
public record InboxEntry(
        String inboxId,
        String vendor,
        Instant receivedAt,
        String sourceIp,
        String contentType,
        String headers,
        String body,
        // the body byte for byte when it is not readable text (then body is null)
        byte[] bodyBytes,
        InboxState status,
        String reason,
        String paymentId,
        String eventType,
        int attempts,
        // how many of those lookups the vendor answered that it does not know the payment
        int unknownLooks,
        Instant nextAttemptAt,
        boolean flagged,
        String vendorRef,
        String lockedBy,
        Instant processedAt) {

    /** This entry as a claim leaves it: one more attempt, held by {@code token}. */
    InboxEntry claimedBy(String token) {
        return new InboxEntry(inboxId, vendor, receivedAt, sourceIp, contentType, headers, body, bodyBytes, status, reason,
                paymentId, eventType, attempts + 1, unknownLooks, nextAttemptAt, flagged, vendorRef, token, processedAt);
    }

    static InboxEntry of(Map<String, Object> r) {
        Object flagged = r.get("flagged");
        return new InboxEntry((String) r.get("inbox_id"), (String) r.get("vendor"), Sql.instant(r.get("received_at")),
                (String) r.get("source_ip"), (String) r.get("content_type"), (String) r.get("headers"),
                (String) r.get("body"), bytes(r.get("body_bytes")), InboxState.valueOf(((String) r.get("status")).trim()),
                (String) r.get("reason"),
                (String) r.get("payment_id"),
                (String) r.get("event_type"), (int) Sql.longValue(r.get("attempts")),
                (int) Sql.longValue(r.get("unknown_looks")), Sql.instant(r.get("next_attempt_at")),
                flagged instanceof Boolean b && b, (String) r.get("vendor_ref"), (String) r.get("locked_by"),
                Sql.instant(r.get("processed_at")));
    }

    /** Whether the body was kept as bytes (not readable text). */
    public boolean binary() {
        return body == null && bodyBytes != null;
    }

    private static byte[] bytes(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof java.sql.Blob blob) {
            try {
                return blob.getBytes(1, (int) blob.length());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("unreadable body_bytes", e);
            }
        }
        throw new IllegalArgumentException("Not bytes: " + value.getClass());
    }
}
