package paybridge.canonical;

/**
 * Where a stored webhook delivery stands ({@code webhook_inbox.status}, {@code GET /api/webhooks?status=}):
 * RECEIVED (stored, not processed yet), PENDING (to be looked at again: the vendor's record could not be
 * read, or does not show yet what the delivery announces), PROCESSED, REJECTED (forged, contradicted by
 * the vendor's record, or unreadable).
 */
public enum InboxState {
    RECEIVED, PENDING, PROCESSED, REJECTED;

    /** Still to be processed: the poll takes RECEIVED and PENDING entries. */
    public boolean isOpen() {
        return this == RECEIVED || this == PENDING;
    }
}
