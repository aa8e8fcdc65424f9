package paybridge.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.h2.api.Trigger;

/**
 * Test-only H2 trigger that refuses the ledger entries a test names, as a database failure at that
 * INSERT, and counts the refusals. {@link #create} registers which rows (by column name) a trigger
 * refuses and answers its {@code CREATE TRIGGER} statement.
 */
public final class RefuseLedgerEntry implements Trigger {
    private static final Map<String, Predicate<Map<String, Object>>> RULES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> REFUSED = new ConcurrentHashMap<>();

    private final List<String> columns = new ArrayList<>();
    private String name;

    /** The statement that installs trigger {@code name} on ledger_entries, refusing the rows {@code refuse} matches. */
    public static String create(String name, Predicate<Map<String, Object>> refuse) {
        RULES.put(name.toUpperCase(), refuse);
        REFUSED.computeIfAbsent(name.toUpperCase(), n -> new AtomicInteger());
        return "CREATE TRIGGER " + name + " BEFORE INSERT ON ledger_entries FOR EACH ROW CALL '"
                + RefuseLedgerEntry.class.getName() + "'";
    }

    /** How many rows trigger {@code name} has refused. */
    public static int refused(String name) {
        return REFUSED.computeIfAbsent(name.toUpperCase(), n -> new AtomicInteger()).get();
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type)
            throws SQLException {
        name = triggerName.toUpperCase();
        try (var rs = conn.getMetaData().getColumns(null, schemaName, tableName, null)) {
            while (rs.next()) {
                columns.add(rs.getString("COLUMN_NAME").toLowerCase());
            }
        }
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
        if (newRow == null) {
            return;
        }
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < columns.size() && i < newRow.length; i++) {
            row.put(columns.get(i), newRow[i]);
        }
        Predicate<Map<String, Object>> rule = RULES.get(name);
        if (rule != null && rule.test(row)) {
            REFUSED.get(name).incrementAndGet();
            throw new SQLException("injected failure: ledger entry " + row.get("type") + " not written", "P0001");
        }
    }
}
