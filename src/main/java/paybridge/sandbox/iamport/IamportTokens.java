package paybridge.sandbox.iamport;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens as iamport issues them: one current token per API key, handed out again while it
 * lives, extended by 5 minutes when asked for with under a minute left. Older tokens stay valid
 * until their own expiry. Times are epoch milliseconds inside, UNIX seconds in answers.
 */
final class IamportTokens {
    private static final long EXTEND_WHEN_LEFT_MS = Duration.ofMinutes(1).toMillis();
    private static final long EXTENSION_MS = Duration.ofMinutes(5).toMillis();

    /** A token and when it expires (epoch ms). */
    record Token(String value, long expiresAtMs) {
    }

    private final SecureRandom random = new SecureRandom();
    private final long ttlMs;
    private final Map<String, Long> expiries = new ConcurrentHashMap<>();
    private Token current;
    private long issued;

    IamportTokens(Duration ttl) {
        this.ttlMs = ttl.toMillis();
    }

    /** The current token, new if there is none alive, extended if it is about to expire. */
    synchronized Token issue(long nowMs) {
        if (current == null || nowMs >= expiries.getOrDefault(current.value(), Long.MIN_VALUE)) {
            byte[] bytes = new byte[20];
            random.nextBytes(bytes);
            current = new Token(HexFormat.of().formatHex(bytes), nowMs + ttlMs);
            issued++;
        } else if (current.expiresAtMs() - nowMs < EXTEND_WHEN_LEFT_MS) {
            current = new Token(current.value(), current.expiresAtMs() + EXTENSION_MS);
        }
        expiries.put(current.value(), current.expiresAtMs());
        return current;
    }

    boolean valid(String token, long nowMs) {
        Long expiresAt = token == null ? null : expiries.get(token);
        return expiresAt != null && nowMs < expiresAt;
    }

    /** Test control: every token issued so far is expired from now on. */
    synchronized void expireAll() {
        expiries.replaceAll((token, expiresAt) -> Long.MIN_VALUE);
        current = null;
    }

    synchronized long issuedCount() {
        return issued;
    }
}
