package paybridge.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.jdbc.ResultSetIterator;

/**
 * Every statement paybridge runs is a prepared statement whose named parameters ({@code :?name}) are
 * bound from a map: values are never spliced into SQL text. Each call is one statement in auto-commit,
 * unless it runs inside {@link #inTransaction}: then it joins that transaction. Rules that need atomicity
 * between racing nodes are single conditional statements (INSERT ... ON CONFLICT, UPDATE ... WHERE state =
 * ...); a state change and the facts that go with it (its ledger entry, the subscription it moves) are one
 * transaction.
 *
 * <p>The statement work is camel-jdbc's, called directly: its named-parameter rewrite and binding
 * ({@link PreparedQueries}) and its row mapping ({@link ResultSetIterator}: a map per row by column
 * label). Not through a {@code jdbc:} endpoint: an exchange, a unit of work,
 * header copies and event notifications for every statement cost more than the statement itself on H2
 * (profiles of the charge path), and nothing routes a statement anywhere.
 *
 * <p>Time that decides money is the database's: statements compare with {@code CURRENT_TIMESTAMP}
 * and compute deadlines as {@code CURRENT_TIMESTAMP + CAST(:?seconds AS BIGINT) * INTERVAL '1' SECOND} (both
 * databases), and Java that needs the time asks {@link #databaseNow()}. A node's own clock may be
 * off by minutes and never decides whether a charge can still be in flight, a lease has ended or a
 * run is stale.
 */
public final class Sql {
    private final CamelContext context;
    // looked up on first use: the configuration that binds it may run after this is built
    private volatile Transactions transactions;
    private final StatementSpans spans;

    public Sql(CamelContext context) {
        this.context = context;
        this.spans = new StatementSpans(context);
    }

    /** The context whose beans this works with (the outbox, {@link EventFacts#of}). */
    CamelContext context() {
        return context;
    }

    private static final String DATABASE_NOW = "SELECT CURRENT_TIMESTAMP AS now";

    /**
     * The database's clock, for Java that must decide by time (a retry's due time, a run's as-of):
     * the same clock every node's statements compare with.
     */
    public Instant databaseNow() {
        return instant(query(DATABASE_NOW, Map.of()).get(0).get("now")).truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Runs {@code work} as one database transaction: every statement it sends through any {@code Sql}
     * on this thread commits with the others or not at all (see {@link Transactions}).
     */
    public <T> T inTransaction(java.util.function.Supplier<T> work) {
        return transactions().run(work);
    }

    /** As {@link #inTransaction(java.util.function.Supplier)}, without a result. */
    public void inTransaction(Runnable work) {
        transactions().run(work);
    }

    private Transactions transactions() {
        Transactions t = transactions;
        if (t == null) {
            t = context.getRegistry().lookupByNameAndType("transactions", Transactions.class);
            if (t == null) {
                throw new IllegalStateException("no 'transactions' bean: PaybridgeConfiguration binds it with the data source");
            }
            transactions = t;
        }
        return t;
    }

    /** The time to stamp on a row, at the precision both databases keep (so a row read back is equal). */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** Runs a SELECT; returns its rows, each a map by column label (lower case on both databases). */
    public List<Map<String, Object>> query(String sql, Map<String, ?> params) {
        return query(sql, params, null);
    }

    /**
     * As {@link #query(String, Map)}, cancelled by the database after {@code timeout} (whole seconds, at least
     * one): for readings a probe or a scrape waits for, which must answer even while a table is locked.
     */
    public List<Map<String, Object>> query(String sql, Map<String, ?> params, java.time.Duration timeout) {
        return run(sql, params, (connection, statement) -> {
            java.sql.ResultSet resultSet;
            if (timeout == null) {
                resultSet = statement.executeQuery();
            } else {
                // H2 applies a statement's timeout to its whole connection (SET QUERY_TIMEOUT): set back at once,
                // before the pooled connection serves anything else
                statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                try {
                    resultSet = statement.executeQuery();
                } finally {
                    statement.setQueryTimeout(0);
                }
            }
            ResultSetIterator rows = new ResultSetIterator(connection, resultSet, true, false);
            List<Map<String, Object>> result = new ArrayList<>();
            while (rows.hasNext()) {
                result.add(rows.next());
            }
            return result;
        });
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    public int update(String sql, Map<String, ?> params) {
        return run(sql, params, (connection, statement) -> statement.executeUpdate());
    }

    private interface StatementWork<T> {
        T run(Connection connection, PreparedStatement statement) throws SQLException;
    }

    private <T> T run(String sql, Map<String, ?> params, StatementWork<T> work) {
        try {
            PreparedQueries.Named named = PreparedQueries.SHARED.statement(sql);
            Transactions t = transactions();
            return StatementSpans.within(spans.start(sql), () -> t.withConnection(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(named.text())) {
                    PreparedQueries.SHARED.bind(statement, named, params);
                    return work.run(connection, statement);
                }
            }));
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** An instant as a parameter value both databases bind to TIMESTAMP WITH TIME ZONE. */
    public static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Reads a TIMESTAMP WITH TIME ZONE column, whichever Java type the driver returned. */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.ZonedDateTime z) {
            return z.toInstant();
        }
        if (value instanceof Instant i) {
            return i;
        }
        throw new IllegalArgumentException("Not a timestamp: " + value.getClass());
    }

    public static long longValue(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
