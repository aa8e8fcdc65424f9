package paybridge.connector.toss;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import paybridge.canonical.Failure;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;

/**
 * Toss Payments' card declines → whether charging the same billing key again can succeed. A Toss
 * decline is an HTTP 4xx with {@code {code, message}} (or a Payment's {@code failure}); its code is the
 * failure's code. The vendor's meaning of each code is from its error-code reference (TOSS.md, [doc]);
 * the category is ours. A code not listed is SOFT until an operator adds it with
 * {@code TOSS_HARD_DECLINE_CODES}.
 *
 * <p>Ready for the Toss connector: it should report a 404 on the billing key as
 * {@code NOT_FOUND_BILLING_KEY}, so a deleted key is HARD here too.
 */
public final class TossDeclines {
    private static final Map<String, DeclineCategory> LISTED = Map.of(
            "REJECT_CARD_PAYMENT", DeclineCategory.SOFT,            // over the limit or insufficient balance
            "EXCEED_MAX_DAILY_PAYMENT_COUNT", DeclineCategory.SOFT, // daily payment count exceeded
            "EXCEED_MAX_PAYMENT_AMOUNT", DeclineCategory.SOFT,      // over the card's per-payment maximum
            "REJECT_CARD_COMPANY", DeclineCategory.SOFT,            // the card company refused (temporary or unstated)
            "INVALID_REJECT_CARD", DeclineCategory.HARD,            // card use refused: the customer must call the issuer
            "INVALID_CARD_EXPIRATION", DeclineCategory.HARD,        // card expired, or its expiry is wrong
            "INVALID_STOPPED_CARD", DeclineCategory.HARD,           // card suspended
            "INVALID_CARD_LOST_OR_STOLEN", DeclineCategory.HARD,    // card reported lost or stolen
            "NOT_FOUND_BILLING_KEY", DeclineCategory.HARD);         // billing key unknown or deleted

    private final DeclineTable table;

    /** @param extraHard codes from {@code paybridge.toss.hard-decline-codes} */
    public TossDeclines(Collection<String> extraHard) {
        this.table = new DeclineTable(LISTED, extraHard);
    }

    public DeclineCategory category(Failure failure) {
        return failure == null ? DeclineCategory.SOFT : table.categoryOf(List.of(failure.code() == null ? "" : failure.code()));
    }
}
