package paybridge.connector.toss;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.Settings;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ClaimCheck;
import paybridge.connector.IpAllowList;
import paybridge.connector.MalformedWebhookException;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorWebhook;
import paybridge.connector.WebhookFields;
import paybridge.connector.WebhookRules;
import paybridge.connector.http.VendorJson;

/**
 * Toss webhooks (TOSS.md, "Webhooks"): {@code {eventType, createdAt, data: <Payment>}} as JSON.
 * Payment webhooks are not signed: the payment named by {@code data.paymentKey} is looked up and
 * decides; {@link #check} compares the body's claim (order id, amount, status, cancels) with it.
 * {@code PAYMENT_STATUS_CHANGED} and {@code DEPOSIT_CALLBACK} name a payment; a deposit callback in
 * its flat form ({@code {createdAt, secret, status, transactionKey, orderId}}) names only the order,
 * looked up by orderId ({@value #BY_ORDER} + orderId). Every other event (payouts, methods,
 * customers) is stored and finished without a lookup.
 */
public final class TossWebhooks implements WebhookRules {
    public static final String VENDOR = "toss";
    /** A reference that is an orderId, not a paymentKey: the lookup-by-reference route asks by order. */
    static final String BY_ORDER = "order:";
    /** The source addresses TOSS.md lists [doc], for {@code paybridge.toss.webhook-ips}. */
    public static final String DOCUMENTED_SOURCES = "13.124.18.147,13.124.108.35,3.36.173.151,3.38.81.32";

    private static final Set<String> PAYMENT_EVENTS = Set.of("PAYMENT_STATUS_CHANGED", "DEPOSIT_CALLBACK");
    private static final Set<String> STATUSES = Set.of("READY", "IN_PROGRESS", "WAITING_FOR_DEPOSIT", "DONE", "CANCELED",
            "PARTIAL_CANCELED", "ABORTED", "EXPIRED");

    private final IpAllowList sources;

    /** {@code paybridge.toss.webhook-ips}: empty = any source (TOSS.md lists Toss's, {@link #DOCUMENTED_SOURCES}). */
    public TossWebhooks(Settings settings) {
        this.sources = IpAllowList.parse(settings.get("paybridge.toss.webhook-ips", ""));
    }

    @Override
    public IpAllowList sources() {
        return sources;
    }

    @Override
    public String refuseSignature(Function<String, String> header, byte[] rawBody) {
        return null; // payment webhooks are unsigned: the lookup at Toss is what is believed
    }

    /** What replaces a secret in a stored body. */
    static final String NOT_STORED = "[not stored]";

