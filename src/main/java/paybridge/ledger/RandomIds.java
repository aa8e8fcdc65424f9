package paybridge.ledger;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs for the rows paybridge keys by one (event ids, inbox ids, lease tokens), from a
 * strong generator per thread. {@link UUID#randomUUID()} draws every id in the process from one shared
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

    private static SecureRandom newRandom() {
        try {
            // NIST SP 800-90A DRBG, seeded once per thread from the system's entropy source
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
