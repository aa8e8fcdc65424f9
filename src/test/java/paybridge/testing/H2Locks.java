package paybridge.testing;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Who waits for whom in an H2 database, for tests that build an interleaving by holding a row in a
 * transaction of their own: H2 names the session a waiting session waits for, so a test waits for
 * that instead of sleeping.
 */
public final class H2Locks {
    private H2Locks() {
    }

    /** The session of {@code c}. */
    public static int session(Connection c) throws SQLException {
        try (var s = c.createStatement(); var rs = s.executeQuery("SELECT SESSION_ID()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** How many sessions wait for a lock {@code session} holds, read on {@code observer}. */
    public static int waitingFor(Connection observer, int session) throws SQLException {
        try (var s = observer.prepareStatement("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = ?")) {
            s.setInt(1, session);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
