package paybridge.connector.steppay;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import paybridge.canonical.Failure;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;

/**
 * Steppay's declines → whether charging the same billing key ({@code idKey}) again can succeed. A
 * decline is Steppay's error body {@code {errorCode, errorMessage}} on a 400/403; its code is the
 * failure's code ({@code errorCode}).
 *
 * <p>Steppay publishes no catalogue of {@code errorCode} values (VENDORS.md: "no catalogue of errorCode
 * values is published", [doc]), so this table lists none: every Steppay decline is SOFT — retried on the
 * dunning schedule — until an operator who has seen a code that can never succeed (a lost card, a
 * billing key Steppay deleted) adds it with {@code STEPPAY_HARD_DECLINE_CODES}. The sandbox's own codes
 * ({@code PAYMENT_FAILED}, {@code BILLING_KEY_NOT_FOUND}) are the sandbox's inventions and are not listed.
 */
public final class SteppayDeclines {
    private static final Map<String, DeclineCategory> LISTED = Map.of();

    private final DeclineTable table;

    /** @param extraHard codes from {@code paybridge.steppay.hard-decline-codes} */
    public SteppayDeclines(Collection<String> extraHard) {
        this.table = new DeclineTable(LISTED, extraHard);
    }

    public DeclineCategory category(Failure failure) {
        return failure == null ? DeclineCategory.SOFT : table.categoryOf(List.of(failure.code() == null ? "" : failure.code()));
    }
}
