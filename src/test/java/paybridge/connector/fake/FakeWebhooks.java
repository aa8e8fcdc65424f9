package paybridge.connector.fake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import paybridge.Settings;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ClaimCheck;
import paybridge.connector.IpAllowList;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorWebhook;
import paybridge.connector.WebhookRules;

/**
 * The fake vendor's webhooks: a JSON body {@code {event, chargeId, orderId, refundId?}}, signed with
 * HMAC-SHA256 over the raw body ({@code Fake-Signature}, hex) under {@code paybridge.fake.webhook-secret}
 * (unset: not checked); {@code charge.paid} and {@code charge.refunded} are the events, and the
 * looked-up charge decides.
 */
final class FakeWebhooks implements WebhookRules {
    static final String SIGNATURE_HEADER = "Fake-Signature";

    private final IpAllowList sources;
    private final byte[] secret; // null: signatures not checked

    FakeWebhooks(Settings settings) {
        this.sources = IpAllowList.parse(settings.get("paybridge.fake.webhook-ips", ""));
        this.secret = settings.find("paybridge.fake.webhook-secret").map(v -> v.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    @Override
    public VendorWebhook parse(Map<String, String> fields) {
        String chargeId = fields.get("chargeId");
        String event = fields.get("event");
        if (chargeId == null || chargeId.isBlank() || event == null) {
            throw new MalformedWebhookException("a fake webhook names its event and chargeId");
        }
        return new VendorWebhook(FakeConnector.ID, chargeId, fields.get("orderId"), event, fields.get("refundId"), null);
    }

    @Override
    public ClaimCheck check(VendorWebhook claim, VendorPayment found) {
        if (claim.orderId() != null && !claim.orderId().equals(found.orderId())) {
            return ClaimCheck.contradicted("the charge has another order id");
        }
        return switch (claim.claimedStatus()) {
            case "charge.paid" -> found.status() == PaymentStatus.FAILED
                    ? ClaimCheck.contradicted("the charge was declined") : ClaimCheck.consistent();
            case "charge.refunded" -> found.cancellations().stream()
                    .anyMatch(c -> c.cancellationId().equals(claim.cancellationId()))
                    ? ClaimCheck.consistent() : ClaimCheck.notShownYet("the charge does not show that refund yet");
            default -> ClaimCheck.contradicted("unknown event " + claim.claimedStatus());
        };
    }

    @Override
    public IpAllowList sources() {
        return sources;
    }

    @Override
    public String refuseSignature(Function<String, String> header, byte[] rawBody) {
        if (secret == null) {
            return null;
        }
        String given = header.apply(SIGNATURE_HEADER);
        byte[] expected = sign(secret, rawBody).getBytes(StandardCharsets.UTF_8);
        return given != null && MessageDigest.isEqual(expected, given.trim().getBytes(StandardCharsets.UTF_8))
                ? null : SIGNATURE_HEADER;
    }

    @Override
    public Set<String> secretHeaders() {
        return Set.of(SIGNATURE_HEADER.toLowerCase());
    }

    static String sign(String secret, byte[] body) {
        return sign(secret.getBytes(StandardCharsets.UTF_8), body);
    }

    private static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
