package paybridge.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStates.Write;
import paybridge.ledger.PaymentStore;
import paybridge.webhooks.ExternalPayments;

/**
 * The payment state machine: the table is well formed, every statement that changes
 * {@code payments.status} is declared with the rows it carries out and its SQL says exactly those
 * rows (from-states, failure-code qualifier, to-state, failure code written), a transition the table
 * does not have is refused, and the README shows the table as it is. (PaymentStoreTransitionsTest runs
 * each statement against a real database.)
 */
class PaymentStatesTest {
    /** CONTRACT §8's payment event types. */
    private static final Set<String> PAYMENT_EVENTS = Set.of("payment.paid", "payment.failed",
            "payment.awaiting_deposit", "payment.cancelled", "payment.partially_refunded", "payment.abandoned",
            "payment.unknown");
    private static final Set<PaymentStatus> STORED = Set.of(PaymentStatus.PENDING, PaymentStatus.UNKNOWN,
            PaymentStatus.PAID, PaymentStatus.AWAITING_DEPOSIT, PaymentStatus.FAILED, PaymentStatus.ABANDONED);

    // ---- the table

    @Test
    void aStateAndAFactLeadToOneTransitionAtMost() {
        Map<String, Transition> seen = new HashMap<>();
        for (Transition t : PaymentStates.rows()) {
            Set<PaymentStatus> from = t.from().isEmpty() ? java.util.Collections.singleton(null) : t.from();
            for (PaymentStatus s : from) {
                Transition other = seen.put(s + "/" + t.fact(), t);
                assertThat(other).as("two rows for %s on %s", s, t.fact()).isNull();
                assertThat(PaymentStates.require(s, t.fact())).isSameAs(t);
            }
        }
    }

