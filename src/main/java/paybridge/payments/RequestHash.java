package paybridge.payments;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import paybridge.canonical.Card;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.PaymentCommand;

/**
 * Fingerprint of a command, to tell "the same command again" (replay the stored outcome) from
 * "another command under the same id" (409). The card enters only by its last four digits and
 * expiry: a full card number is never hashed, since an unkeyed hash of a card number is as good as
 * the number.
 */
public final class RequestHash {
    private RequestHash() {
    }

    public static String of(PaymentCommand c) {
        Card card = c.card() == null ? null : new Card(c.card().last4(), c.card().expiry(), null, null);
        PaymentCommand safe = new PaymentCommand(c.paymentId(), c.vendor(), c.method(), c.amount(), c.currency(),
                c.orderName(), c.quantity(), c.customer(), card, c.saveBillingKey(), c.billingKey(), c.subscriptionId());
        return sha256(json(safe));
    }

    public static String of(Object command) {
        return sha256(json(command));
    }

    private static String json(Object o) {
        try {
            return CanonicalJson.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
