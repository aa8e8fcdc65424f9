package paybridge.vendor.iamport;

import java.util.Map;
import java.util.Set;

import paybridge.canonical.PaymentStatus;
import paybridge.vendor.VendorPayment;
import paybridge.webhooks.MalformedWebhookException;
import paybridge.webhooks.VendorWebhook;
import paybridge.webhooks.WebhookBody;

/**
 * iamport v1 webhooks ("Notification URL", VENDORS.md): {@code {imp_uid, merchant_uid, status,
 * cancellation_id?}} as JSON or form. Unsigned: {@link #contradiction} compares the claim with the
 * looked-up payment; the lookup decides the event.
 */
public final class IamportWebhooks {
    public static final String VENDOR = "iamport";
    private static final Set<String> STATUSES = Set.of("paid", "ready", "cancelled", "failed");

    private IamportWebhooks() {
    }

    public static VendorWebhook parse(Map<String, String> fields) {
        String impUid = WebhookBody.required(fields, "imp_uid", 100);
        String status = WebhookBody.optional(fields, "status", 40);
        return new VendorWebhook(VENDOR, impUid, WebhookBody.optional(fields, "merchant_uid", 100), status,
                WebhookBody.optional(fields, "cancellation_id", 100), WebhookBody.amount(fields, "amount"));
    }

    /**
     * Why the webhook's claim cannot be true of the looked-up payment, or null when it can. A stale
     * claim (a {@code paid} arriving after the cancel) is not a contradiction: the payment was paid.
     */
    public static String contradiction(VendorWebhook claim, VendorPayment found) {
        if (claim.orderId() != null && !claim.orderId().equals(found.orderId())) {
            return "merchant_uid in the webhook differs from the vendor's record";
        }
        if (claim.claimedAmount() != null && claim.claimedAmount() != found.amount()) {
            return "amount in the webhook differs from the vendor's record";
        }
        String status = claim.claimedStatus();
        if (status == null) {
            return null;
        }
        if (!STATUSES.contains(status)) {
            return "unknown iamport status '" + status + "'";
        }
        PaymentStatus s = found.status();
        boolean paidOnce = s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.CANCELLED;
        boolean ok = switch (status) {
            case "paid" -> paidOnce;
            case "ready" -> s == PaymentStatus.AWAITING_DEPOSIT || paidOnce;
            case "cancelled" -> found.cancelledAmount() > 0 || s == PaymentStatus.CANCELLED;
            case "failed" -> s == PaymentStatus.FAILED;
            default -> false;
        };
        if (!ok) {
            return "webhook status '" + status + "' contradicts the vendor's record (" + s + ")";
        }
        if (claim.cancellationId() != null
                && found.cancellations().stream().noneMatch(c -> claim.cancellationId().equals(c.cancellationId()))) {
            return "cancellation_id in the webhook is not in the vendor's cancel history";
        }
        return null;
    }
}
