package paybridge.connector.toss;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import paybridge.canonical.Failure;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;

/**
 * Toss's error codes: which are declines of the charge (final for the order, {@code SOFT} or
 * {@code HARD}), which are paybridge's own fault, and which say the order may exist after all. A
 * Toss decline is an HTTP 4xx with {@code {code, message}} (TOSS.md, "Errors"), not an HTTP 200 as
 * at iamport, so the code alone decides.
 * <ul>
 *   <li>{@link #CREDENTIALS}: our secret key refused — nothing was processed (not attempted, 502);</li>
 *   <li>{@link #OUR_BAD_REQUEST}: Toss refused the request's shape — nothing was charged and the same
 *       request fails again: a paybridge bug, logged as an ERROR, and a decline of that order (FAILED);</li>
 *   <li>{@link #ORDER_MAY_EXIST}: the order id is already used or processed at Toss, or the first request
 *       under this Idempotency-Key is still running — a first send whose answer was lost may have
 *       charged (or cancelled) it: UNKNOWN until the lookup decides, never FAILED;</li>
 *   <li>everything else is a decline; its category comes from {@link #LISTED} (TOSS.md's card decline
 *       table; the category is ours), a code not listed is SOFT until an operator adds it with
 *       {@code TOSS_HARD_DECLINE_CODES}.</li>
 * </ul>
 */
public final class TossDeclines {
    /** Our secret key (or its use) refused: nothing was processed. */
    static final Set<String> CREDENTIALS = Set.of("UNAUTHORIZED_KEY", "INVALID_API_KEY", "INCORRECT_BASIC_AUTH_FORMAT",
            "FORBIDDEN_REQUEST", "INVALID_AUTHORIZE_AUTH", "NOT_SUPPORTED_METHOD", "UNAUTHORIZED_IP");
    /** The request itself is malformed: paybridge sent something Toss cannot read. */
    static final Set<String> OUR_BAD_REQUEST = Set.of("INVALID_REQUEST", "INVALID_PARAMETER", "NOT_SUPPORTED_API",
            "INVALID_ORDER_ID", "INVALID_ORDER_NAME", "INVALID_CUSTOMER_KEY");
    /**
     * The only 404 codes that say what was not found: the payment (lookups, cancels) or the billing key
     * (charges). Any other 404 is not Toss's answer about what was asked (a wrong base URL).
     */
    static final Set<String> NOT_FOUND = Set.of("NOT_FOUND_PAYMENT", "NOT_FOUND_BILLING_KEY");
    /**
     * The order (or the operation under this Idempotency-Key) exists or was processed at Toss already, or
     * is still being processed: for a charge the lookup by orderId decides, for a cancel or an issuance
     * it is UNKNOWN, never a refusal.
     */
    static final Set<String> ORDER_MAY_EXIST = Set.of("DUPLICATED_ORDER_ID", "ALREADY_PROCESSED_PAYMENT",
            "IDEMPOTENT_REQUEST_PROCESSING", "PROVIDER_ERROR_ALREADY_PROCESSED");
    /**
     * Of those, the codes that name a payment already under the orderId (not an operation still running
     * under the Idempotency-Key). Answered to the first ask of a charge, that payment is not the charge's:
     * paybridge sends a paymentId's charge once (a re-ask only after a lost answer), so another system
     * made it under the same orderId, and this charge was refused.
     */
    static final Set<String> ORDER_TAKEN = Set.of("DUPLICATED_ORDER_ID", "ALREADY_PROCESSED_PAYMENT");
    /**
     * Of those, the code that says the operation under this Idempotency-Key is being processed at Toss right
     * now: a charge answered it is in flight at that moment, however long ago it was first sent.
     */
    static final Set<String> STILL_PROCESSING = Set.of("IDEMPOTENT_REQUEST_PROCESSING");

    /**
     * TOSS.md's card decline table (the vendor's meaning [doc], the category ours), plus
     * {@code NOT_MATCHES_CUSTOMER_KEY}: the billing key belongs to another customer, so charging it for
     * this one can never succeed (HARD; a decision of ours, the vendor does not categorise it).
     */
    static final Map<String, DeclineCategory> LISTED = Map.ofEntries(
            Map.entry("REJECT_CARD_PAYMENT", DeclineCategory.SOFT),
            Map.entry("EXCEED_MAX_DAILY_PAYMENT_COUNT", DeclineCategory.SOFT),
            Map.entry("EXCEED_MAX_PAYMENT_AMOUNT", DeclineCategory.SOFT),
            Map.entry("REJECT_CARD_COMPANY", DeclineCategory.SOFT),
            Map.entry("INVALID_REJECT_CARD", DeclineCategory.HARD),
            Map.entry("INVALID_CARD_EXPIRATION", DeclineCategory.HARD),
            Map.entry("INVALID_STOPPED_CARD", DeclineCategory.HARD),
            Map.entry("INVALID_CARD_LOST_OR_STOLEN", DeclineCategory.HARD),
            Map.entry("NOT_FOUND_BILLING_KEY", DeclineCategory.HARD),
            Map.entry("NOT_MATCHES_CUSTOMER_KEY", DeclineCategory.HARD));

    /** What an error answer of a charge or a cancel means for paybridge. */
    enum Kind { CREDENTIALS, OUR_BAD_REQUEST, ORDER_MAY_EXIST, DECLINE }

    private static final Pattern RECORDED_CODE = Pattern.compile("([A-Z][A-Z0-9_]{1,63})(?:\\s|$)");

    private final DeclineTable table;

    /** @param extraHard codes from {@code paybridge.toss.hard-decline-codes} */
    public TossDeclines(Collection<String> extraHard) {
        this.table = new DeclineTable(LISTED, extraHard);
    }

    public DeclineCategory category(Failure failure) {
        if (failure == null || failure.code() == null) {
            return DeclineCategory.SOFT;
        }
        // a decline learnt from the vendor's record (reconcile, a webhook's lookup) is stored as VENDOR_DECLINED
        // with the record's failure as its message, Toss's code first: a lost card must stay HARD however
        // paybridge learnt of it
        Matcher recorded = RECORDED_CODE.matcher(failure.message() == null ? "" : failure.message());
        return "VENDOR_DECLINED".equals(failure.code()) && recorded.lookingAt()
                ? table.categoryOf(List.of(failure.code(), recorded.group(1)))
                : table.categoryOf(List.of(failure.code()));
    }

    static Kind kindOf(String code) {
        if (CREDENTIALS.contains(code)) {
            return Kind.CREDENTIALS;
        }
        if (OUR_BAD_REQUEST.contains(code)) {
            return Kind.OUR_BAD_REQUEST;
        }
        if (ORDER_MAY_EXIST.contains(code)) {
            return Kind.ORDER_MAY_EXIST;
        }
        return Kind.DECLINE;
    }
}
