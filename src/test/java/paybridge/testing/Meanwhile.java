package paybridge.testing;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** For test triggers: another transaction's work, run on another thread (its own connection) and committed before the trigger returns. */
public final class Meanwhile {
    private Meanwhile() {
    }

    /** Runs {@code work} on another thread and waits (up to 20 s) until it is done; its failure fails the statement. */
    public static void commit(Runnable work) throws SQLException {
        try {
            CompletableFuture.runAsync(work).get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the other transaction ran", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SQLException("the other transaction failed: " + e, e);
        }
    }
}
