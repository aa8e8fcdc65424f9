package paybridge.connector.steppay;

import java.util.List;
import java.util.Map;
import java.util.Set;

import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.connector.ClaimCheck;
import paybridge.connector.VendorWebhook;
import paybridge.connector.WebhookFields;
import paybridge.connector.WebhookRules;
import paybridge.connector.IpAllowList;
import paybridge.Settings;

/**
 * Steppay self-payment webhooks (VENDORS.md): {@code {webHookType, orderId, idKey}} as JSON or form.
 * Unauthenticated (the v2 signature is checked at intake when a secret is set): the receipt looked
 * up by {@code idKey} decides; {@link #check} compares the claimed type with it.
 */
public final class SteppayWebhooks implements WebhookRules {
    public static final String VENDOR = "steppay";

    private final IpAllowList sources;
    private final List<SteppaySignature> signatures;

    /**
     * {@code paybridge.steppay.webhook-ips} and {@code paybridge.steppay.webhook-secret} (unset: no
     * signature check; set: every delivery must carry a valid {@value SteppaySignature#HEADER}). Several
     * secrets, comma-separated, are each accepted: a rotation adds the new one before the vendor signs with
     * it, so no delivery is refused (and lost: a refused delivery is not stored) while nodes restart.
     */
    public SteppayWebhooks(Settings settings) {
        this.sources = IpAllowList.parse(settings.get("paybridge.steppay.webhook-ips", ""));
        List<SteppaySignature> secrets = new java.util.ArrayList<>();
        for (String secret : settings.get("paybridge.steppay.webhook-secret", "").split(",")) {
            if (!secret.isBlank()) {
                secrets.add(new SteppaySignature(secret.trim()));
            }
        }
        this.signatures = List.copyOf(secrets);
    }

    @Override
    public IpAllowList sources() {
        return sources;
    }

    @Override
    public String refuseSignature(java.util.function.Function<String, String> header, byte[] rawBody) {
        if (signatures.isEmpty()) {
            return null;
        }
        String signed = header.apply(SteppaySignature.HEADER);
        return signatures.stream().anyMatch(s -> s.verify(signed, rawBody)) ? null : SteppaySignature.HEADER;
    }

    /** Steppay's signature and the API credentials its documents name (Secret-Token, or Secret-Key in the refund page). */
    @Override
    public Set<String> secretHeaders() {
        return Set.of("steppay-signature", "secret-token", "secret-key");
    }

    /** Whether deliveries must be signed (a secret is set). */
    @Override
    public boolean signed() {
        return !signatures.isEmpty();
    }

    @Override
    public VendorWebhook parse(Map<String, String> fields) {
        String idKey = WebhookFields.reference(fields, "idKey", SteppayRequests.ID_KEY);
        return new VendorWebhook(VENDOR, idKey, WebhookFields.optional(fields, "orderId", 40),
                WebhookFields.optional(fields, "webHookType", 40), null, WebhookFields.amount(fields, "amount"));
    }

    /**
     * How the claimed {@code webHookType} compares with the receipt. A type the receipt does not
     * show yet but can still reach (a payment while the virtual account still waits for its
     * deposit, a cancel before the receipt shows it) is {@link ClaimCheck#notShownYet}.
     */
    @Override
    public ClaimCheck check(VendorWebhook claim, VendorPayment found) {
        if (claim.claimedAmount() != null && claim.claimedAmount() != found.amount()) {
            return ClaimCheck.contradicted("amount in the webhook differs from the vendor's record");
        }
        String type = claim.claimedStatus();
        if (type == null) {
            return ClaimCheck.consistent();
        }
        PaymentStatus s = found.status();
        boolean paidOnce = s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.CANCELLED;
        boolean awaiting = s == PaymentStatus.AWAITING_DEPOSIT;
        Boolean shown = switch (type) {
            case "PAYMENT", "CMS", "BILLKEY" -> paidOnce;
            // FAILED: a virtual account closed unpaid (CANCELED, never paid) is past its issue too
            case "VBANK" -> awaiting || paidOnce || s == PaymentStatus.FAILED;
            case "CANCELED" -> found.cancelledAmount() > 0 || s == PaymentStatus.CANCELLED
                    || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.FAILED;
            case "USER_CANCELED" -> s == PaymentStatus.ABANDONED;
            case "FAILED" -> s == PaymentStatus.FAILED;
            default -> null;
        };
        if (shown == null) {
            return ClaimCheck.contradicted("unknown Steppay webHookType '" + type + "'");
        }
        if (shown) {
            return ClaimCheck.consistent();
        }
        // what a receipt can still become: a waiting deposit is paid, cancelled, abandoned or failed;
        // a paid payment is cancelled. Anything else would take the payment backwards.
        boolean reachable = switch (type) {
            case "PAYMENT", "CMS", "BILLKEY", "USER_CANCELED", "FAILED" -> awaiting;
            case "CANCELED" -> awaiting || s == PaymentStatus.PAID;
            default -> false;
        };
        String why = "webHookType '" + type + "' " + (reachable ? "is not shown yet by" : "contradicts")
                + " the vendor's record (" + s + ")";
        return reachable ? ClaimCheck.notShownYet(why) : ClaimCheck.contradicted(why);
    }
}
