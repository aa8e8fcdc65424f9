package paybridge.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.component.jdbc.DefaultJdbcPrepareStatementStrategy;

/**
 * camel-jdbc's statement preparation, its text work done once per SQL text: the {@code :?name} → {@code ?}
 * rewrite (camel-jdbc's own) and the order of the names are remembered, where camel-jdbc scans every
 * statement with regular expressions each time it runs. paybridge's SQL is a few dozen constant texts (a
 * bound keeps the memory finite should a caller ever build texts: past it, each is worked out anew).
 * Binding is camel-jdbc's: the values, in the names' order, go to {@code setObject} one by one.
 */
final class PreparedQueries extends DefaultJdbcPrepareStatementStrategy {
    static final PreparedQueries SHARED = new PreparedQueries();
    private static final int MAX_TEXTS = 1024;
    // the names camel-jdbc's own parser reads (DefaultJdbcPrepareStatementStrategy.NamedQueryParser)
    private static final Pattern NAME = Pattern.compile(":\\?(\\w+)");

    /** A statement as prepared: its JDBC text and the parameter name of each {@code ?} in order. */
    record Named(String text, List<String> names) {
        /** The values to bind, in order; a parameter missing from {@code params} is refused. */
        Iterator<Object> values(Map<String, ?> params) {
            List<Object> values = new ArrayList<>(names.size());
            for (String name : names) {
                if (!params.containsKey(name)) {
                    throw new IllegalArgumentException("No value for the named parameter :?" + name + " of " + text);
                }
                Object value = params.get(name);
                values.add(value instanceof Instant i ? Sql.ts(i) : value);
            }
            return values.iterator();
        }
    }

    private final Map<String, Named> statements = new ConcurrentHashMap<>();

    Named statement(String sql) throws SQLException {
        Named hit = statements.get(sql);
        if (hit != null) {
            return hit;
        }
        List<String> names = new ArrayList<>();
        Matcher m = NAME.matcher(sql);
        while (m.find()) {
            names.add(m.group(1));
        }
        Named named = new Named(prepareQuery(sql, true), List.copyOf(names));
        if (statements.size() < MAX_TEXTS) {
            statements.put(sql, named);
        }
        return named;
    }

    /** Binds {@code values} to {@code statement} as camel-jdbc does (and checks their number). */
    void bind(PreparedStatement statement, Named named, Map<String, ?> params) throws SQLException {
        populateStatement(statement, named.values(params), named.names().size());
    }
}
