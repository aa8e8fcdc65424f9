package paybridge.webhooks;

import java.time.Instant;
import java.util.Map;

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
        String status,
        String reason,
        String paymentId,
        String eventType,
        int attempts,
        Instant nextAttemptAt,
        boolean flagged,
        String vendorRef,
        String lockedBy,
        Instant processedAt) {

    /** This entry as a claim leaves it: one more attempt, held by {@code token}. */
    InboxEntry claimedBy(String token) {
        return new InboxEntry(inboxId, vendor, receivedAt, sourceIp, contentType, headers, body, status, reason, paymentId,
                eventType, attempts + 1, nextAttemptAt, flagged, vendorRef, token, processedAt);
    }

    static InboxEntry of(Map<String, Object> r) {
        Object flagged = r.get("flagged");
        return new InboxEntry((String) r.get("inbox_id"), (String) r.get("vendor"), Sql.instant(r.get("received_at")),
                (String) r.get("source_ip"), (String) r.get("content_type"), (String) r.get("headers"),
                (String) r.get("body"), (String) r.get("status"), (String) r.get("reason"), (String) r.get("payment_id"),
                (String) r.get("event_type"), (int) Sql.longValue(r.get("attempts")), Sql.instant(r.get("next_attempt_at")),
                flagged instanceof Boolean b && b, (String) r.get("vendor_ref"), (String) r.get("locked_by"),
                Sql.instant(r.get("processed_at")));
    }
}
