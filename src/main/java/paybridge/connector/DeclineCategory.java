package paybridge.connector;

/**
 * Whether trying the same card (billing key) again can succeed (CONTRACT §2 {@code failure.category}).
 * {@code SOFT}: it may (insufficient funds, limits, a vendor hiccup); {@code HARD}: it cannot (card
 * reported lost or stolen, expired, closed account, a billing key the vendor no longer knows), so a
 * billing run never retries it on that key. A vendor code a connector's table does not list is SOFT.
 */
public enum DeclineCategory {
    SOFT,
    HARD
}
