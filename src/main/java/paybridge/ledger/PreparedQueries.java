package paybridge.ledger;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.component.jdbc.DefaultJdbcPrepareStatementStrategy;

/**
 * camel-jdbc's statement preparation with its text work remembered per SQL text: camel-jdbc scans
 * every statement for named parameters and rewrites {@code :?name} to {@code ?} with a regular
 * expression compiled anew on each call. paybridge's SQL is a few dozen constant texts, so the
 * answers are kept (bounded, in case a caller ever builds texts: past the bound it works as before).
 * Binding is unchanged: values still go through camel-jdbc's own iterator into prepared statements.
 */
final class PreparedQueries extends DefaultJdbcPrepareStatementStrategy {
    static final PreparedQueries SHARED = new PreparedQueries();
    private static final int MAX_TEXTS = 1024;

    private final Map<String, String> prepared = new ConcurrentHashMap<>();
    private final Map<String, Boolean> named = new ConcurrentHashMap<>();

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters) throws SQLException {
        if (!allowNamedParameters) {
            return super.prepareQuery(query, false);
        }
        String hit = prepared.get(query);
        if (hit != null) {
            return hit;
        }
        String result = super.prepareQuery(query, true);
        if (prepared.size() < MAX_TEXTS) {
            prepared.put(query, result);
        }
        return result;
    }

    @Override
    protected boolean hasNamedParameters(String query) {
        Boolean hit = named.get(query);
        if (hit != null) {
            return hit;
        }
        boolean result = super.hasNamedParameters(query);
        if (named.size() < MAX_TEXTS) {
            named.put(query, result);
        }
        return result;
    }
}
