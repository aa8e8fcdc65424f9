package paybridge.billing;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import paybridge.canonical.CommandReader;
import paybridge.canonical.Customer;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.connector.ConnectorRegistry;
import paybridge.ledger.Sql;
import paybridge.payments.RequestHash;

/**
 * {@code POST /api/subscriptions}, the list, {@code GET}, {@code PATCH} and {@code DELETE
 * /api/subscriptions/{id}}, and {@code POST .../resume} (CONTRACT §2).
 *
 * <p>PATCH and resume each run as one transaction on the subscription's row, held ({@code FOR UPDATE})
 * from the check to the change, with times from the database's clock. Neither touches an attempt:
 * a claimed attempt carries its own copy of the terms ({@link AttemptTerms}), so a change applies from
 * the next attempt not yet claimed and never to one in flight.
 */
public final class SubscriptionService {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionService.class);

    /** The request body, after {@code schemas/subscription.schema.json}. */
    public record Request(String subscriptionId, String vendor, String billingKey, Customer customer, String orderName,
                          long amount, String currency, String interval, String nextBillingAt) {
    }

    /**
     * The answer: the subscription plus its state. {@code retry} is set while its period is in dunning,
     * {@code pastDue} while it is PAST_DUE. {@code updatedAt} (the database's time of its last change, only ever
     * forward) orders its events for receivers, as a payment's does (CONTRACT §8).
     */
    public record View(String subscriptionId, String vendor, String billingKey, Customer customer, String orderName,
                       long amount, String currency, String interval, String nextBillingAt, String state,
                       Instant createdAt, Instant updatedAt, String lastPaymentId, Retry retry, PastDue pastDue) {
    }

    /** {@code attempt}: the n of the next retry {@code -r<n>}; {@code nextRetryAt}: when it is due. */
    public record Retry(int attempt, String nextRetryAt) {
    }

    /**
     * Since when and why ({@code RETRIES_EXHAUSTED}, {@code HARD_DECLINE}) it is PAST_DUE, and the attempt
     * whose decline made it so.
     */
    public record PastDue(String since, String reason, String lastPaymentId) {
    }

    /** A page of the list; {@code next} is the cursor of the following page, null after the last. */
    public record Page(List<View> subscriptions, String next) {
    }

    /** The answer and whether it created the subscription (201) or found the same one (200). */
    public record Created(View view, boolean created) {
    }

    static final int LIST_DEFAULT = 100;
    static final int LIST_MAX = 1000;
    private static final Set<String> STATES = Set.of("ACTIVE", "PAST_DUE", "CANCELLED");

    private final SubscriptionStore store;
    private final BillingAttemptStore attempts;
    private final BillingCalendar calendar;
    private final ConnectorRegistry vendors;
    private final Sql sql;
    private final SubscriptionEvents events;

    public SubscriptionService(SubscriptionStore store, BillingAttemptStore attempts, BillingCalendar calendar,
                               ConnectorRegistry vendors, Sql sql, SubscriptionEvents events) {
        this.store = store;
        this.attempts = attempts;
        this.calendar = calendar;
        this.vendors = vendors;
        this.sql = sql;
        this.events = events;
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
            BillingCalendar.newInterval(r.interval());
        } catch (IllegalArgumentException e) {
            throw invalid("interval", "must be a positive ISO-8601 period such as P1M, P1Y or P7D, at most " + BillingCalendar.LONGEST);
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
        refuseAtItsVendor(s);
        if (store.find(s.subscriptionId()).isEmpty()) {
            // (a replay of a create answers the subscription registered, whatever was stored since)
            refuseAnotherCustomersKey(s);
        }
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
        sql.inTransaction(() -> {
            if (store.cancel(subscriptionId)) {
                events.stateChanged(subscriptionId, SubscriptionEvents.Change.CANCELLED);
            }
        });
        return get(subscriptionId);
    }

    /**
     * {@code PATCH}: merges the patch into the subscription's terms. 400 for a field that cannot be
     * patched (before anything is read), 404, 409 for a CANCELLED subscription, 422 for a vendor not
     * enabled, another customer's billing key, or a key this subscription was declined HARD on. The same
     * patch again changes nothing.
     */
    public View patch(String subscriptionId, byte[] body) {
        SubscriptionPatch patch = SubscriptionPatch.read(body, false);
        return sql.inTransaction(() -> {
            Subscription s = lock(subscriptionId);
            if ("CANCELLED".equals(s.state())) {
                throw new ProblemException(new Problem("https://paybridge.dev/problems/subscription-cancelled",
                        "Subscription cancelled", 409, "Subscription " + subscriptionId
                        + " is CANCELLED: its terms can no longer change", List.of()));
            }
            change(s, patch);
            return view(store.find(subscriptionId).orElseThrow());
        });
    }

    /**
     * {@code POST .../resume}: PAST_DUE → ACTIVE, the patch (typically a new billing key) applied first,
     * the unpaid period's next attempt id due now and its dunning schedule counted from now. 409 from
     * any other state; 422 when it would be charged on a key one of its attempts was declined HARD on
     * (the decline that made it PAST_DUE or any earlier one).
     */
    public View resume(String subscriptionId, byte[] body) {
        SubscriptionPatch patch = SubscriptionPatch.read(body, true);
        View resumed = sql.inTransaction(() -> {
            Subscription s = lock(subscriptionId);
            if (!"PAST_DUE".equals(s.state())) {
                throw new ProblemException(new Problem("https://paybridge.dev/problems/subscription-not-past-due",
                        "Subscription not PAST_DUE", 409, "Subscription " + subscriptionId + " is " + s.state()
                        + "; only a PAST_DUE subscription can be resumed", List.of()));
            }
            Subscription changed = change(s, patch);
            refuseHardDeclinedKey(s, changed);
            if (!store.resume(subscriptionId)) {
                throw new IllegalStateException("subscription " + subscriptionId + " changed while held");
            }
            events.stateChanged(subscriptionId, SubscriptionEvents.Change.RESUMED);
            return view(store.find(subscriptionId).orElseThrow());
        });
        LOG.info("subscription {} resumed: attempt {} due at {}", subscriptionId,
                resumed.retry() == null ? null : resumed.retry().attempt(),
                resumed.retry() == null ? null : resumed.retry().nextRetryAt());
        return resumed;
    }

    /**
     * A 422 naming each field when its vendor would refuse every charge of the subscription before anything
     * is sent (a Toss customerKey or orderId outside Toss's rule): refused now, rather than at every run,
     * where each refusal would count as a decline and end in PAST_DUE without the card ever being tried.
     */
    private void refuseAtItsVendor(Subscription s) {
        List<FieldError> refused = vendors.require(s.vendor()).refuse(DueItem.of(s, calendar).command()).stream()
                // the charge's paymentId is made from the subscription's id
                .map(e -> e.field().equals("paymentId") ? new FieldError("subscriptionId", e.message()) : e)
                .toList();
        if (!refused.isEmpty()) {
            throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-refuses-command",
                    "Not acceptable to the vendor", 422, s.vendor() + " cannot charge this subscription", refused));
        }
    }

    /** 422 naming billingKey when the vendor's key was stored for another customer than the subscription's. */
    private void refuseAnotherCustomersKey(Subscription s) {
        store.keyIssuedToAnother(s.vendor(), s.billingKey(), s.customer().id()).ifPresent(other -> {
            throw SubscriptionPatch.unprocessable("billingKey", "issued to another customer",
                    "This " + s.vendor() + " billing key was stored for another customer than "
                    + s.customer().id() + "; a subscription is charged on its own customer's key");
        });
    }

    /** The patch's terms checked and written (when they differ); answers the subscription with them. */
    private Subscription change(Subscription s, SubscriptionPatch patch) {
        Subscription changed = patch.applyTo(s);
        if (changed.sameTerms(s)) {
            return s;
        }
        if (!changed.vendor().equals(s.vendor())) {
            vendors.require(changed.vendor());
            refuseAtItsVendor(changed);
        }
        if (!changed.billingKey().equals(s.billingKey()) || !changed.vendor().equals(s.vendor())) {
            refuseKeyDeclinedHard(s, changed);
            refuseAnotherCustomersKey(changed);
        }
        if (!store.updateTerms(changed)) {
            throw new IllegalStateException("subscription " + s.subscriptionId() + " changed while held");
        }
        return changed;
    }

    /**
     * A HARD decline means the card can never succeed: a resume must not charge the key (of that
     * vendor) it was declined on. That key is the one the declined attempt was claimed with; an attempt
     * claimed before keys were copied into its row is taken as declined on the subscription's key.
     */
    private void refuseHardDeclinedKey(Subscription before, Subscription after) {
        if (Subscription.HARD_DECLINE.equals(before.pastDueReason())) {
            AttemptTerms declined = AttemptTerms.of(before.pastDuePaymentId() == null ? null
                    : attempts.find(before.pastDuePaymentId()), before);
            if (declined.vendor().equals(after.vendor()) && declined.billingKey().equals(after.billingKey())) {
                throw declinedHard(before.subscriptionId(), before.pastDuePaymentId());
            }
        }
        refuseKeyDeclinedHard(before, after);
    }

    /**
     * Not only the decline that made it PAST_DUE: a key declined HARD on any earlier attempt of this
     * subscription (K1 declined, resumed on K2, K2 declined, back to K1) is never charged again (CONTRACT §3).
     */
    private void refuseKeyDeclinedHard(Subscription before, Subscription after) {
        String declined = attempts.hardDeclinedOnKey(before.subscriptionId(), after.vendor(), after.billingKey());
        if (declined != null) {
            throw declinedHard(before.subscriptionId(), declined);
        }
    }

    private static ProblemException declinedHard(String subscriptionId, String paymentId) {
        return SubscriptionPatch.unprocessable("billingKey", "declined HARD: give a new billing key",
                "Payment " + paymentId + " of subscription " + subscriptionId + " was declined HARD on this"
                + " billing key: it can never succeed. Use a new billingKey (the customer's new card)");
    }

    /**
     * {@code GET /api/subscriptions}: filtered by state, customerId, vendor (each optional), oldest
     * createdAt first, {@code limit} (default 100, 1..1000) per page from the cursor {@code after}.
     */
    public Page list(String state, String customerId, String vendor, String after, String limit) {
        List<FieldError> errors = new java.util.ArrayList<>();
        String st = blankToNull(state);
        if (st != null && !STATES.contains(st)) {
            errors.add(new FieldError("state", "one of ACTIVE, PAST_DUE, CANCELLED"));
        }
        int size = LIST_DEFAULT;
        if (blankToNull(limit) != null) {
            try {
                size = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > LIST_MAX) {
                errors.add(new FieldError("limit", "an integer from 1 to " + LIST_MAX));
            }
        }
        ListCursor cursor = null;
        if (blankToNull(after) != null) {
            cursor = ListCursor.parse(after.trim());
            if (cursor == null) {
                errors.add(new FieldError("after", "not a cursor this list returned (use its \"next\")"));
            }
        }
        if (!errors.isEmpty()) {
            throw SubscriptionPatch.invalid(errors);
        }
        // one more than the page: a next page exists only when there is more
        List<Subscription> rows = store.list(st, blankToNull(customerId), blankToNull(vendor),
                cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.subscriptionId(), size + 1);
        List<Subscription> page = rows.size() > size ? rows.subList(0, size) : rows;
        String next = rows.size() > size ? ListCursor.of(page.get(page.size() - 1)).encode() : null;
        return new Page(page.stream().map(this::view).toList(), next);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private Subscription lock(String subscriptionId) {
        return store.lock(subscriptionId).orElseThrow(() -> ProblemException.of(404, "Subscription not found",
                "No subscription with subscriptionId " + subscriptionId));
    }

    private Subscription find(String subscriptionId) {
        return store.find(subscriptionId).orElseThrow(() -> ProblemException.of(404, "Subscription not found",
                "No subscription with subscriptionId " + subscriptionId));
    }

    View view(Subscription s) {
        Retry retry = s.retryAttempt() == null ? null : new Retry(s.retryAttempt(), format(s.nextRetryAt()));
        PastDue pastDue = "PAST_DUE".equals(s.state())
                ? new PastDue(format(s.pastDueSince()), s.pastDueReason(), s.pastDuePaymentId()) : null;
        return new View(s.subscriptionId(), s.vendor(), s.billingKey(), s.customer(), s.orderName(), s.amount(),
                s.currency(), s.interval(), format(s.nextBillingAt()), s.state(), s.createdAt(), s.updatedAt(),
                s.lastPaymentId(), retry, pastDue);
    }

    private String format(Instant instant) {
        return instant == null ? null : calendar.inZone(instant).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static ProblemException invalid(String field, String message) {
        return new ProblemException(Problem.invalid("1 invalid field(s)", List.of(new FieldError(field, message))));
    }
}
