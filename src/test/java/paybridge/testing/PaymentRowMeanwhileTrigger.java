package paybridge.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger on {@code payments}: right before a watched write to one payment's row, it runs the
 * test's work on another thread, on its own connection, and waits until that work has committed. So that work
 * lands between whatever the writing code checked before and its write, as another node's committed
 * transaction would. Two writes can be watched: the first update that gives the payment a new vendor reference
 * ({@link #beforeReferenceSet}), and the payment's insert ({@link #beforeInsert}, the work is given the row's
 * vendor reference).
 */
public final class PaymentRowMeanwhileTrigger implements Trigger {
    private record Rule(String paymentId, boolean insert, Consumer<String> work, AtomicInteger fired) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private final List<String> columns = new ArrayList<>();
    private Rule rule;

    /** Installs trigger {@code name}: {@code meanwhile} runs once before {@code paymentId}'s reference is set. */
    public static String beforeReferenceSet(String name, String paymentId, Runnable meanwhile) {
        return install(name, new Rule(paymentId, false, ref -> meanwhile.run(), new AtomicInteger()));
    }

    /** Installs trigger {@code name}: {@code meanwhile} runs once before {@code paymentId} is inserted, given its reference. */
    public static String beforeInsert(String name, String paymentId, Consumer<String> meanwhile) {
        return install(name, new Rule(paymentId, true, meanwhile, new AtomicInteger()));
    }

    private static String install(String name, Rule rule) {
        RULES.put(name.toUpperCase(), rule);
        return "CREATE TRIGGER " + name + " BEFORE " + (rule.insert() ? "INSERT" : "UPDATE")
                + " ON payments FOR EACH ROW CALL '" + PaymentRowMeanwhileTrigger.class.getName() + "'";
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
        if (rule == null || newRow == null) {
            return;
        }
        int id = columns.indexOf("payment_id");
        int ref = columns.indexOf("vendor_payment_ref");
        boolean watched = rule.insert()
                ? oldRow == null && rule.paymentId().equals(newRow[id])
                : oldRow != null && rule.paymentId().equals(oldRow[id]) && newRow[ref] != null
                        && !newRow[ref].equals(oldRow[ref]);
        if (!watched || !rule.fired().compareAndSet(0, 1)) {
            return;
        }
        // another thread, so its statements are not this transaction's; committed before the write goes on
        String reference = (String) newRow[ref];
        Meanwhile.commit(() -> rule.work().accept(reference));
    }
}
