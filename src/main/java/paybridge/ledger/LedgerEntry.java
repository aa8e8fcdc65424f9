package paybridge.ledger;

import java.time.Instant;

/** One row of the ledger as {@code GET /api/ledger} shows it (CONTRACT §5). */
public record LedgerEntry(
        long entryId,
        Instant recordedAt,
        Instant occurredAt,
        String vendor,
        String paymentId,
        String vendorPaymentRef,
        String subscriptionId,
        String type,
        long amount,
        String currency,
        String source,
        String eventKey) {
}
