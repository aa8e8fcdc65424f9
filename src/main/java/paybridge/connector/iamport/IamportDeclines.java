package paybridge.connector.iamport;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import paybridge.canonical.Failure;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;

/**
 * iamport's declines → whether charging the same billing key ({@code customer_uid}) again can succeed.
 *
 * <p>iamport passes the PG's answer (here Settlebank's) through as text: the {@code fail_reason} of an
 * {@code again} charge answered {@code status: failed}, or the {@code message} of a refused request
 * ({@code code != 0}), both with the PG's code in brackets ({@code [F113]거래거절 카드번호틀림}) or, as
 * some PGs word it, {@code code:F113}. The codes of a failure are those PG codes and the failure's own
 * code ({@code IAMPORT_FAILED}, {@code IAMPORT_REJECTED}, or {@code VENDOR_DECLINED} when a lookup or a
 * webhook told us); it is HARD when any of them is.
 *
 * <p>Neither iamport nor Settlebank publishes a catalogue of these codes, so the table lists only what
 * has been seen, each with where it was seen; every other code is SOFT until an operator adds it with
 * {@code IAMPORT_HARD_DECLINE_CODES}. Not recognisable here: an {@code again} on a customer_uid iamport
 * does not know (a deleted billing key) answers {@code code: -1} with a text iamport does not document
 * (VENDORS.md) and no PG code — add the code if your PG's answer carries one.
 */
public final class IamportDeclines {
    private static final Pattern BRACKETED = Pattern.compile("\\[([A-Za-z0-9_]{2,16})]");
    private static final Pattern LABELLED = Pattern.compile("\\bcode\\s*:\\s*([A-Za-z0-9_]{2,16})");

    private static final Map<String, DeclineCategory> LISTED = Map.of(
            // F113: the PG refused the card's details. Seen in iamport's own client tests as
            // "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림" (VENDORS.md, [seen]); public
            // integrations show the same code for every refused detail of a stored card (number, expiry
            // "유효기간오류", birth date, a card the merchant may not take): the card itself is refused,
            // so the same key cannot succeed until the customer gives another card
            "F113", DeclineCategory.HARD);

    private final DeclineTable table;

    /** @param extraHard codes from {@code paybridge.iamport.hard-decline-codes} */
    public IamportDeclines(Collection<String> extraHard) {
        this.table = new DeclineTable(LISTED, extraHard);
    }

    public DeclineCategory category(Failure failure) {
        return table.categoryOf(codesOf(failure));
    }

    /** The failure's own code and every PG code its message carries, in order. */
    static Set<String> codesOf(Failure failure) {
        Set<String> codes = new LinkedHashSet<>();
        if (failure == null) {
            return codes;
        }
        if (failure.code() != null) {
            codes.add(failure.code());
        }
        String message = failure.message();
        if (message != null) {
            for (Pattern p : new Pattern[] {BRACKETED, LABELLED}) {
                Matcher m = p.matcher(message);
                while (m.find()) {
                    codes.add(m.group(1));
                }
            }
        }
        return codes;
    }
}
