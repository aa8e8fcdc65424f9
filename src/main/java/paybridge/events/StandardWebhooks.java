package paybridge.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): {@code v1,} + base64 of
 * HMAC-SHA256(key, {@code id + "." + timestamp + "." + body}); one per key, space-separated, so a
 * receiver rotating its secret accepts either.
 */
public final class StandardWebhooks {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";

    // one Mac per sending thread, keyed anew for each signature: Mac.getInstance looks the algorithm up in
    // the security providers on every call
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private StandardWebhooks() {
    }

    /** The {@code webhook-signature} value for these keys; empty when there are none. */
    public static String signature(List<byte[]> keys, String id, long timestampSeconds, String body) {
        byte[] content = (id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8);
        StringJoiner out = new StringJoiner(" ");
        for (byte[] key : keys) {
            try {
                Mac mac = HMAC.get();
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                out.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(content)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }
        return out.toString();
    }
}
