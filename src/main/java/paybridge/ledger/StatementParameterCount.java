package paybridge.ledger;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The data source camel-jdbc is given: the pool's, except that a prepared statement answers
 * {@code getParameterMetaData().getParameterCount()} by counting the {@code ?} placeholders of its
 * SQL instead of asking the database. camel-jdbc asks that before binding every statement, and
 * PostgreSQL's driver answers it with a round trip that parses and describes the statement again:
 * one extra round trip and server-side parse for every statement paybridge runs (measured: the
 * biggest cost of webhook processing on PostgreSQL). Everything else goes to the pool untouched.
 */
public final class StatementParameterCount {
    private StatementParameterCount() {
    }

    public static DataSource counting(DataSource pool) {
        return new CountingDataSource(pool);
    }

    /** The pool's connection with counted prepared statements (for {@link Transactions}). */
    static Connection counted(Connection connection) {
        return CountingDataSource.wrap(connection);
    }

    /** Placeholders outside quoted text and comments (the SQL is paybridge's own, constant text). */
    static int placeholders(String sql) {
        int count = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = sql.indexOf(c, i + 1);
                i = end < 0 ? sql.length() : end;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }

    private record CountingDataSource(DataSource pool) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            Connection joined = Transactions.joined();
            return joined != null ? joined : wrap(pool.getConnection());
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return wrap(pool.getConnection(user, password));
        }

        static Connection wrap(Connection connection) {
            return (Connection) Proxy.newProxyInstance(StatementParameterCount.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        Object result = invoke(connection, method, args);
                        if (result instanceof PreparedStatement ps && method.getName().equals("prepareStatement")) {
                            return counted(ps, placeholders((String) args[0]));
                        }
                        return result;
                    });
        }

        private static PreparedStatement counted(PreparedStatement statement, int parameters) {
            ParameterMetaData metaData = (ParameterMetaData) Proxy.newProxyInstance(
                    StatementParameterCount.class.getClassLoader(), new Class<?>[] {ParameterMetaData.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("getParameterCount")) {
                            return parameters;
                        }
                        throw new SQLFeatureNotSupportedException("only the parameter count is known here");
                    });
            InvocationHandler handler = (proxy, method, args) -> method.getName().equals("getParameterMetaData")
                    ? metaData : invoke(statement, method, args);
            return (PreparedStatement) Proxy.newProxyInstance(StatementParameterCount.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, handler);
        }

        private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            pool.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            pool.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return type.isInstance(this) || pool.isWrapperFor(type);
        }
    }
}