    @Test
    void storedStatesAndWhatTheLedgerShows() {
        Set<PaymentStatus> reached = new HashSet<>();
        for (Transition t : PaymentStates.rows()) {
            t.from().forEach(s -> assertThat(STORED).as("from-state of %s", t).contains(s));
            if (t.to() != null) {
                assertThat(STORED).as("to-state of %s", t).contains(t.to());
                reached.add(t.to());
            }
            if (t.write() == Write.LEDGER_ONLY) {
                assertThat(t.from()).as("a ledger-only fact leaves the state as it is: %s", t).containsExactly(t.to());
                assertThat(t.shownAs()).isIn(PaymentStatus.CANCELLED, PaymentStatus.PARTIALLY_REFUNDED);
            } else {
                assertThat(t.shownAs()).as("%s reads as it is stored", t).isEqualTo(t.to());
                assertThat(t.to() != null && t.from().equals(Set.of(t.to())))
                        .as("a row that changes no stored state is ledger-only: %s", t).isFalse();
            }
        }
        assertThat(reached).isEqualTo(STORED);
        assertThat(PaymentStates.shown(PaymentStatus.PAID, 3000, 0)).isEqualTo(PaymentStatus.PAID);
        assertThat(PaymentStates.shown(PaymentStatus.PAID, 3000, 1000)).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(PaymentStates.shown(PaymentStatus.PAID, 3000, 3000)).isEqualTo(PaymentStatus.CANCELLED);
        assertThat(PaymentStates.shown(PaymentStatus.FAILED, 3000, 0)).isEqualTo(PaymentStatus.FAILED);
        assertThat(PaymentStates.returned(1000, 3000).shownAs()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(PaymentStates.returned(3000, 3000).ledgerEntry()).isEqualTo(EventType.CANCELLED);
    }

    @Test
    void everyDecidedFactHasItsLedgerEntryAndEvent() {
        for (Transition t : PaymentStates.rows()) {
            if (t.to() == null || t.to().isOpen()) {
                // PENDING and UNKNOWN are states of the attempt, not ledger entries (CONTRACT §5)
                assertThat(t.ledgerEntry()).as("%s", t).isNull();
            } else if (t.fact() != Fact.RESEND_NOT_ATTEMPTED) {
                // (a restored conclusion keeps the entry and the event it had when it was first drawn)
                assertThat(t.ledgerEntry()).as("%s", t).isNotNull();
            }
            if (t.ledgerEntry() != null) {
                assertThat(t.event()).as("every decided fact is an event: %s", t).isNotNull();
                assertThat(t.ledgerEntry() == EventType.REFUNDED || t.ledgerEntry().name().equals(t.shownAs().name()))
                        .as("ledger entry %s of %s", t.ledgerEntry(), t).isTrue();
            }
            if (t.event() != null) {
                assertThat(PAYMENT_EVENTS).contains(t.event());
                assertThat(t.event()).as("%s", t).isEqualTo("payment." + t.shownAs().name().toLowerCase(Locale.ROOT));
            }
        }
        assertThat(PaymentStates.rows().stream().map(Transition::event).filter(e -> e != null).collect(Collectors.toSet()))
                .isEqualTo(PAYMENT_EVENTS);
    }

    @Test
    void theVendorsRecordOverturnsEveryConclusion() {
        Set<String> concluded = PaymentStates.rows().stream().map(Transition::failureCode).filter(c -> c != null)
                .collect(Collectors.toSet());
        assertThat(concluded).containsExactlyInAnyOrder(PaymentStates.NOT_CHARGED, PaymentStates.OPERATOR);
        assertThat(PaymentStates.conclusions()).isEqualTo(concluded);
        for (String code : concluded) {
            assertThat(PaymentStates.allows(PaymentStatus.FAILED, code, Fact.OVERTURNED_BY_VENDOR_RECORD)).isTrue();
        }
        assertThat(PaymentStates.allows(PaymentStatus.FAILED, "VENDOR_DECLINED", Fact.OVERTURNED_BY_VENDOR_RECORD))
                .as("the vendor's own decline is not overturned").isFalse();
        assertThat(PaymentStates.allows(PaymentStatus.FAILED, null, Fact.OVERTURNED_BY_VENDOR_RECORD)).isFalse();
    }

    @Test
    void aTransitionTheTableDoesNotHaveIsRefused() {
        assertThatThrownBy(() -> PaymentStates.require(PaymentStatus.PAID, Fact.VENDOR_DECLINED))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("PAID").hasMessageContaining("VENDOR_DECLINED");
        assertThatThrownBy(() -> PaymentStates.require(PaymentStatus.FAILED, Fact.VENDOR_PAID))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> PaymentStates.require(PaymentStatus.ABANDONED, Fact.DEPOSIT_RECEIVED))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> PaymentStates.require(null, Fact.ANSWER_LOST))
                .as("a payment paybridge did not start is never UNKNOWN").isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> PaymentStates.require(PaymentStatus.PENDING, Fact.RESENT_AFTER_NOT_CHARGED))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(PaymentStates.find(PaymentStatus.CANCELLED, Fact.REFUNDED_IN_PART)).isEmpty();
        assertThatThrownBy(() -> PaymentStates.only(Fact.VENDOR_PAID)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> PaymentStates.vendorSays(PaymentStatus.PENDING)).isInstanceOf(IllegalTransitionException.class);
        assertThat(PaymentStates.allowedFrom(Fact.VENDOR_DECLINED, PaymentStatus.FAILED))
                .containsExactlyInAnyOrder(PaymentStatus.PENDING, PaymentStatus.UNKNOWN, PaymentStatus.AWAITING_DEPOSIT);
        assertThat(PaymentStates.allowedFrom(Fact.VENDOR_PAID, PaymentStatus.FAILED)).isEmpty();

        // a store statement refuses a row it does not carry out, before it touches the database
        PaymentStore store = new PaymentStore(null);
        Transition deposit = PaymentStates.require(PaymentStatus.AWAITING_DEPOSIT, Fact.DEPOSIT_RECEIVED);
        assertThatThrownBy(() -> store.settleOpen("p-1", deposit, null, null, null))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("CHANGE_DECIDED");
        Transition paid = PaymentStates.require(PaymentStatus.PENDING, Fact.VENDOR_PAID);
        assertThatThrownBy(() -> store.changeDecided("p-1", paid, null)).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> store.settleOpenLanded("p-1", paid, null, null))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> new ExternalPayments(null).insert("p-1", "steppay", 1000, paid, "ref", null, null))
                .isInstanceOf(IllegalTransitionException.class);
    }

    // ---- the stores' SQL

    /** Every statement that changes payments.status, by the row kind it carries out. */
    private static Map<Write, String> declared() {
        Map<Write, String> all = new EnumMap<>(Write.class);
        all.putAll(PaymentStore.STATE_CHANGES);
        ExternalPayments.STATE_CHANGES.forEach((w, sql) -> assertThat(all.put(w, sql)).as("%s declared twice", w).isNull());
        return all;
    }

    @Test
    void everyStatementThatChangesAPaymentsStateIsDeclared() throws Exception {
        Set<String> declared = declared().values().stream().map(PaymentStatesTest::normalized).collect(Collectors.toSet());
        List<String> undeclared = new ArrayList<>();
        int seen = 0;
        for (Class<?> type : mainClasses()) {
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) {
                    continue;
                }
                f.setAccessible(true);
                String sql = (String) f.get(null);
                if (sql != null && changesPaymentState(normalized(sql))) {
                    seen++;
                    if (!declared.contains(normalized(sql))) {
                        undeclared.add(type.getName() + "." + f.getName());
                    }
                }
            }
        }
        assertThat(undeclared).as("statements that change payments.status without naming their PaymentStates rows"
                + " (add them to the store's STATE_CHANGES)").isEmpty();
        assertThat(seen).as("the scan found the declared statements").isEqualTo(declared.size());
    }

    @Test
    void eachStatementsSqlIsExactlyItsRows() {
        Map<Write, String> declared = declared();
        Set<Write> used = PaymentStates.rows().stream().map(Transition::write).filter(w -> w != Write.LEDGER_ONLY)
                .collect(Collectors.toSet());
        assertThat(declared.keySet()).as("each statement carries out rows, each row has its statement").isEqualTo(used);
        for (Transition t : PaymentStates.rows()) {
            if (t.write() == Write.LEDGER_ONLY) {
                continue;
            }
            String sql = declared.get(t.write());
            Statement s = Statement.parse(sql);
            String where = t + " by " + t.write() + ": " + normalized(sql);
            if (t.from().isEmpty()) {
                assertThat(s.kind).as(where).isEqualTo("INSERT");
            } else if (t.to() == null) {
                assertThat(s.kind).as(where).isEqualTo("DELETE");
            } else {
                assertThat(s.kind).as(where).isEqualTo("UPDATE");
            }
            // from-states: literal in the WHERE, or one state bound from the row
            if (s.fromBound) {
                assertThat(t.from()).as("a bound from-state is one state: " + where).hasSize(1);
            } else {
                assertThat(s.from).as("from-states of " + where).isEqualTo(names(t.from()));
            }
            assertThat(s.fromFailureCodes).as("failure-code qualifier of " + where).isEqualTo(t.fromFailureCodes());
            // to-state: literal in the SET (or VALUES), or bound from the row
            if (t.to() != null && !s.toBound) {
                assertThat(s.to).as("to-state of " + where).isEqualTo(t.to().name());
            }
            if (t.to() != null) {
                assertThat(s.toBound || s.to != null).as("the statement writes a state: " + where).isTrue();
            }
            // the failure code it writes: literal, NULL, bound (the vendor's or the row's), or left as it was
            if (!s.failureCodeBound) {
                assertThat(s.failureCode).as("failure code written by " + where).isEqualTo(t.failureCode());
            }
        }
    }

    /** Statements the parser must read right (its own check). */
    @Test
    void theParserReadsTheShapes() {
        Statement update = Statement.parse("UPDATE payments SET status = 'PAID', failure_code = NULL, updated_at = :?now"
                + " WHERE payment_id = :?paymentId AND status = 'FAILED' AND failure_code IN ('A', 'B')"
                + " AND EXISTS (SELECT 1 FROM ledger_entries l WHERE l.status = 'X')");
        assertThat(update.from).containsExactly("FAILED");
        assertThat(update.fromFailureCodes).containsExactly("A", "B");
        assertThat(update.to).isEqualTo("PAID");
        assertThat(update.failureCode).isNull();
        assertThat(update.failureCodeBound).isFalse();
        Statement insert = Statement.parse("INSERT INTO payments (payment_id, status, created_at) VALUES (:?id, 'PENDING',"
                + " CURRENT_TIMESTAMP + CAST(:?h AS BIGINT) * INTERVAL '1' SECOND) ON CONFLICT DO NOTHING");
        assertThat(insert.to).isEqualTo("PENDING");
        assertThat(insert.from).isEmpty();
        Statement bound = Statement.parse("UPDATE payments SET status = :?status WHERE payment_id = :?p AND status = :?expected");
        assertThat(bound.toBound).isTrue();
        assertThat(bound.fromBound).isTrue();
    }

    // ---- the README

    @Test
    void theReadmeShowsTheTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String table = markdown();
        assertThat(readme).as("README.md \"Payment states\" must show PaymentStates as it is; expected:%n%s", table)
                .contains(table);
    }

    /** The table as README shows it. */
    static String markdown() {
        StringBuilder b = new StringBuilder("| from | fact | to | ledger entry | event | written by |\n"
                + "|---|---|---|---|---|---|\n");
        for (Transition t : PaymentStates.rows()) {
            String from = t.from().isEmpty() ? "(no row)" : t.from().stream().map(Enum::name).collect(Collectors.joining(", "))
                    + (t.fromFailureCodes().isEmpty() ? "" : " (" + String.join(", ", t.fromFailureCodes()) + ")");
            String to = t.to() == null ? "(row deleted)" : t.to().name()
                    + (t.failureCode() == null ? "" : " (" + t.failureCode() + ")")
                    + (t.shownAs() == t.to() ? "" : ", shown " + t.shownAs());
            b.append("| ").append(from).append(" | `").append(t.fact()).append("` | ").append(to).append(" | ")
                    .append(t.ledgerEntry() == null ? "—" : t.ledgerEntry().name()).append(" | ")
                    .append(t.event() == null ? "—" : "`" + t.event() + "`").append(" | ")
                    .append(t.write() == Write.LEDGER_ONLY ? "(ledger entry only)" : "`" + t.write() + "`").append(" |\n");
        }
        return b.toString();
    }

    // ---- helpers

    private static Set<String> names(Set<PaymentStatus> states) {
        return states.stream().map(Enum::name).collect(Collectors.toSet());
    }

    static String normalized(String sql) {
        return sql.replaceAll("\\s+", " ").trim();
    }

    /** {@code status = ...} as an assignment of a SET list (not a comparison inside a CASE). */
    private static final Pattern ASSIGNS_STATUS = Pattern.compile("(?:^|, )status = ");

    static boolean changesPaymentState(String sql) {
        if (sql.startsWith("INSERT INTO payments ") || sql.startsWith("DELETE FROM payments ")) {
            return true;
        }
        if (!sql.startsWith("UPDATE payments SET ")) {
            return false;
        }
        int where = sql.indexOf(" WHERE ");
        String set = (where < 0 ? sql : sql.substring(0, where)).substring("UPDATE payments SET ".length());
        return ASSIGNS_STATUS.matcher(set).find();
    }

    /** The main code's classes (target/classes), loaded so their constants can be read. */
    private static List<Class<?>> mainClasses() throws Exception {
        Path root = Path.of(PaymentStates.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("paybridge"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replace('\\', '.');
                out.add(Class.forName(name.substring(0, name.length() - ".class".length()), false,
                        PaymentStatesTest.class.getClassLoader()));
            }
        }
        return out;
    }

    /** What a statement on payments says about the state: parsed from its SQL. */
    static final class Statement {
        private static final Pattern UPDATE = Pattern.compile("^UPDATE payments SET (.*?) WHERE (.*)$");
        private static final Pattern DELETE = Pattern.compile("^DELETE FROM payments WHERE (.*)$");
        private static final Pattern INSERT = Pattern.compile("^INSERT INTO payments \\(([^)]*)\\) VALUES \\((.*)$");
        private static final Pattern STATUS_IN = Pattern.compile("(?<![\\w.])status IN \\(([^)]*)\\)");
        private static final Pattern STATUS_IS = Pattern.compile("(?<![\\w.])status = (?:'(\\w+)'|:\\?(\\w+))");
        private static final Pattern CODE_IN = Pattern.compile("(?<![\\w.])failure_code IN \\(([^)]*)\\)");
        private static final Pattern CODE_IS = Pattern.compile("(?<![\\w.])failure_code = (?:'(\\w+)'|:\\?(\\w+)|(NULL))");
        // assignments in a SET list: at its start or after a comma, never a comparison inside a CASE
        private static final Pattern SETS_STATUS = Pattern.compile("(?:^|, )status = (?:'(\\w+)'|:\\?(\\w+))");
        private static final Pattern SETS_CODE = Pattern.compile("(?:^|, )failure_code = (?:'(\\w+)'|:\\?(\\w+)|(NULL))");

        String kind;
        Set<String> from = Set.of();
        boolean fromBound;
        Set<String> fromFailureCodes = Set.of();
        String to;
        boolean toBound;
        String failureCode;
        boolean failureCodeBound;

        static Statement parse(String sql) {
            String s = normalized(sql);
            Statement st = new Statement();
            Matcher m;
            if ((m = UPDATE.matcher(s)).matches()) {
                st.kind = "UPDATE";
                st.readSet(m.group(1));
                st.readWhere(m.group(2));
            } else if ((m = DELETE.matcher(s)).matches()) {
                st.kind = "DELETE";
                st.readWhere(m.group(1));
            } else if ((m = INSERT.matcher(s)).matches()) {
                st.kind = "INSERT";
                List<String> columns = List.of(m.group(1).split("\\s*,\\s*"));
                List<String> values = topLevel(m.group(2));
                for (int i = 0; i < columns.size(); i++) {
                    String v = values.get(i).trim();
                    if (columns.get(i).trim().equals("status")) {
                        st.toBound = v.startsWith(":?");
                        st.to = v.startsWith("'") ? v.substring(1, v.length() - 1) : null;
                    } else if (columns.get(i).trim().equals("failure_code")) {
                        st.failureCodeBound = v.startsWith(":?");
                        st.failureCode = v.startsWith("'") ? v.substring(1, v.length() - 1) : null;
                    }
                }
            } else {
                throw new AssertionError("not a statement on payments: " + s);
            }
            return st;
        }

        private void readSet(String set) {
            Matcher m = SETS_STATUS.matcher(set);
            if (m.find()) {
                to = m.group(1);
                toBound = m.group(2) != null;
            }
            Matcher c = SETS_CODE.matcher(set);
            if (c.find()) {
                failureCode = c.group(1);
                failureCodeBound = c.group(2) != null;
            }
        }

        private void readWhere(String where) {
            Matcher in = STATUS_IN.matcher(where);
            Matcher is = STATUS_IS.matcher(where);
            if (in.find()) {
                from = quoted(in.group(1));
            } else if (is.find()) {
                fromBound = is.group(2) != null;
                from = is.group(1) == null ? Set.of() : Set.of(is.group(1));
            } else {
                throw new AssertionError("no from-state in WHERE " + where);
            }
            Matcher codes = CODE_IN.matcher(where);
            Matcher code = CODE_IS.matcher(where);
            if (codes.find()) {
                fromFailureCodes = quoted(codes.group(1));
            } else if (code.find()) {
                fromFailureCodes = Set.of(code.group(1));
            }
        }

        private static Set<String> quoted(String list) {
            Set<String> out = new LinkedHashSet<>();
            for (String v : list.split(",")) {
                out.add(v.trim().replace("'", ""));
            }
            return out;
        }

        /** The comma-separated items of a VALUES list, up to its closing parenthesis. */
        private static List<String> topLevel(String values) {
            List<String> out = new ArrayList<>();
            int depth = 0;
            StringBuilder item = new StringBuilder();
            for (char ch : values.toCharArray()) {
                if (ch == '(') {
                    depth++;
                } else if (ch == ')') {
                    if (depth == 0) {
                        break;
                    }
                    depth--;
                }
                if (ch == ',' && depth == 0) {
                    out.add(item.toString());
                    item.setLength(0);
                } else {
                    item.append(ch);
                }
            }
            out.add(item.toString());
            return out;
        }
    }
}
