package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import paybridge.testing.Postgres;

/** Several statements through {@link Sql} as one transaction, and the database's clock, on both databases. */
class TransactionsTest {
    private static final String INSERT = """
            INSERT INTO billing_runs (run_id, as_of, dry_run, status, node, started_at, heartbeat_at)
            VALUES (:?runId, CURRENT_TIMESTAMP, FALSE, 'COMPLETED', 'test', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""";
    private static final String COUNT = "SELECT COUNT(*) AS n FROM billing_runs WHERE run_id IN (:?a, :?b)";

    @Test
    void onH2() throws Exception {
        try (Database db = Database.open("jdbc:h2:mem:tx" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4)) {
            withSql(db, TransactionsTest::commitsTogetherOrNotAtAll);
            withSql(db, TransactionsTest::tellsTheDatabasesTime);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             Database db = Database.open(pg.url(), pg.user(), "", 4)) {
            withSql(db, TransactionsTest::commitsTogetherOrNotAtAll);
            withSql(db, TransactionsTest::tellsTheDatabasesTime);
        }
    }

    private static void commitsTogetherOrNotAtAll(Sql sql) {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        // the second statement fails (duplicate key): the first is rolled back with it
        assertThatThrownBy(() -> sql.inTransaction(() -> {
            sql.update(INSERT, Map.of("runId", a));
            assertThat(Transactions.active()).isTrue();
            sql.update(INSERT, Map.of("runId", a));
        })).isInstanceOf(RuntimeException.class);
        assertThat(count(sql, a, b)).isZero();
        // an exception thrown by the Java between two statements rolls back too
        assertThatThrownBy(() -> sql.inTransaction(() -> {
            sql.update(INSERT, Map.of("runId", a));
            throw new IllegalStateException("crash between two statements");
        })).hasMessage("crash between two statements");
        assertThat(count(sql, a, b)).isZero();
        // both, committed together; a nested transaction joins the outer one
        sql.inTransaction(() -> {
            sql.update(INSERT, Map.of("runId", a));
            sql.inTransaction(() -> sql.update(INSERT, Map.of("runId", b)));
        });
        assertThat(Transactions.active()).isFalse();
        assertThat(count(sql, a, b)).isEqualTo(2);

        // what waits for the commit: after the outermost commit, never after a rollback, at once outside
        java.util.List<String> done = new java.util.ArrayList<>();
        sql.inTransaction(() -> {
            sql.inTransaction(() -> Transactions.afterCommit(() -> done.add("committed")));
            assertThat(done).as("not before the outer commit").isEmpty();
        });
        assertThat(done).containsExactly("committed");
        assertThatThrownBy(() -> sql.inTransaction(() -> {
            Transactions.afterCommit(() -> done.add("rolled back"));
            throw new IllegalStateException("rollback");
        })).hasMessage("rollback");
        Transactions.afterCommit(() -> done.add("outside"));
        assertThat(done).containsExactly("committed", "outside");
    }

    private static void tellsTheDatabasesTime(Sql sql) {
        Instant before = Instant.now().minusSeconds(5);
        Instant now = sql.databaseNow();
        assertThat(now).isBetween(before, Instant.now().plusSeconds(5));
        // the deadline arithmetic every store uses, with a bound parameter of seconds
        var rows = sql.query("SELECT CASE WHEN CURRENT_TIMESTAMP + CAST(:?seconds AS BIGINT) * INTERVAL '1' SECOND > CURRENT_TIMESTAMP"
                + " THEN 1 ELSE 0 END AS later", Map.of("seconds", Duration.ofSeconds(90).toSeconds()));
        assertThat(Sql.longValue(rows.get(0).get("later"))).isEqualTo(1);
    }

    private static long count(Sql sql, String a, String b) {
        return Sql.longValue(sql.query(COUNT, Map.of("a", a, "b", b)).get(0).get("n"));
    }

    private static void withSql(Database db, Consumer<Sql> test) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("dataSource", DataSource.class, db.dataSource());
            context.getRegistry().bind("transactions", new Transactions(db.dataSource()));
            context.start();
            test.accept(new Sql(context));
        }
    }
}
