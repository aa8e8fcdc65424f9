package paybridge.vendor.steppay;

import java.util.Map;

import paybridge.canonical.PaymentStatus;
import paybridge.vendor.VendorPayment;
import paybridge.webhooks.VendorWebhook;
import paybridge.webhooks.WebhookBody;

/**
 * Steppay self-payment webhooks (VENDORS.md): {@code {webHookType, orderId, idKey}} as JSON or form.
 * Unauthenticated (the v2 signature is checked at intake when a secret is set): the receipt looked
 * up by {@code idKey} decides; {@link #contradiction} compares the claimed type with it.
 */
public final class SteppayWebhooks {
    public static final String VENDOR = "steppay";

    private SteppayWebhooks() {
    }

    public static VendorWebhook parse(Map<String, String> fields) {
        String idKey = WebhookBody.required(fields, "idKey", 100);
        return new VendorWebhook(VENDOR, idKey, WebhookBody.optional(fields, "orderId", 40),
                WebhookBody.optional(fields, "webHookType", 40), null, WebhookBody.amount(fields, "amount"));
    }

    /** Why the claimed {@code webHookType} cannot be true of the receipt, or null when it can. */
    public static String contradiction(VendorWebhook claim, VendorPayment found) {
        if (claim.claimedAmount() != null && claim.claimedAmount() != found.amount()) {
            return "amount in the webhook differs from the vendor's record";
        }
        String type = claim.claimedStatus();
        if (type == null) {
            return null;
        }
        PaymentStatus s = found.status();
        boolean paidOnce = s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.CANCELLED;
        Boolean ok = switch (type) {
            case "PAYMENT", "CMS", "BILLKEY" -> paidOnce;
            case "VBANK" -> s == PaymentStatus.AWAITING_DEPOSIT || paidOnce;
            case "CANCELED" -> found.cancelledAmount() > 0 || s == PaymentStatus.CANCELLED || s == PaymentStatus.PARTIALLY_REFUNDED;
            case "USER_CANCELED" -> s == PaymentStatus.ABANDONED;
            case "FAILED" -> s == PaymentStatus.FAILED;
            default -> null;
        };
        if (ok == null) {
            return "unknown Steppay webHookType '" + type + "'";
        }
        return ok ? null : "webHookType '" + type + "' contradicts the vendor's record (" + s + ")";
    }
}
