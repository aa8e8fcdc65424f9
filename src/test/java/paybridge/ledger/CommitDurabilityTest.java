package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paybridge.testing.LogCapture;
import paybridge.testing.Postgres;

/**
 * A commit on disk when it returns, as far as each database allows ({@link Database}, checked at open).
 * An H2 file database writes committed changes to its file in the background: a process that dies
 * loses whatever was committed since the last write. With H2's own default (500 ms) charges answered
 * PAID and the node killed 200 ms later left no trace after restart; paybridge sets H2's write delay to
 * 50 ms. The child JVM below commits a row through
 * paybridge's own pool right after H2 has written its file (so H2's own default would not write again
 * for another 500 ms), waits well past paybridge's window and well inside H2's default one, then halts
 * as kill -9 would (no shutdown hook, H2 not closed).
 */
class CommitDurabilityTest {

    /** Time between the commit and the halt: 5 times paybridge's window, half of H2's default. */
    static final long MILLIS_BEFORE_HALT = 250;

    @TempDir
    Path dir;

    @Test
    void paybridgeOpensAnH2FileDatabaseWithAShortWriteDelayUnlessTheUrlNamesOne() throws Exception {
        assertThat(writeDelay("jdbc:h2:file:" + dir.resolve("settings"), "sa", ""))
                .isEqualTo(String.valueOf(Database.H2_WRITE_DELAY_MILLIS));
        assertThat(writeDelay("jdbc:h2:file:" + dir.resolve("own") + ";WRITE_DELAY=20", "sa", "")).isEqualTo("20");
    }

    @Test
    void anH2UserWhoIsNoAdminStartsAndIsWarnedThatH2KeepsItsOwnDelay() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("users");
        asAdmin(url, "CREATE USER app PASSWORD 'app-password'", "GRANT ALTER ANY SCHEMA TO app");
        try (LogCapture log = new LogCapture()) {
            assertThat(writeDelay(url, "app", "app-password")).isEqualTo("500");
            assertThat(log.text()).contains("WARN paybridge.ledger.Database H2 kept its own write delay (500 ms)")
                    .contains("Admin rights are required");
        }
    }

    @Test
    void postgresqlWithSynchronousCommitOffIsWarned() throws Exception {
        try (Postgres pg = Postgres.createDatabase()) {
            try (LogCapture log = new LogCapture()) {
                Database.open(pg.url(), pg.user(), "", 1).close();
                assertThat(log.text()).doesNotContain("synchronous_commit is off");
            }
            try (Connection c = DriverManager.getConnection(pg.url(), pg.user(), "");
                 Statement s = c.createStatement()) {
                s.execute("ALTER DATABASE " + c.getCatalog() + " SET synchronous_commit = off");
            }
            try (LogCapture log = new LogCapture()) {
                Database.open(pg.url(), pg.user(), "", 1).close();
                assertThat(log.text()).contains("WARN paybridge.ledger.Database PostgreSQL's synchronous_commit is off");
            }
        }
    }

    /** Opens the database through paybridge as H2's admin {@code sa} and runs the statements. */
    private static void asAdmin(String url, String... statements) throws Exception {
        try (Database db = Database.open(url, "sa", "", 1);
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String writeDelay(String url, String user, String password) throws Exception {
        try (Database db = Database.open(url, user, password, 1);
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT setting_value FROM information_schema.settings WHERE setting_name = 'WRITE_DELAY'")) {
            assertThat(r.next()).isTrue();
            return r.getString(1);
        }
    }

    @Test
    void aCommitSurvivesTheProcessDyingShortlyAfter() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("crash");
        asAdmin(url, "CREATE TABLE crash_probe (id VARCHAR(40) PRIMARY KEY)");
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CommitThenDie.class.getName(), url))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child ended; see " + log).isTrue();
        String output = Files.readString(log);
        assertThat(output).as("child output").contains("committed");
        assertThat(child.exitValue()).as(output).isEqualTo(9);

        try (Database db = Database.open(url, "sa", "", 1);
             Connection c = db.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM crash_probe WHERE id = 'paid-before-the-crash'")) {
            r.next();
            assertThat(r.getInt(1)).as("the row committed %d ms before the process died", MILLIS_BEFORE_HALT).isEqualTo(1);
        }
    }

    /**
     * Commits a first row and waits until H2 has written it (the file grows: a new chunk), then commits
     * the probe row at once, waits, and halts without closing anything. H2 writes again only once its
     * write delay has passed since its last write.
     */
    public static final class CommitThenDie {
        public static void main(String[] args) throws Exception {
            Database db = Database.open(args[0], "sa", "", 1);
            File file = new File(args[0].substring("jdbc:h2:file:".length()) + ".mv.db");
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO crash_probe (id) VALUES (?)")) {
                long before = file.length();
                insert.setString(1, "written-first");
                insert.executeUpdate(); // auto-commit
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (file.length() == before && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                insert.setString(1, "paid-before-the-crash");
                insert.executeUpdate();
            }
            System.out.println("committed");
            System.out.flush();
            Thread.sleep(MILLIS_BEFORE_HALT);
            Runtime.getRuntime().halt(9);
        }
    }
}
