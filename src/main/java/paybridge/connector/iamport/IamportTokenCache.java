package paybridge.connector.iamport;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import paybridge.connector.iamport.IamportResponses.TokenGrant;

/**
 * The iamport access token, shared by every call.
 * <ul>
 *   <li>Its lifetime is the vendor's {@code expired_at - now}, counted from when the answer arrived
 *       on paybridge's monotonic clock, so a skewed local wall clock cannot make it look valid.</li>
 *   <li>It is renewed {@link #MARGIN} before it expires (half its lifetime if that is shorter), so a
 *       call never leaves with a token about to die on the way.</li>
 *   <li>One fetch at a time ("single flight"): however many charges need a token at once, one
 *       request goes to {@code /users/getToken}; the others wait for its result, its failure
 *       included, instead of each trying in turn against a vendor that is down.</li>
 *   <li>{@link #renew(String)} after a 401 drops the token only if it is still the one rejected,
 *       so fifty calls rejected together cause one new fetch.</li>
 * </ul>
 */
public final class IamportTokenCache {
    public static final Duration MARGIN = Duration.ofSeconds(60);

    private record Cached(String token, long refreshAtNanos) {
        @Override
        public String toString() {
            return "Cached[****]";
        }
    }

    private final Supplier<TokenGrant> fetcher;
    private final LongSupplier nanoClock;
    // written under this, read without it: every charge asks for the token, and a lock taken by all
    // of them is a queue on a busy node (the holder descheduled, the others blocked behind it)
    private volatile Cached current;
    private CompletableFuture<Cached> inFlight; // guarded by this

    /** @param fetcher calls {@code /users/getToken}; throws NotSentException when no token can be had */
    public IamportTokenCache(Supplier<TokenGrant> fetcher) {
        this(fetcher, System::nanoTime);
    }

    IamportTokenCache(Supplier<TokenGrant> fetcher, LongSupplier nanoClock) {
        this.fetcher = fetcher;
        this.nanoClock = nanoClock;
    }

    /** A token that will stay valid for at least the margin, fetching one if needed. */
    public String token() {
        Cached now = current;
        if (now != null && nanoClock.getAsLong() - now.refreshAtNanos() < 0) {
            return now.token();
        }
        CompletableFuture<Cached> flight;
        boolean mine = false;
        synchronized (this) {
            Cached checked = current;
            if (checked != null && nanoClock.getAsLong() - checked.refreshAtNanos() < 0) {
                return checked.token();
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            flight = inFlight;
        }
        if (mine) {
            fetch(flight);
        }
        try {
            return flight.join().token();
        } catch (CompletionException | CancellationException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** After a 401: forget {@code rejected} (unless another caller already replaced it) and get a token. */
    public String renew(String rejected) {
        invalidate(rejected);
        return token();
    }

    public synchronized void invalidate(String rejected) {
        if (current != null && current.token().equals(rejected)) {
            current = null;
        }
    }

    private void fetch(CompletableFuture<Cached> flight) {
        try {
            long before = nanoClock.getAsLong(); // the lifetime counts from before the request: errs early
            TokenGrant grant = fetcher.get();
            Duration margin = grant.ttl().dividedBy(2).compareTo(MARGIN) < 0 ? grant.ttl().dividedBy(2) : MARGIN;
            Cached fresh = new Cached(grant.accessToken(), before + grant.ttl().minus(margin).toNanos());
            synchronized (this) {
                current = fresh;
                inFlight = null;
            }
            flight.complete(fresh);
        } catch (RuntimeException e) {
            synchronized (this) {
                inFlight = null;
            }
            flight.completeExceptionally(e);
        }
    }
}
