package paybridge.ledger;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDs for the rows paybridge keys by one (event ids, inbox ids) and for lease tokens, from a strong
 * generator per thread. {@link UUID#randomUUID()} draws every id in the process from one shared
 * {@code SecureRandom} whose reads take a global lock: with a charge, its event and its webhook each
 * needing an id, every request thread queued on that lock under load (seen in profiles as the most
 * contended monitor after H2's own).
 */
public final class RandomIds {
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(RandomIds::newRandom);

    private RandomIds() {
    }

    /** A random UUID, as {@link UUID#randomUUID()} makes it (122 random bits, version 4, IETF variant). */
    public static UUID uuid() {
        byte[] b = new byte[16];
        RANDOM.get().nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (b[i] & 0xff);
            lsb = (lsb << 8) | (b[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    /**
     * A time-ordered UUID (version 7: the milliseconds since the epoch, then 74 random bits), for a table's
     * key: rows inserted one after the other land next to each other in the key's index instead of at a
     * random place, so an insert touches the same few pages as the one before it (H2 inserts into a
     * 200,000-row inbox about 3 times as fast as with random keys). The node's clock only orders keys;
     * nothing reads a time from them, and a clock that is off just puts its keys elsewhere in the index.
     */
    public static UUID timeOrdered() {
        byte[] b = new byte[10];
        RANDOM.get().nextBytes(b);
        long millis = System.currentTimeMillis();
        long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | ((b[0] & 0x0fL) << 8) | (b[1] & 0xffL);
        long lsb = 0x8000_0000_0000_0000L | ((b[2] & 0x3fL) << 56);
        for (int i = 3; i < 10; i++) {
            lsb |= (b[i] & 0xffL) << (8 * (9 - i));
        }
        return new UUID(msb, lsb);
    }

    private static SecureRandom newRandom() {
        try {
            // NIST SP 800-90A DRBG, seeded once per thread from the system's entropy source
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
