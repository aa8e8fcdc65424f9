package paybridge.ledger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.EventType;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.PaymentStatus;
import paybridge.canonical.Failure;
import paybridge.canonical.RefundResult;
import paybridge.canonical.RefundState;

/**
 * The outbox of CONTRACT §8: a decided fact becomes one row of {@code events} and one PENDING row of
 * {@code event_deliveries} per destination that takes its type, written with the {@link Sql} of the
 * store that changed the state, inside that store's transaction, so the event commits with the change
 * and its ledger entry or not at all. Delivering is another thread's business (paybridge.events).
 *
 * <p>Each event has a unique key derived from the fact, never from who learnt it: a payment's events are
 * keyed by their ledger entry's eventKey (CONTRACT §5), so an outcome learnt from the API and again from
 * a webhook is one ledger entry and one event; a state change without a ledger entry by the row's
 * version after the change (each change is one conditional statement, so a version is reached once).
 * Bound as {@value #BEAN}; stores find it through {@link #of(Sql)}.
 */
public final class EventFacts {
    public static final String BEAN = "eventFacts";

    private static final String INSERT_EVENT = """
            INSERT INTO events (event_id, event_key, type, payment_id, subscription_id, data, created_at)
            VALUES (:?eventId, :?eventKey, :?type, :?paymentId, :?subscriptionId, :?data, CURRENT_TIMESTAMP)
            ON CONFLICT DO NOTHING""";
    // the event of a ledger entry this transaction just appended: no event can hold its key (the ledger's
    // unique event_key admitted this entry, and an entry's event is written only with it), so a plain
    // INSERT, which H2 runs in well under half the time of one with ON CONFLICT; if that ever failed, the
    // change and its entry would roll back with it, never commit without their event
    private static final String INSERT_NEW_EVENT = """
            INSERT INTO events (event_id, event_key, type, payment_id, subscription_id, data, created_at)
            VALUES (:?eventId, :?eventKey, :?type, :?paymentId, :?subscriptionId, :?data, CURRENT_TIMESTAMP)""";
    private static final String INSERT_DELIVERY = """
            INSERT INTO event_deliveries (event_id, destination, status, attempts, retries_from, next_attempt_at,
                created_at)
            VALUES (:?eventId, :?destination, 'PENDING', 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""";
    private static final String REFUND = """
            SELECT r.refund_id, r.payment_id, r.status, r.amount, r.failure_code, r.failure_message,
                p.amount AS payment_amount, p.subscription_id,
                (SELECT COALESCE(SUM(-l.amount), 0) FROM ledger_entries l
                 WHERE l.payment_id = r.payment_id AND l.amount < 0) AS returned
            FROM refunds r JOIN payments p ON p.payment_id = r.payment_id
            WHERE r.refund_id = :?refundId""";
    private static final String PAYMENT_VERSION = "SELECT version FROM payments WHERE payment_id = :?paymentId";

    private final Sql sql;
    // destination name -> whether it takes an event type (paybridge.events.destination.<name>.types)
    private volatile Map<String, Predicate<String>> destinations = Map.of();
    // a payment's PaymentResult as it reads now (the payments view), read in the caller's transaction
    private volatile Function<String, Optional<PaymentResult>> payments = id -> Optional.empty();

    public EventFacts(Sql sql) {
        this.sql = sql;
    }

    /** The bound bean of the context {@code sql} works in; an outbox that records nothing when there is none. */
    public static EventFacts of(Sql sql) {
        EventFacts facts = sql.context().getRegistry().lookupByNameAndType(BEAN, EventFacts.class);
        return facts == null ? new EventFacts(null) : facts;
    }

    /** The configured destinations, by name, each with the types it takes. */
    public void destinations(Map<String, Predicate<String>> byName) {
        this.destinations = Map.copyOf(byName);
    }

    /** How a payment's data is read (PaymentView: the row and the ledger's returns). */
    public void payments(Function<String, Optional<PaymentResult>> view) {
        this.payments = view;
    }

    /**
     * Records one event unless its key is there already; true when this call added it. Inside the
     * caller's transaction (or one of its own, when called outside any).
     */
    public boolean record(String key, String type, String paymentId, String subscriptionId, Object data) {
        return insert(INSERT_EVENT, key, type, paymentId, subscriptionId, data);
    }

