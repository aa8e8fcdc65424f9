package paybridge.payments;

import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.api.Trigger;
import paybridge.ledger.Transactions;

/**
 * Test-only H2 trigger on {@code refunds}: when the watched refund's row is inserted, the test's
 * {@code meanwhile} work is run on the inserting thread as soon as that transaction has committed
 * ({@link Transactions#afterCommit}), before the code that wrote the row goes on. So that work lands
 * in the gap between the row's transaction and whatever its writer does next, as another node's
 * transaction committed at that moment would. Embedded H2 fires a trigger on the thread that runs the
 * statement, which is what makes the inserting thread's after-commit list reachable from here.
 */
public final class RefundRowCommittedTrigger implements Trigger {
    private record Rule(String refundId, Runnable meanwhile, AtomicInteger fired, AtomicInteger done) {
    }

    private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();

    private Rule rule;

    /** The statement that installs trigger {@code name}, running {@code meanwhile} once after {@code refundId}'s row commits. */
    public static String create(String name, String refundId, Runnable meanwhile) {
        RULES.put(name.toUpperCase(), new Rule(refundId, meanwhile, new AtomicInteger(), new AtomicInteger()));
        return "CREATE TRIGGER " + name + " AFTER INSERT ON refunds FOR EACH ROW CALL '"
                + RefundRowCommittedTrigger.class.getName() + "'";
    }

    /** Whether trigger {@code name}'s work has run to its end (on the refund's thread). */
    public static boolean done(String name) {
        Rule r = RULES.get(name.toUpperCase());
        return r != null && r.done().get() > 0;
    }

    @Override
    public void init(Connection conn, String schemaName, String triggerName, String tableName, boolean before, int type) {
        rule = RULES.get(triggerName.toUpperCase());
    }

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) {
        // refunds columns: refund_id (0), ...
        if (rule == null || oldRow != null || newRow == null || !rule.refundId().equals(newRow[0])
                || rule.fired().getAndIncrement() > 0) {
            return;
        }
        Rule r = rule;
        Transactions.afterCommit(() -> {
            try {
                r.meanwhile().run();
            } finally {
                r.done().incrementAndGet();
            }
        });
    }
}
