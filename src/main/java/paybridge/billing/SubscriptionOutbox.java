package paybridge.billing;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import paybridge.ledger.EventFacts;
import paybridge.ledger.Sql;

/**
 * The subscription events of CONTRACT §8 written to the outbox ({@link EventFacts}) inside the state
 * change's transaction; the data is the subscription as {@code GET /api/subscriptions/{id}} shows it.
 * PAST_DUE and RESUMED can happen many times to one subscription: each is keyed by the row's version
 * after the change (every change is one conditional statement that raises it), so each resume is its
 * own event and a change applied once is one event. CANCELLED happens once.
 */
final class SubscriptionOutbox implements SubscriptionEvents {
    private static final String VERSION = "SELECT version FROM subscriptions WHERE subscription_id = :?subscriptionId";

    private final SubscriptionStore store;
    private final Sql sql;
    private volatile Function<Subscription, Object> view = s -> s;

    SubscriptionOutbox(SubscriptionStore store, Sql sql) {
        this.store = store;
        this.sql = sql;
    }

    /** How a subscription is shown (SubscriptionService's view, built after this). */
    void view(Function<Subscription, Object> shown) {
        this.view = shown;
    }

    @Override
    public void stateChanged(String subscriptionId, Change change) {
        Subscription s = store.find(subscriptionId).orElse(null);
        if (s == null) {
            return;
        }
        String key = change.eventType() + ":" + subscriptionId;
        if (change != Change.CANCELLED) {
            List<Map<String, Object>> rows = sql.query(VERSION, Map.of("subscriptionId", subscriptionId));
            key += ":v" + (rows.isEmpty() ? 0 : Sql.longValue(rows.get(0).get("version")));
        }
        String paymentId = change == Change.PAST_DUE ? s.pastDuePaymentId() : null;
        EventFacts.of(sql).record(key, change.eventType(), paymentId, subscriptionId, view.apply(s));
    }
}
