package paybridge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A free port for a server a test starts. Taken below Linux's ephemeral range (32768-60999), one after
 * another from a random start: a port the kernel handed out with port 0 was itself an ephemeral port,
 * which an outgoing connection of the suite (an HTTP client, a database connection) could take between
 * this check and the server's bind; below the range only another server's explicit bind can.
 */
public final class FreePorts {
    private static final int RANGE_FIRST = 20000;
    private static final int RANGE_LAST = 32000;
    // Surefire runs test classes in several JVMs at once (pom.xml, test.forks): each JVM takes its ports from
    // its own slice of the range, so one never takes a port another checked free and is about to bind
    private static final int FORKS = Math.max(1, Integer.getInteger("paybridge.test.forks", 1));
    private static final int FORK = Math.floorMod(forkNumber() - 1, FORKS);
    private static final int FIRST = RANGE_FIRST + FORK * ((RANGE_LAST - RANGE_FIRST) / FORKS);
    private static final int LAST = FIRST + (RANGE_LAST - RANGE_FIRST) / FORKS;
    private static final AtomicInteger NEXT = new AtomicInteger(FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST));

    private FreePorts() {
    }

    /** Surefire's number of this JVM, 1 and up ({@code fork-<n>}, set in pom.xml); 1 outside Surefire. */
    private static int forkNumber() {
        String v = System.getProperty("paybridge.test.fork", "");
        try {
            return Integer.parseInt(v.substring(v.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    public static int next() {
        for (int tries = 0; tries < LAST - FIRST; tries++) {
            int port = FIRST + Math.floorMod(NEXT.getAndIncrement() - FIRST, LAST - FIRST);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + FIRST + "-" + LAST);
    }

    private static boolean bindable(int port) {
        // every address, as the servers bind (0.0.0.0)
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
