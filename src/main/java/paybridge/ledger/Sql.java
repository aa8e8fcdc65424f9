package paybridge.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.jdbc.JdbcEndpoint;

/**
 * Every statement paybridge runs goes through camel-jdbc as a prepared statement whose named
 * parameters ({@code :?name}) are bound from a map: values are never spliced into SQL text.
 * Each call is one statement in auto-commit, unless it runs inside {@link #inTransaction}: then it
 * joins that transaction. Rules that need atomicity between racing nodes are single conditional
 * statements (INSERT ... ON CONFLICT, UPDATE ... WHERE state = ...); a state change and the facts
 * that go with it (its ledger entry, the subscription it moves) are one transaction.
 *
 * <p>Time that decides money is the database's: statements compare with {@code CURRENT_TIMESTAMP}
 * and compute deadlines as {@code CURRENT_TIMESTAMP + CAST(:?seconds AS BIGINT) * INTERVAL '1' SECOND} (both
 * databases), and Java that needs the time asks {@link #databaseNow()}. A node's own clock may be
 * off by minutes and never decides whether a charge can still be in flight, a lease has ended or a
 * run is stale.
 */
public final class Sql {
    // resetAutoCommit=false: the pool's connections are in auto-commit, so each statement commits
    // itself; camel-jdbc's default (switch auto-commit off, commit, switch it back) costs a commit
    // command and, on PostgreSQL, a round trip per statement for the same one-statement transaction
    private static final String QUERY = "jdbc:dataSource?useHeadersAsParameters=true&outputType=SelectList&resetAutoCommit=false";
    private static final String UPDATE = "jdbc:dataSource?useHeadersAsParameters=true&resetAutoCommit=false";

    private final CamelContext context;
    private final ProducerTemplate template;
    // resolved once (on first use: the data source is bound after this is built); resolving by URI
    // string normalizes the URI on every call, measurable per statement
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public Sql(CamelContext context) {
        this.context = context;
        this.template = context.createProducerTemplate();
    }

    /** The context whose beans this works with (the outbox, {@link EventFacts#of}). */
    CamelContext context() {
        return context;
    }

    private Endpoint endpoint(String uri) {
        return endpoints.computeIfAbsent(uri, u -> {
            Endpoint endpoint = context.getEndpoint(u);
            if (endpoint instanceof JdbcEndpoint jdbc) {
                jdbc.setPrepareStatementStrategy(PreparedQueries.SHARED);
            }
            return endpoint;
        });
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
        Transactions t = context.getRegistry().lookupByNameAndType("transactions", Transactions.class);
        if (t == null) {
            throw new IllegalStateException("no 'transactions' bean: PaybridgeConfiguration binds it with the data source");
        }
        return t;
    }

    /** The time to stamp on a row, at the precision both databases keep (so a row read back is equal). */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> query(String sql, Map<String, ?> params) {
        Exchange result = template.request(endpoint(QUERY), e -> {
            e.getMessage().setHeaders(parameters(params));
            e.getMessage().setBody(sql);
        });
        rethrow(result);
        return result.getMessage().getBody(List.class);
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    public int update(String sql, Map<String, ?> params) {
        Exchange result = template.request(endpoint(UPDATE), e -> {
            e.getMessage().setHeaders(parameters(params));
            e.getMessage().setBody(sql);
        });
        rethrow(result);
        Integer count = result.getMessage().getHeader("CamelJdbcUpdateCount", Integer.class);
        return count == null ? 0 : count;
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

    /** Parameters as headers; a null value stays present so camel-jdbc binds it as SQL NULL. */
    private static Map<String, Object> parameters(Map<String, ?> params) {
        Map<String, Object> headers = new java.util.HashMap<>();
        params.forEach((k, v) -> headers.put(k, v instanceof Instant i ? ts(i) : v));
        return headers;
    }

    private static void rethrow(Exchange result) {
        Exception e = result.getException();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e != null) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
