package paybridge.billing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger on {@code subscriptions}, one per statement: after the first UPDATE statement of a
 * transaction that leaves the watched subscription still PAST_DUE (as that transaction sees it), it runs
 * the test's {@code meanwhile} work on another thread, on its own connection, and waits until it has
 * committed. So that work lands between that statement and the transaction's next, as another node's
 * committed transaction would.
 */
public final class StillPastDueMeanwhileTrigger implements Trigger {
    private record Rule(String subscriptionId, Runnable meanwhile, AtomicInteger fired) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private Rule rule;

    /** The statement that installs trigger {@code name}, running {@code meanwhile} at most once. */
    public static String create(String name, String subscriptionId, Runnable meanwhile) {
        RULES.put(name.toUpperCase(), new Rule(subscriptionId, meanwhile, new AtomicInteger()));
        return "CREATE TRIGGER " + name + " AFTER UPDATE ON subscriptions CALL '"
                + StillPastDueMeanwhileTrigger.class.getName() + "'";
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
        if (rule == null || rule.fired().get() > 0 || !stillPastDue(conn)) {
            return;
        }
        if (!rule.fired().compareAndSet(0, 1)) {
            return;
        }
        try {
            CompletableFuture.runAsync(rule.meanwhile()).get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the other transaction ran", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SQLException("the other transaction failed: " + e, e);
        }
    }

    private boolean stillPastDue(Connection conn) throws SQLException {
        try (var st = conn.prepareStatement("SELECT state FROM subscriptions WHERE subscription_id = ?")) {
            st.setString(1, rule.subscriptionId());
            try (var rs = st.executeQuery()) {
                return rs.next() && "PAST_DUE".equals(rs.getString(1));
            }
        }
    }
}
