package paybridge.billing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger, one per statement (not per row): at the first statement of its kind (e.g.
 * {@code AFTER UPDATE ON subscriptions}) at which the test's {@code condition} holds, as the statement's
 * own transaction sees the database, it runs the test's {@code meanwhile} work on another thread, on its
 * own connection, and waits until that work has committed. So that work lands at that point of the
 * transaction, as another node's committed transaction would.
 */
public final class StatementMeanwhileTrigger implements Trigger {
    /** {@code condition}: a query whose first column is a boolean, its one {@code ?} bound to {@code param}. */
    private record Rule(String condition, String param, Runnable meanwhile, AtomicInteger fired) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private Rule rule;

    /** The statement that installs trigger {@code name} ({@code when}: e.g. "AFTER UPDATE ON subscriptions"). */
    public static String create(String name, String when, String condition, String param, Runnable meanwhile) {
        RULES.put(name.toUpperCase(), new Rule(condition, param, meanwhile, new AtomicInteger()));
        return "CREATE TRIGGER " + name + " " + when + " CALL '" + StatementMeanwhileTrigger.class.getName() + "'";
    }

    /** How many times trigger {@code name} ran its work (at most once). */
    public static int fired(String name) {
        Rule r = RULES.get(name.toUpperCase());
        return r == null ? 0 : r.fired().get();
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        rule = RULES.get(triggerName.toUpperCase());
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (rule == null || rule.fired().get() > 0 || !holds(conn) || !rule.fired().compareAndSet(0, 1)) {
            return;
        }
        paybridge.testing.Meanwhile.commit(rule.meanwhile());
    }

    private boolean holds(Connection conn) throws SQLException {
        try (var st = conn.prepareStatement(rule.condition())) {
            st.setString(1, rule.param());
            try (var rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
