package paybridge.connector.iamport;

import java.util.Map;
import java.util.Set;

import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.connector.ClaimCheck;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.VendorWebhook;
import paybridge.connector.WebhookFields;
import paybridge.connector.WebhookRules;
import paybridge.connector.IpAllowList;
import paybridge.Settings;

/**
 * iamport v1 webhooks ("Notification URL", VENDORS.md): {@code {imp_uid, merchant_uid, status,
 * cancellation_id?}} as JSON or form. Unsigned: {@link #check} compares the claim with the
 * looked-up payment; the lookup decides the event.
 */
public final class IamportWebhooks implements WebhookRules {
    public static final String VENDOR = "iamport";
    private static final Set<String> STATUSES = Set.of("paid", "ready", "cancelled", "failed");

    private final IpAllowList sources;

    /** {@code paybridge.iamport.webhook-ips}: iamport does not sign its webhooks, so only the source is checked here. */
    public IamportWebhooks(Settings settings) {
        this.sources = IpAllowList.parse(settings.get("paybridge.iamport.webhook-ips", ""));
    }

    @Override
    public IpAllowList sources() {
        return sources;
    }

    @Override
    public String refuseSignature(java.util.function.Function<String, String> header, byte[] rawBody) {
        return null; // unsigned: the lookup at the vendor is what is believed
    }

    @Override
    public Set<String> secretHeaders() {
        return Set.of();
    }

    @Override
    public VendorWebhook parse(Map<String, String> fields) {
        String impUid = WebhookFields.reference(fields, "imp_uid", IamportRequests.PATH_ID);
        String status = WebhookFields.optional(fields, "status", 40);
        return new VendorWebhook(VENDOR, impUid, WebhookFields.optional(fields, "merchant_uid", 100), status,
                WebhookFields.optional(fields, "cancellation_id", 100), WebhookFields.amount(fields, "amount"));
    }

    /**
     * How the webhook's claim compares with the looked-up payment. A stale claim (a {@code paid}
     * arriving after the cancel) is consistent: the payment was paid. A claim the record does not
     * show yet but can still reach (a {@code paid} while the virtual account still says
     * {@code ready}, a {@code cancelled} before the record shows the cancel) is
     * {@link ClaimCheck#notShownYet}: iamport's lookup may lag behind its own notification.
     */
    @Override
    public ClaimCheck check(VendorWebhook claim, VendorPayment found) {
        if (claim.orderId() != null && !claim.orderId().equals(found.orderId())) {
            return ClaimCheck.contradicted("merchant_uid in the webhook differs from the vendor's record");
        }
        if (claim.claimedAmount() != null && claim.claimedAmount() != found.amount()) {
            return ClaimCheck.contradicted("amount in the webhook differs from the vendor's record");
        }
        String status = claim.claimedStatus();
        if (status != null && !STATUSES.contains(status)) {
            return ClaimCheck.contradicted("unknown iamport status '" + status + "'");
        }
        PaymentStatus s = found.status();
        boolean paidOnce = s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.CANCELLED;
        boolean awaiting = s == PaymentStatus.AWAITING_DEPOSIT;
        if (status != null) {
            boolean shown = switch (status) {
                case "paid" -> paidOnce;
                // FAILED: a virtual account closed unpaid (cancelled, never paid) is past ready too
                case "ready" -> awaiting || paidOnce || s == PaymentStatus.FAILED;
                case "cancelled" -> found.cancelledAmount() > 0 || s == PaymentStatus.CANCELLED || s == PaymentStatus.FAILED;
                case "failed" -> s == PaymentStatus.FAILED;
                default -> false;
            };
            // what a record can still become: an awaiting deposit is paid, cancelled or failed; a
            // paid one is cancelled. Anything else would take the payment backwards.
            boolean reachable = switch (status) {
                case "paid", "failed" -> awaiting;
                case "cancelled" -> awaiting || s == PaymentStatus.PAID;
                default -> false;
            };
            if (!shown) {
                String why = "webhook status '" + status + "' " + (reachable ? "is not shown yet by" : "contradicts")
                        + " the vendor's record (" + s + ")";
                return reachable ? ClaimCheck.notShownYet(why) : ClaimCheck.contradicted(why);
            }
        }
        if (claim.cancellationId() != null
                && found.cancellations().stream().noneMatch(c -> claim.cancellationId().equals(c.cancellationId()))) {
            String why = "cancellation_id in the webhook is not in the vendor's cancel history";
            // a paid payment's history may not list a fresh cancel yet
            return paidOnce && s != PaymentStatus.CANCELLED ? ClaimCheck.notShownYet(why + " yet") : ClaimCheck.contradicted(why);
        }
        return ClaimCheck.consistent();
    }
}
