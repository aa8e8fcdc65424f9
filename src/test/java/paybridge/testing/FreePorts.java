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
    private static final int FIRST = 20000;
    private static final int LAST = 32000;
    private static final AtomicInteger NEXT = new AtomicInteger(FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST));

    private FreePorts() {
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
