package paybridge.billing;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import paybridge.canonical.CommandReader;
import paybridge.canonical.Customer;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.connector.ConnectorRegistry;
import paybridge.payments.RequestHash;

/** {@code POST /api/subscriptions}, {@code GET} and {@code DELETE /api/subscriptions/{id}} (CONTRACT §2). */
public final class SubscriptionService {

    /** The request body, after {@code schemas/subscription.schema.json}. */
    public record Request(String subscriptionId, String vendor, String billingKey, Customer customer, String orderName,
                          long amount, String currency, String interval, String nextBillingAt) {
    }

    /** The answer: the subscription plus its state. {@code retry} is set while its period is in dunning. */
    public record View(String subscriptionId, String vendor, String billingKey, Customer customer, String orderName,
                       long amount, String currency, String interval, String nextBillingAt, String state,
                       Instant createdAt, String lastPaymentId, Retry retry) {
    }

    /** {@code attempt}: the n of the next retry {@code -r<n>}; {@code nextRetryAt}: when it is due. */
    public record Retry(int attempt, String nextRetryAt) {
    }

    /** The answer and whether it created the subscription (201) or found the same one (200). */
    public record Created(View view, boolean created) {
    }

    private final SubscriptionStore store;
    private final BillingCalendar calendar;
    private final ConnectorRegistry vendors;

    public SubscriptionService(SubscriptionStore store, BillingCalendar calendar, ConnectorRegistry vendors) {
        this.store = store;
        this.calendar = calendar;
        this.vendors = vendors;
    }

    public Created create(byte[] body) {
        Request r = CommandReader.read(body, "subscription", Request.class);
        OffsetDateTime anchor;
        try {
            anchor = OffsetDateTime.parse(r.nextBillingAt());
        } catch (RuntimeException e) {
            throw invalid("nextBillingAt", "not an ISO-8601 date-time with offset");
        }
        try {
            BillingCalendar.interval(r.interval());
        } catch (IllegalArgumentException e) {
            throw invalid("interval", "must be a positive ISO-8601 period such as P1M, P1Y or P7D");
        }
        vendors.require(r.vendor());
        String currency = r.currency() == null ? "KRW" : r.currency();
        // the fingerprint of "the same subscription": the body with its time as an instant
        Request normal = new Request(r.subscriptionId(), r.vendor(), r.billingKey(), r.customer(), r.orderName(),
                r.amount(), currency, r.interval(), anchor.toInstant().toString());
        String hash = RequestHash.of(normal);
        Instant now = Instant.now();
        Subscription s = new Subscription(r.subscriptionId(), hash, r.vendor(), r.billingKey(), r.customer(),
                r.orderName(), r.amount(), currency, r.interval(), anchor, 0, anchor.toInstant(), "ACTIVE", null,
                null, null, now, now);
        if (store.insert(s)) {
            return new Created(view(store.find(s.subscriptionId()).orElseThrow()), true);
        }
        Subscription existing = store.find(s.subscriptionId())
                .orElseThrow(() -> ProblemException.of(409, "Subscription changed concurrently", "Try again"));
        if (!existing.requestHash().equals(hash)) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/idempotency-conflict",
                    "Subscription id already used", 409, "subscriptionId " + r.subscriptionId()
                    + " was registered with a different body", List.of()));
        }
        return new Created(view(existing), false);
    }

    public View get(String subscriptionId) {
        return view(find(subscriptionId));
    }

    /** Cancels (idempotent): no further period is charged. An attempt already in flight still settles. */
    public View cancel(String subscriptionId) {
        find(subscriptionId);
        store.cancel(subscriptionId);
        return get(subscriptionId);
    }

    private Subscription find(String subscriptionId) {
        return store.find(subscriptionId).orElseThrow(() -> ProblemException.of(404, "Subscription not found",
                "No subscription with subscriptionId " + subscriptionId));
    }

    View view(Subscription s) {
        Retry retry = s.retryAttempt() == null ? null : new Retry(s.retryAttempt(), format(s.nextRetryAt()));
        return new View(s.subscriptionId(), s.vendor(), s.billingKey(), s.customer(), s.orderName(), s.amount(),
                s.currency(), s.interval(), format(s.nextBillingAt()), s.state(), s.createdAt(), s.lastPaymentId(), retry);
    }

    private String format(Instant instant) {
        return instant == null ? null : calendar.inZone(instant).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException(Problem.invalid("1 invalid field(s)", List.of(new FieldError(field, message))));
    }
}
