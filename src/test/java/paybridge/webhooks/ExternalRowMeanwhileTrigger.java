package paybridge.webhooks;

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
 * Test-only H2 trigger on {@code payments}: right before the first insert of the watched payment, it runs the
 * test's work (given the row's vendor reference) on another thread and connection and waits until it has
 * committed, as another node recording the same payment first would.
 */
public final class ExternalRowMeanwhileTrigger implements Trigger {
    private record Rule(String paymentId, Consumer<String> meanwhile, AtomicInteger fired) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private final List<String> columns = new ArrayList<>();
    private Rule rule;

    /** The statement that installs trigger {@code name}, running {@code meanwhile} once before {@code paymentId} is inserted. */
    public static String create(String name, String paymentId, Consumer<String> meanwhile) {
        RULES.put(name.toUpperCase(), new Rule(paymentId, meanwhile, new AtomicInteger()));
        return "CREATE TRIGGER " + name + " BEFORE INSERT ON payments FOR EACH ROW CALL '"
                + ExternalRowMeanwhileTrigger.class.getName() + "'";
    }

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
        if (rule == null || newRow == null || !rule.paymentId().equals(newRow[columns.indexOf("payment_id")])
                || !rule.fired().compareAndSet(0, 1)) {
            return;
        }
        String ref = (String) newRow[columns.indexOf("vendor_payment_ref")];
        paybridge.testing.Meanwhile.commit(() -> rule.meanwhile().accept(ref));
    }
}
