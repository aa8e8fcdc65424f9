package paybridge.vendor.steppay;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.PaymentStatus;
import paybridge.vendor.ChargeOutcome;
import paybridge.vendor.RefundOutcome;
import paybridge.vendor.VendorPayment;
import paybridge.vendor.VendorUnavailableException;
import paybridge.vendor.http.SendFailures;
import paybridge.vendor.http.Transport;
import paybridge.vendor.http.VendorJson;
import paybridge.vendor.http.VendorJson.BadResponseException;
import paybridge.vendor.http.VendorReply;

/**
 * Steppay answers → canonical outcomes. A 4xx carrying Steppay's error shape
 * {@code {traceId, errorCode, errorMessage, details}} is the vendor's business answer: FAILED with
 * its errorCode. 401/403 are our credentials (NOT_ATTEMPTED), 5xx may have charged (UNKNOWN).
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
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            ChargeOutcome o = Transport.charge(verdict);
            return new ChargeOutcome(o.status(), null, idKeyUsed, o.failure());
        }
        if (reply.status() >= 400) {
            return rejected(reply, idKeyUsed);
        }
        if (reply.status() < 200 || reply.status() >= 300) {
            return new ChargeOutcome(paybridge.vendor.ChargeStatus.UNKNOWN, null, idKeyUsed,
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
        return new ChargeOutcome(paybridge.vendor.ChargeStatus.NOT_ATTEMPTED, null, idKeyUsed,
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
            long now = VendorJson.requiredMoney(cancel, "canceledAmount");
            return RefundOutcome.refunded(now, -1, VendorJson.text(cancel, "tid"));
        } catch (BadResponseException e) {
            return RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable Steppay cancel answer: " + e.getMessage());
        }
    }

    /**
     * The payment's cumulative refund after a cancel. Preferably the receipt's own
     * {@code canceledAmount} (looked up right after the cancel); else
     * {@code (amount − remainingBefore) + refundedNow} from the receipt's {@code amount}; if the
     * receipt could not be read either, {@code -1}: not known, the caller's ledger must decide.
     */
    public static RefundOutcome withTotal(RefundOutcome outcome, VendorPayment receipt, long remainingBefore) {
        if (outcome.status() != paybridge.vendor.RefundOutcomeStatus.REFUNDED) {
            return outcome;
        }
        long total = -1;
        if (receipt != null && receipt.found()) {
            total = receipt.cancelledAmount() > 0 ? receipt.cancelledAmount()
                    : receipt.amount() > 0 ? (receipt.amount() - remainingBefore) + outcome.refundedNow() : -1;
        }
        return RefundOutcome.refunded(outcome.refundedNow(), total, outcome.cancellationId());
    }

    /** {@code /api/payment/receipt/{idKey}}: 404 is not found; no answer after the retries is unavailable. */
    public static VendorPayment lookup(VendorReply reply) {
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            throw new VendorUnavailableException("Steppay lookup failed: " + verdict.failure().code() + " "
                    + verdict.failure().message(), reply == null ? null : reply.error());
        }
        if (reply.status() == 404) {
            return VendorPayment.notFound(VENDOR);
        }
        try {
            JsonNode body = VendorJson.readObject(reply.body());
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
     * CANCELLED, FAILED → FAILED, USER_CANCELED → ABANDONED, VIRTUAL_BANK_STANDBY →
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
        PaymentStatus canonical = switch (status) {
            case "COMPLETE" -> PaymentStatus.PAID;
            case "PARTIAL_CANCELED" -> PaymentStatus.PARTIALLY_REFUNDED;
            case "CANCELED" -> PaymentStatus.CANCELLED;
            case "FAILED" -> PaymentStatus.FAILED;
            case "USER_CANCELED" -> PaymentStatus.ABANDONED;
            case "VIRTUAL_BANK_STANDBY" -> PaymentStatus.AWAITING_DEPOSIT;
            case "STANDBY", "CMS_STANDBY" -> PaymentStatus.PENDING;
            case "CANCEL_PROGRESS", "CANCELED_FAIL" -> cancelled > 0 ? PaymentStatus.PARTIALLY_REFUNDED : PaymentStatus.PAID;
            default -> throw new BadResponseException("Unknown Steppay paymentStatus " + status);
        };
        String method = VendorJson.text(r, "paymentMethod");
        List<VendorPayment.Cancellation> history = new ArrayList<>();
        JsonNode h = r.get("cancelHistory");
        if (h != null && h.isArray()) {
            for (JsonNode c : h) {
                history.add(new VendorPayment.Cancellation(VendorJson.text(c, "tid"),
                        VendorJson.money(c, "canceledAmount", 0), VendorJson.isoInstant(c, "canceledDate")));
            }
        }
        return new VendorPayment(true, VENDOR, idKey, VendorJson.text(r, "partnerOrderId"), canonical, amount,
                cancelled, List.copyOf(history), method != null && method.endsWith("_BILL") ? idKey : null,
                canonical == PaymentStatus.FAILED ? "Steppay reports the payment FAILED" : null,
                VendorJson.isoInstant(r, "paymentDate"));
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
