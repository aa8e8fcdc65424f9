package paybridge.connector;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One vendor's decline codes → {@link DeclineCategory}: the codes its documents (or what has been
 * seen of it) list, plus the codes an operator adds as HARD ({@code paybridge.<vendor>.hard-decline-codes}).
 * A failure carries one or more codes; it is HARD when any of them is, and SOFT otherwise — a code the
 * table does not list is SOFT (CONTRACT §2): a wrong SOFT costs a few declined retries, a wrong HARD
 * loses a customer whose card would have worked.
 */
public final class DeclineTable {
    private final Map<String, DeclineCategory> categories;

    /**
     * @param listed    the connector's own table (code → category)
     * @param extraHard codes the operator declares HARD; they win over the table
     */
    public DeclineTable(Map<String, DeclineCategory> listed, Collection<String> extraHard) {
        Map<String, DeclineCategory> all = new HashMap<>(listed);
        extraHard.forEach(code -> all.put(code, DeclineCategory.HARD));
        this.categories = Map.copyOf(all);
    }

    /** HARD when any of the codes is HARD in the table, else SOFT. */
    public DeclineCategory categoryOf(Collection<String> codes) {
        for (String code : codes) {
            if (code != null && categories.get(code) == DeclineCategory.HARD) {
                return DeclineCategory.HARD;
            }
        }
        return DeclineCategory.SOFT;
    }

    /** The category the table gives one code (null when it does not list it). */
    public DeclineCategory listed(String code) {
        return categories.get(code);
    }

    /**
     * A {@code hard-decline-codes} setting: comma-separated codes, blanks ignored; a code written with
     * the brackets a vendor's message shows it in ({@code [F113]}) counts without them.
     */
    public static Set<String> parseCodes(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .map(c -> c.startsWith("[") && c.endsWith("]") ? c.substring(1, c.length() - 1).trim() : c)
                .filter(c -> !c.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
