package paybridge.billing;

/**
 * The outgoing events of CONTRACT §8 ({@code subscription.past_due}, {@code subscription.resumed},
 * {@code subscription.cancelled}; data: the Subscription). Called INSIDE the transaction of the state
 * change, right after the statement that changed the state, and only when it did: an implementation
 * that writes its outbox row with the same {@code Sql} joins that transaction, so the event commits
 * with the change or not at all. It may read the subscription back (same transaction) to build the data.
 *
 * <p>{@link SubscriptionOutbox} (bound as {@code subscriptionEvents} by {@code BillingConfiguration})
 * writes them to the outbox; {@link #NONE} (services built by hand in tests) does nothing.
 */
@FunctionalInterface
public interface SubscriptionEvents {

    /** The state changes that are events. */
    enum Change {
        PAST_DUE("subscription.past_due"),
        RESUMED("subscription.resumed"),
        CANCELLED("subscription.cancelled");

        private final String eventType;

        Change(String eventType) {
            this.eventType = eventType;
        }

        /** The event type of CONTRACT §8. */
        public String eventType() {
            return eventType;
        }
    }

    SubscriptionEvents NONE = (subscriptionId, change) -> { };

    void stateChanged(String subscriptionId, Change change);
}
