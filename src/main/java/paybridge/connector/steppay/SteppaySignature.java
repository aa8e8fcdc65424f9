package paybridge.connector.steppay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Steppay's webhook signature (VENDORS.md): {@code Steppay-Signature: timestamp=<unix>,key=<base64>[;<base64>...]}
 * where a key is {@code Base64(HmacSHA256(secret, timestamp + "." + rawBody))} over the raw body
 * bytes. Several keys may be listed (secret rotation): one match is enough. Compared in constant
 * time. Neither the header nor the secret is ever logged.
 */
public final class SteppaySignature {
    public static final String HEADER = "Steppay-Signature";

    private final byte[] secret;

    public SteppaySignature(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** True when the header is well formed and one of its keys is the HMAC of this body. */
    public boolean verify(String header, byte[] rawBody) {
        if (header == null || header.isBlank()) {
            return false;
        }
        String timestamp = null;
        String keys = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("timestamp=")) {
                timestamp = p.substring("timestamp=".length()).trim();
            } else if (p.startsWith("key=")) {
                keys = p.substring("key=".length()).trim();
            }
        }
        if (timestamp == null || keys == null || !timestamp.matches("\\d{1,19}")) {
            return false;
        }
        byte[] expected = hmac(timestamp, rawBody);
        boolean match = false;
        for (String key : keys.split(";")) {
            byte[] presented;
            try {
                presented = Base64.getDecoder().decode(key.trim());
            } catch (IllegalArgumentException notBase64) {
                continue;
            }
            // no early exit: every key is compared
            match |= MessageDigest.isEqual(expected, presented);
        }
        return match;
    }

    /** The header value a sender with this secret would write (tests, benchmarks). */
    public String sign(long timestamp, byte[] rawBody) {
        return "timestamp=" + timestamp + ",key=" + Base64.getEncoder().encodeToString(hmac(String.valueOf(timestamp), rawBody));
    }

    private byte[] hmac(String timestamp, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            mac.update(rawBody);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
