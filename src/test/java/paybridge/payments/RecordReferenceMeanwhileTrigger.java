package paybridge.payments;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger on {@code payments}: right before the first update that would give the watched
 * payment a new vendor reference, it runs the test's {@code meanwhile} work on another thread, on its own
 * connection, and waits until that work has committed. So that work lands between whatever the updating
 * code checked before and its update, as another node's committed transaction would.
 */
public final class RecordReferenceMeanwhileTrigger implements Trigger {
    private record Rule(String paymentId, Runnable meanwhile, AtomicInteger fired) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private final List<String> columns = new ArrayList<>();
    private Rule rule;

    /** The statement that installs trigger {@code name}, running {@code meanwhile} once before {@code paymentId}'s reference is set. */
    public static String create(String name, String paymentId, Runnable meanwhile) {
        RULES.put(name.toUpperCase(), new Rule(paymentId, meanwhile, new AtomicInteger()));
        return "CREATE TRIGGER " + name + " BEFORE UPDATE ON payments FOR EACH ROW CALL '"
                + RecordReferenceMeanwhileTrigger.class.getName() + "'";
    }

    /** How many times trigger {@code name} ran its work (at most once). */
    public static int fired(String name) {
        Rule r = RULES.get(name.toUpperCase());
        return r == null ? 0 : r.fired().get();
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        rule = RULES.get(triggerName.toUpperCase());
        try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME").toLowerCase());
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (rule == null || oldRow == null || newRow == null) {
            return;
        }
        int id = columns.indexOf("payment_id");
        int ref = columns.indexOf("vendor_payment_ref");
        boolean newReference = newRow[ref] != null && !newRow[ref].equals(oldRow[ref]);
        if (!rule.paymentId().equals(oldRow[id]) || !newReference || !rule.fired().compareAndSet(0, 1)) {
            return;
        }
        // another thread, so its statements are not this transaction's; committed before the update goes on
        paybridge.testing.Meanwhile.commit(rule.meanwhile());
    }
}