    private boolean insert(String statement, String key, String type, String paymentId, String subscriptionId,
                           Object data) {
        if (sql == null) {
            return false;
        }
        String json;
        try {
            json = CanonicalJson.MAPPER.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data of " + type + " not serializable", e);
        }
        return sql.inTransaction(() -> {
            String eventId = "evt_" + RandomIds.timeOrdered().toString().replace("-", "");
            Map<String, Object> p = new HashMap<>();
            p.put("eventId", eventId);
            p.put("eventKey", key);
            p.put("type", type);
            p.put("paymentId", paymentId);
            p.put("subscriptionId", subscriptionId);
            p.put("data", json);
            if (sql.update(statement, p) != 1) {
                return false;
            }
            destinations.forEach((name, takes) -> {
                if (takes.test(type)) {
                    sql.update(INSERT_DELIVERY, Map.of("eventId", eventId, "destination", name));
                }
            });
            return true;
        });
    }

    /**
     * A new ledger entry (just appended, in the caller's transaction): the payment's event, typed by
     * the entry (money returned: {@code payment.cancelled} once all of it is returned, else
     * {@code payment.partially_refunded}), its data the payment as it reads with the entry.
     */
    public void ledgerEntry(PaymentEvent entry) {
        ledgerEntry(entry, null);
    }

    /** As {@link #ledgerEntry(PaymentEvent)}, the payment as it reads with the entry given ({@code shown}) or read (null). */
    public void ledgerEntry(PaymentEvent entry, PaymentResult shown) {
        if (sql == null) {
            return;
        }
        PaymentResult data = shown != null ? shown : payments.apply(entry.paymentId()).orElse(null);
        if (data == null) {
            return; // no payment row (a test that appends entries alone): nothing to describe
        }
        insert(INSERT_NEW_EVENT, "payment:" + entry.eventKey(), paymentType(entry.type(), data.status()),
                entry.paymentId(), data.subscriptionId() != null ? data.subscriptionId() : entry.subscriptionId(), data);
    }

    /** The payment event a ledger entry of {@code entry} stands for, the payment reading {@code shown} after it. */
    public static String paymentType(EventType entry, PaymentStatus shown) {
        return switch (entry) {
            case PAID -> "payment.paid";
            case FAILED -> "payment.failed";
            case AWAITING_DEPOSIT -> "payment.awaiting_deposit";
            case ABANDONED -> "payment.abandoned";
            case CANCELLED, PARTIALLY_REFUNDED, REFUNDED -> shown == PaymentStatus.CANCELLED
                    ? "payment.cancelled" : "payment.partially_refunded";
        };
    }

    /**
     * A refund decided (REFUNDED or FAILED) in the caller's transaction: {@code refund.refunded} or
     * {@code refund.failed}, its data the RefundResult with the payment's totals as of this transaction.
     */
    public void refundDecided(String refundId) {
        if (sql == null) {
            return;
        }
        List<Map<String, Object>> rows = sql.query(REFUND, Map.of("refundId", refundId));
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Object> r = rows.get(0);
        RefundState state = RefundState.valueOf(((String) r.get("status")).trim());
        if (state.isOpen()) {
            return;
        }
        long returned = Sql.longValue(r.get("returned"));
        String code = (String) r.get("failure_code");
        RefundResult data = new RefundResult(refundId, (String) r.get("payment_id"), state.answer(),
                Sql.longValue(r.get("amount")), returned, Sql.longValue(r.get("payment_amount")) - returned,
                code == null ? null : new Failure(code, (String) r.get("failure_message")));
        String type = state == RefundState.REFUNDED ? "refund.refunded" : "refund.failed";
        record(type + ":" + refundId, type, data.paymentId(), (String) r.get("subscription_id"), data);
    }

    /**
     * A payment's state change that has no ledger entry (a charge's answer lost: {@code payment.unknown}),
     * just written in the caller's transaction; keyed by the row's version after it.
     */
    public void paymentChanged(String paymentId, String type) {
        if (sql == null) {
            return;
        }
        PaymentResult data = payments.apply(paymentId).orElse(null);
        if (data == null) {
            return;
        }
        List<Map<String, Object>> rows = sql.query(PAYMENT_VERSION, Map.of("paymentId", paymentId));
        long version = rows.isEmpty() ? 0 : Sql.longValue(rows.get(0).get("version"));
        record(type + ":" + paymentId + ":v" + version, type, paymentId, data.subscriptionId(), data);
    }
}