    /**
     * Toss puts a {@code secret} in a deposit callback (flat form, top level) and in a virtual account's
     * Payment object ({@code data.secret}): the value that proves a callback is Toss's. paybridge proves
     * it by looking the payment up instead, so the value is never needed again and is not stored.
     */
    @Override
    public String storedBody(String contentType, String body) {
        if (body == null || !body.contains("\"secret\"")) {
            return body;
        }
        JsonNode root;
        try {
            root = VendorJson.readObject(body);
        } catch (VendorJson.BadResponseException e) {
            return body; // not JSON: parse refuses it, stored as received
        }
        boolean changed = redact(root);
        JsonNode data = root.get("data");
        if (data != null && data.isObject()) {
            changed |= redact(data);
        }
        if (!changed) {
            return body;
        }
        try {
            return VendorJson.MAPPER.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean redact(JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object && object.has("secret")) {
            object.put("secret", NOT_STORED);
            return true;
        }
        return false;
    }

    /** The signature header of Toss's payout webhooks: never stored. */
    @Override
    public Set<String> secretHeaders() {
        return Set.of("tosspayments-webhook-signature");
    }

    @Override
    public VendorWebhook parse(Map<String, String> fields) {
        String eventType = WebhookFields.optional(fields, "eventType", 60);
        String data = fields.get("data");
        if (eventType == null && data == null && fields.containsKey("transactionKey")) {
            // a deposit callback in its flat form: it names the order only
            String orderId = WebhookFields.required(fields, "orderId", 64);
            if (!TossRequests.ORDER_ID.matcher(orderId).matches()) {
                // looked up by it in a URL: no order id Toss issues, so nothing to look up
                throw new MalformedWebhookException("orderId", "orderId is not a Toss orderId");
            }
            return new VendorWebhook(VENDOR, BY_ORDER + orderId, orderId, WebhookFields.optional(fields, "status", 40),
                    null, null);
        }
        if (eventType == null) {
            throw new MalformedWebhookException("eventType", "missing eventType");
        }
        if (!PAYMENT_EVENTS.contains(eventType)) {
            return VendorWebhook.ignored(VENDOR, eventType);
        }
        if (data == null || data.isBlank()) {
            throw new MalformedWebhookException("data", "missing data");
        }
        JsonNode payment;
        try {
            payment = VendorJson.readObject(data);
        } catch (VendorJson.BadResponseException e) {
            throw new MalformedWebhookException("data", "data is not a JSON object");
        }
        String paymentKey = text(payment, "paymentKey", 200);
        if (paymentKey == null) {
            throw new MalformedWebhookException("data.paymentKey", "missing data.paymentKey");
        }
        if (!TossRequests.PATH_KEY.matcher(paymentKey).matches()) {
            // looked up by it in a URL path: no paymentKey Toss issues
            throw new MalformedWebhookException("data.paymentKey", "data.paymentKey is not a Toss paymentKey");
        }
        String cancellationId = null;
        JsonNode cancels = payment.get("cancels");
        if (cancels != null && cancels.isArray() && !cancels.isEmpty()) {
            cancellationId = text(cancels.get(cancels.size() - 1), "transactionKey", 200);
        }
        Long amount;
        try {
            JsonNode total = payment.get("totalAmount");
            amount = total == null || total.isNull() ? null : VendorJson.money(payment, "totalAmount", 0);
        } catch (VendorJson.BadResponseException e) {
            throw new MalformedWebhookException("data.totalAmount", "data.totalAmount is not a whole amount");
        }
        return new VendorWebhook(VENDOR, paymentKey, text(payment, "orderId", 64), text(payment, "status", 40),
                cancellationId, amount);
    }

    private static String text(JsonNode parent, String field, int max) {
        String v = VendorJson.text(parent, field);
        if (v != null && v.length() > max) {
            throw new MalformedWebhookException("data." + field, "data." + field + " longer than " + max + " characters");
        }
        return v;
    }

    /**
     * How the body's claim compares with the looked-up payment. A stale claim (a {@code DONE} arriving
     * after the cancel) is consistent: the payment was done. A claim the record does not show yet but
     * can still reach (a {@code DONE} while the virtual account still waits, a cancel before the record
     * lists it) is {@link ClaimCheck#notShownYet}.
     */
    @Override
    public ClaimCheck check(VendorWebhook claim, VendorPayment found) {
        if (claim.orderId() != null && !claim.orderId().equals(found.orderId())) {
            return ClaimCheck.contradicted("orderId in the webhook differs from Toss's record");
        }
        if (claim.claimedAmount() != null && claim.claimedAmount() != found.amount()) {
            return ClaimCheck.contradicted("totalAmount in the webhook differs from Toss's record");
        }
        String status = claim.claimedStatus();
        if (status != null && !STATUSES.contains(status)) {
            return ClaimCheck.contradicted("unknown Toss status '" + status + "'");
        }
        PaymentStatus s = found.status();
        boolean paidOnce = s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED || s == PaymentStatus.CANCELLED;
        boolean awaiting = s == PaymentStatus.AWAITING_DEPOSIT;
        if (status != null) {
            boolean shown = switch (status) {
                case "DONE" -> paidOnce;
                case "WAITING_FOR_DEPOSIT" -> awaiting || paidOnce;
                case "PARTIAL_CANCELED" -> found.cancelledAmount() > 0;
                // FAILED: a virtual account cancelled before its deposit (never approved)
                case "CANCELED" -> s == PaymentStatus.CANCELLED || s == PaymentStatus.FAILED;
                case "ABORTED", "EXPIRED" -> s == PaymentStatus.FAILED;
                default -> true; // READY, IN_PROGRESS: nothing decided is claimed
            };
            // what a record can still become: a waiting deposit is done, cancelled or expired; a done
            // payment is cancelled in part or in full. Anything else would take the payment backwards.
            boolean reachable = switch (status) {
                case "DONE", "ABORTED", "EXPIRED" -> awaiting;
                case "PARTIAL_CANCELED" -> awaiting || s == PaymentStatus.PAID;
                case "CANCELED" -> awaiting || s == PaymentStatus.PAID || s == PaymentStatus.PARTIALLY_REFUNDED;
                default -> false;
            };
            if (!shown) {
                String why = "webhook status '" + status + "' " + (reachable ? "is not shown yet by" : "contradicts")
                        + " Toss's record (" + s + ")";
                return reachable ? ClaimCheck.notShownYet(why) : ClaimCheck.contradicted(why);
            }
        }
        if (claim.cancellationId() != null
                && found.cancellations().stream().noneMatch(c -> claim.cancellationId().equals(c.cancellationId()))) {
            String why = "cancels[].transactionKey in the webhook is not in Toss's record";
            return paidOnce && s != PaymentStatus.CANCELLED ? ClaimCheck.notShownYet(why + " yet") : ClaimCheck.contradicted(why);
        }
        return ClaimCheck.consistent();
    }
}
