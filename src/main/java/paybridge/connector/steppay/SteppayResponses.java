package paybridge.connector.steppay;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.SendFailures;
import paybridge.connector.http.Transport;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorJson.BadResponseException;
import paybridge.connector.http.VendorReply;

/**
 * Steppay answers → canonical outcomes. A 4xx carrying Steppay's error shape
 * {@code {traceId, errorCode, errorMessage, details}} is the vendor's business answer: FAILED with
 * its errorCode — a 403 too (VENDORS.md: errors come as 400/403 in that shape), unless its errorCode
 * is about our credentials ({@link #isCredentialError}). 401, and a 403 without a business errorCode,
 * are our credentials (NOT_ATTEMPTED); 5xx may have charged (UNKNOWN).
 */
public final class SteppayResponses {
    public static final String VENDOR = "steppay";

    private SteppayResponses() {
    }

    /**
     * The billing answer is undocumented. When it carries a payment ({@code idKey} +
     * {@code paymentStatus}) it decides; an empty or unrecognised 200 is PENDING — Steppay accepted
     * the charge and its webhook or a receipt lookup will say how it ended.
     *
     * @param idKeyUsed the billing key charged: reported as the outcome's billingKey
     */
    public static ChargeOutcome billing(VendorReply reply, String idKeyUsed) {
        Error declined = businessForbidden(reply);
        if (declined != null) {
            return ChargeOutcome.failed(null, idKeyUsed, declined.code(), declined.message());
        }
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            ChargeOutcome o = Transport.charge(verdict);
            return new ChargeOutcome(o.status(), null, idKeyUsed, o.failure());
        }
        if (reply.status() >= 400) {
            return rejected(reply, idKeyUsed);
        }
        if (reply.status() < 200 || reply.status() >= 300) {
            return new ChargeOutcome(paybridge.connector.ChargeStatus.UNKNOWN, null, idKeyUsed,
                    new paybridge.canonical.Failure(SendFailures.VENDOR_BAD_RESPONSE, "Unexpected HTTP " + reply.status()));
        }
        JsonNode body;
        try {
            body = VendorJson.readObject(reply.body());
        } catch (BadResponseException e) {
            body = null; // accepted (2xx) but unreadable: as unrecognised
        }
        String newIdKey = VendorJson.text(body, "idKey");
        String status = VendorJson.text(body, "paymentStatus");
        if (newIdKey == null || status == null) {
            return ChargeOutcome.pending(null, idKeyUsed);
        }
        if (newIdKey.equals(idKeyUsed)) {
            // the answer names the payment the billing key came from (its idKey), not a new one: the body is
            // not documented, and that reference belongs to another payment. Nothing to record it under;
            // left open for this payment's webhook (its own idKey) or an operator
            return ChargeOutcome.pending(null, idKeyUsed);
        }
        return switch (status) {
            case "COMPLETE" -> ChargeOutcome.paid(newIdKey, idKeyUsed);
            case "FAILED" -> ChargeOutcome.failed(newIdKey, idKeyUsed, "STEPPAY_FAILED", "Steppay reports the payment FAILED");
            case "VIRTUAL_BANK_STANDBY" -> ChargeOutcome.awaitingDeposit(newIdKey, idKeyUsed);
            default -> ChargeOutcome.pending(newIdKey, idKeyUsed);
        };
    }

    private static ChargeOutcome rejected(VendorReply reply, String idKeyUsed) {
        Error error = error(reply);
        if (error != null) {
            return ChargeOutcome.failed(null, idKeyUsed, error.code(), error.message());
        }
        // a 4xx without Steppay's error shape (a proxy, a wrong base URL): not processed as a charge
        return new ChargeOutcome(paybridge.connector.ChargeStatus.NOT_ATTEMPTED, null, idKeyUsed,
                new paybridge.canonical.Failure("VENDOR_HTTP_" + reply.status(), "HTTP " + reply.status()
                        + " without a Steppay error body"));
    }

    /**
     * {@code /api/internal/payment/cancel}: refundedNow = {@code response.cancelPayment.canceledAmount},
     * cancellationId = {@code response.cancelPayment.tid} (each cancel has its own PG transaction id).
     * Steppay does not report the payment's cumulative refund here: refundedTotal is filled in
     * afterwards by {@link #withTotal}; until then it is {@code -1}.
     */
    public static RefundOutcome refund(VendorReply reply) {
        Error declined = businessForbidden(reply);
        if (declined != null) {
            return RefundOutcome.failed(declined.code(), declined.message());
        }
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            return Transport.refund(verdict);
        }
        if (reply.status() >= 400) {
            Error error = error(reply);
            return error != null ? RefundOutcome.failed(error.code(), error.message())
                    : RefundOutcome.notAttempted("VENDOR_HTTP_" + reply.status(), "HTTP " + reply.status()
                            + " without a Steppay error body");
        }
        try {
            JsonNode body = VendorJson.readObject(reply.body());
            JsonNode cancel = body == null ? null : body.path("response").get("cancelPayment");
            if (reply.status() != 200 || cancel == null || !cancel.isObject()) {
                throw new BadResponseException("no cancelPayment in the answer");
            }
            String state = VendorJson.text(cancel, "paymentStatus");
            if ("CANCEL_PROGRESS".equals(state) || "CANCELED_FAIL".equals(state)) {
                // accepted, not returned (yet): a virtual-account refund settles later, and a failed cancel
                // returned nothing. Left open: reconcile-refunds decides from the receipt once it can
                return RefundOutcome.unknown("STEPPAY_" + state, "Steppay's cancel is " + state
                        + ": nothing returned yet");
            }
            long now = VendorJson.requiredMoney(cancel, "canceledAmount");
            return RefundOutcome.refunded(now, -1, VendorJson.text(cancel, "tid"));
        } catch (BadResponseException e) {
            return RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable Steppay cancel answer: " + e.getMessage());
        }
    }

    /**
     * The payment's cumulative refund after a cancel, from the receipt looked up right after it, and
     * how the ledger must key the return so that a webhook verified by the same receipt makes the same
     * entry (the webhook knows only what the receipt shows):
     * <ul>
     * <li>the receipt's {@code cancelHistory} lists this cancel's {@code tid}: keyed by the tid, the
     *     total is the history's running sum through it;</li>
     * <li>the receipt carries no {@code cancelHistory} at all: keyed by the cumulative total (the
     *     receipt's {@code canceledAmount}, else {@code (amount − remainingBefore) + refundedNow}), as
     *     the webhook keys a history-less receipt;</li>
     * <li>a history without this tid yet, or no receipt: keyed by the tid (a history-bearing receipt
     *     will list it), the total {@code -1} when unknown: the caller's ledger decides.</li>
     * </ul>
     */
    public static RefundOutcome withTotal(RefundOutcome outcome, VendorPayment receipt, long remainingBefore) {
        if (outcome.status() != paybridge.connector.RefundOutcomeStatus.REFUNDED) {
            return outcome;
        }
        String tid = outcome.cancellationId();
        if (receipt == null || !receipt.found()) {
            return RefundOutcome.refunded(outcome.refundedNow(), -1, tid);
        }
        if (receipt.cancellations().isEmpty()) {
            long total = receipt.cancelledAmount() > 0 ? receipt.cancelledAmount()
                    : receipt.amount() > 0 ? (receipt.amount() - remainingBefore) + outcome.refundedNow() : -1;
            return RefundOutcome.refundedKeyedByTotal(outcome.refundedNow(), total, tid);
        }
        for (VendorPayment.Cancellation c : receipt.returnsOldestFirst()) {
            if (tid != null && tid.equals(c.cancellationId())) {
                // -1 when another cancel has its second (Steppay's times are whole seconds)
                return RefundOutcome.refunded(outcome.refundedNow(), receipt.returnedThrough(c), tid);
            }
        }
        return RefundOutcome.refunded(outcome.refundedNow(), -1, tid);
    }

    /**
     * {@code /api/payment/receipt/{idKey}}: Steppay's 404 (its error shape, with an {@code errorCode}) is
     * not found; any other 404 (a wrong base URL, a proxy's page) and no answer after the retries are
     * unavailable: a genuine webhook is never rejected on them.
     */
    public static VendorPayment lookup(VendorReply reply) {
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            throw new VendorUnavailableException("Steppay lookup failed: " + verdict.failure().code() + " "
                    + verdict.failure().message(), reply == null ? null : reply.error());
        }
        try {
            JsonNode body = VendorJson.readObject(reply.body());
            if (reply.status() == 404) {
                if (body != null && body.path("errorCode").isTextual()) {
                    return VendorPayment.notFound(VENDOR);
                }
                throw new BadResponseException("HTTP 404 that is not Steppay's answer");
            }
            if (reply.status() != 200 || body == null) {
                throw new BadResponseException("HTTP " + reply.status());
            }
            return receipt(body);
        } catch (BadResponseException e) {
            throw new VendorUnavailableException("Steppay receipt unusable: " + e.getMessage(), null);
        }
    }

    /**
     * A receipt. Status: COMPLETE → PAID, PARTIAL_CANCELED → PARTIALLY_REFUNDED, CANCELED →
     * CANCELLED (FAILED when it was never paid: no {@code paymentDate}, nothing returned, no cancel in its
     * history: a virtual account closed before its deposit), FAILED → FAILED, USER_CANCELED → ABANDONED, VIRTUAL_BANK_STANDBY →
     * AWAITING_DEPOSIT, STANDBY and CMS_STANDBY → PENDING (not finished: money not taken yet).
     * CANCEL_PROGRESS and CANCELED_FAIL are a paid payment whose cancel is under way or failed:
     * the money is still with the merchant, so PAID (PARTIALLY_REFUNDED when part was already
     * returned); the cancel's own outcome arrives by webhook.
     */
    public static VendorPayment receipt(JsonNode r) {
        String idKey = VendorJson.text(r, "idKey");
        String status = VendorJson.text(r, "paymentStatus");
        if (idKey == null || status == null) {
            throw new BadResponseException("receipt without idKey or paymentStatus");
        }
        long amount = VendorJson.money(r, "amount", 0);
        long cancelled = VendorJson.money(r, "canceledAmount", 0);
        List<VendorPayment.Cancellation> history = new ArrayList<>();
        JsonNode h = r.get("cancelHistory");
        if (h != null && h.isArray()) {
            for (JsonNode c : h) {
                history.add(new VendorPayment.Cancellation(VendorJson.text(c, "tid"),
                        VendorJson.money(c, "canceledAmount", 0), VendorJson.isoInstant(c, "canceledDate")));
            }
        }
        PaymentStatus canonical = switch (status) {
            case "COMPLETE" -> PaymentStatus.PAID;
            case "PARTIAL_CANCELED" -> PaymentStatus.PARTIALLY_REFUNDED;
            // a virtual account closed before any deposit is CANCELED too: never paid, nothing returned.
            // Read as a payment cancelled after paying, it would be a deposit that never came
            case "CANCELED" -> VendorJson.isoInstant(r, "paymentDate") == null && cancelled == 0
                    && history.isEmpty() ? PaymentStatus.FAILED : PaymentStatus.CANCELLED;
            case "FAILED" -> PaymentStatus.FAILED;
            case "USER_CANCELED" -> PaymentStatus.ABANDONED;
            case "VIRTUAL_BANK_STANDBY" -> PaymentStatus.AWAITING_DEPOSIT;
            case "STANDBY", "CMS_STANDBY" -> PaymentStatus.PENDING;
            case "CANCEL_PROGRESS", "CANCELED_FAIL" -> cancelled > 0 ? PaymentStatus.PARTIALLY_REFUNDED : PaymentStatus.PAID;
            default -> throw new BadResponseException("Unknown Steppay paymentStatus " + status);
        };
        String method = VendorJson.text(r, "paymentMethod");
        return new VendorPayment(true, VENDOR, idKey, VendorJson.text(r, "partnerOrderId"), canonical, amount,
                cancelled, List.copyOf(history), method != null && method.endsWith("_BILL") ? idKey : null,
                canonical != PaymentStatus.FAILED ? null
                        : "CANCELED".equals(status) ? "cancelled before it was paid" : "Steppay reports the payment FAILED",
                VendorJson.isoInstant(r, "paymentDate"), "CANCEL_PROGRESS".equals(status));
    }

    /**
     * A 403 in Steppay's error shape whose errorCode is a business answer (not about our credentials):
     * the vendor looked at the payment and refused it. Null for anything else.
     */
    static Error businessForbidden(VendorReply reply) {
        if (reply == null || reply.failed() || reply.status() != 403) {
            return null;
        }
        Error error = error(reply);
        return error == null || isCredentialError(error.code()) ? null : error;
    }

    /**
     * Whether an errorCode is about paybridge's credentials or access (Steppay publishes no catalogue):
     * one naming a token, secret, API key, authentication/authorization, permission, access or source
     * IP — e.g. the {@code INVALID_SECRET_TOKEN} a wrong Secret-Token gets. Such a call was refused
     * before the payment was looked at: not attempted, safe to send again.
     */
    static boolean isCredentialError(String code) {
        String c = code.toUpperCase(java.util.Locale.ROOT);
        if (c.contains("TOKEN") || c.contains("SECRET") || c.contains("API_KEY") || c.contains("APIKEY")
                || c.contains("AUTH") || c.contains("CREDENTIAL") || c.contains("PERMISSION")
                || c.contains("FORBIDDEN") || c.contains("ACCESS_DENIED")) {
            return true;
        }
        for (String word : c.split("[^A-Z0-9]+")) {
            if (word.equals("IP") || word.equals("DENIED")) {
                return true;
            }
        }
        return false;
    }

    /** Steppay's error shape, when the body has one. */
    record Error(String code, String message) {
    }

    static Error error(VendorReply reply) {
        try {
            JsonNode body = VendorJson.readObject(reply.body());
            String code = VendorJson.text(body, "errorCode");
            if (code == null) {
                return null;
            }
            String message = VendorJson.text(body, "errorMessage");
            return new Error(code, message == null ? "HTTP " + reply.status() : message);
        } catch (BadResponseException e) {
            return null;
        }
    }
}
