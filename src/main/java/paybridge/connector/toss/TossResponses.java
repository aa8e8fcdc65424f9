package paybridge.connector.toss;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.BillingKeyOutcome;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.SendFailures;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorJson.BadResponseException;
import paybridge.connector.http.VendorReply;

/**
 * Toss answers → canonical outcomes. Toss answers a request with the Payment (or Billing) object on
 * 200, and with an HTTP 4xx/5xx and {@code {code, message}} otherwise (TOSS.md, "Errors"): the code,
 * through {@link TossDeclines}, says whether the answer is a decline, our own fault or an order that
 * may exist after all. An answer without Toss's shape is not Toss's answer.
 */
public final class TossResponses {
    public static final String VENDOR = "toss";
    /** A Toss error answer without a code: the lookup would say more. */
    static final String NO_CODE = "TOSS_NO_CODE";

    private static final Logger LOG = LoggerFactory.getLogger(TossResponses.class);

    private TossResponses() {
    }

    /** How a reply ended, before what it means for a charge, a cancel or a billing key. */
    enum Ending {
        /** Toss's 2xx answer, in {@code body}. */
        ANSWERED,
        /** Nothing was processed: the request never left, our credentials were refused, or Toss turned it away unread (429). */
        NOT_PROCESSED,
        /** The request may have been processed: no answer after it left, or a 5xx. Ask again with the same key. */
        LOST,
        /** A Toss error answer about the request ({@code code}, {@code message}). */
        REFUSED
    }

    /** One reply, sorted. {@code code}/{@code message}: Toss's error, or paybridge's reason. */
    record Reply(Ending ending, int status, JsonNode body, String code, String message) {
        Failure failure() {
            return new Failure(code, message);
        }
    }

    static Reply sort(VendorReply reply) {
        if (reply == null) {
            return new Reply(Ending.LOST, 0, null, SendFailures.VENDOR_CONNECTION_LOST, "No reply was recorded");
        }
        if (reply.failed()) {
            Failure f = SendFailures.failureOf(reply.error());
            return new Reply(reply.notSent() ? Ending.NOT_PROCESSED : Ending.LOST, 0, null, f.code(), f.message());
        }
        int status = reply.status();
        JsonNode body;
        try {
            body = VendorJson.readObject(reply.body());
        } catch (BadResponseException e) {
            body = null;
        }
        String code = VendorJson.text(body, "code");
        String message = VendorJson.text(body, "message");
        if (status >= 500) {
            return new Reply(Ending.LOST, status, body, code == null ? SendFailures.VENDOR_5XX : code,
                    "Toss answered HTTP " + status + (message == null ? "" : " (" + message + ")")
                            + "; the request may have been processed");
        }
        if (status >= 200 && status < 300) {
            if (body == null) {
                return new Reply(Ending.LOST, status, null, SendFailures.VENDOR_BAD_RESPONSE,
                        "Toss answered HTTP " + status + " without a readable body");
            }
            return new Reply(Ending.ANSWERED, status, body, null, null);
        }
        if (code == null) {
            // not Toss's error shape (a proxy, a wrong base URL): the request was not processed as ours
            boolean auth = status == 401 || status == 403;
            return new Reply(Ending.NOT_PROCESSED, status, body, auth ? SendFailures.VENDOR_AUTH_REJECTED : "VENDOR_HTTP_" + status,
                    "HTTP " + status + " without a Toss error body; nothing was processed");
        }
        if (status == 401 || TossDeclines.kindOf(code) == TossDeclines.Kind.CREDENTIALS) {
            return new Reply(Ending.NOT_PROCESSED, status, body, SendFailures.VENDOR_AUTH_REJECTED,
                    "Toss refused paybridge's secret key (" + code + "); nothing was processed");
        }
        if (status == 429) {
            return new Reply(Ending.NOT_PROCESSED, status, body, code, "Toss refused the request for now (HTTP 429: "
                    + (message == null ? code : message) + "); nothing was processed");
        }
        return new Reply(Ending.REFUSED, status, body, code, message == null ? "HTTP " + status : message);
    }

    // ---- charges

    /**
     * A billing charge's answer. {@code DONE} is PAID; a 4xx is a decline unless its code is our fault
     * (credentials: not attempted; a malformed request: FAILED and logged as a paybridge bug) or says
     * the order may exist already ({@code DUPLICATED_ORDER_ID}...: UNKNOWN, the lookup by orderId
     * decides, since a first send whose answer was lost may have charged it).
     *
     * @param billingKey the key charged: reported as the outcome's billingKey
     */
    public static ChargeOutcome charge(VendorReply reply, String billingKey, String paymentId) {
        return charge(sort(reply), billingKey, paymentId);
    }

    static ChargeOutcome charge(Reply r, String billingKey, String paymentId) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> new ChargeOutcome(ChargeStatus.NOT_ATTEMPTED, null, billingKey, r.failure());
            case LOST -> new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, r.failure());
            case REFUSED -> refusedCharge(r, billingKey, paymentId);
            case ANSWERED -> answeredCharge(r.body(), billingKey);
        };
    }

    private static ChargeOutcome refusedCharge(Reply r, String billingKey, String paymentId) {
        String code = r.code();
        String message = r.message();
        if (r.status() == 404 && !"NOT_FOUND_BILLING_KEY".equals(code)) {
            // a charge's only path parameter is the billing key: a 404 is the key unknown or deleted
            message = code + ": " + message;
            code = "NOT_FOUND_BILLING_KEY";
        }
        return switch (TossDeclines.kindOf(code)) {
            case ORDER_MAY_EXIST -> new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey,
                    new Failure(code, message + " (the order may exist at Toss: the lookup by orderId decides)"));
            case OUR_BAD_REQUEST -> {
                LOG.error("Toss refused paybridge's charge request as malformed (paymentId={} code={}): a paybridge bug,"
                        + " nothing was charged", paymentId, code);
                yield ChargeOutcome.failed(null, billingKey, code, message);
            }
            default -> ChargeOutcome.failed(null, billingKey, code, message);
        };
    }

    private static ChargeOutcome answeredCharge(JsonNode payment, String billingKey) {
        String paymentKey = VendorJson.text(payment, "paymentKey");
        String status = VendorJson.text(payment, "status");
        if (paymentKey == null || status == null) {
            return new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey,
                    new Failure(SendFailures.VENDOR_BAD_RESPONSE, "Toss answered without a payment"));
        }
        return switch (status) {
            case "DONE" -> ChargeOutcome.paid(paymentKey, billingKey);
            case "WAITING_FOR_DEPOSIT" -> ChargeOutcome.awaitingDeposit(paymentKey, billingKey);
            case "ABORTED", "EXPIRED" -> {
                JsonNode failure = payment.get("failure");
                String code = VendorJson.text(failure, "code");
                yield ChargeOutcome.failed(paymentKey, billingKey, code == null ? "TOSS_" + status : code,
                        orElse(VendorJson.text(failure, "message"), "Toss reports the payment " + status));
            }
            case "READY", "IN_PROGRESS" -> ChargeOutcome.pending(paymentKey, billingKey);
            // a charge answered cancelled is not what Toss documents: let the lookup decide
            default -> new ChargeOutcome(ChargeStatus.UNKNOWN, paymentKey, billingKey,
                    new Failure(SendFailures.VENDOR_BAD_RESPONSE, "Unexpected charge status " + status));
        };
    }

    // ---- cancels

    /**
     * A cancel's answer: the Payment after it. This cancel is the newest {@code cancels[]} entry
     * (its {@code transactionKey} is the return's id, the ledger's key for it); the total returned is
     * the sum of the entries.
     */
    public static RefundOutcome refund(VendorReply reply, long requested) {
        return refund(sort(reply), requested);
    }

    static RefundOutcome refund(Reply r, long requested) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> RefundOutcome.notAttempted(r.code(), r.message());
            case LOST -> RefundOutcome.unknown(r.code(), r.message());
            case REFUSED -> {
                if (TossDeclines.kindOf(r.code()) == TossDeclines.Kind.OUR_BAD_REQUEST) {
                    LOG.error("Toss refused paybridge's cancel request as malformed (code={}): a paybridge bug,"
                            + " nothing was returned", r.code());
                }
                yield RefundOutcome.failed(r.code(), r.message());
            }
            case ANSWERED -> {
                try {
                    VendorPayment after = payment(r.body());
                    List<VendorPayment.Cancellation> cancels = after.cancellations();
                    if (cancels.isEmpty()) {
                        throw new BadResponseException("a cancel answered without cancels[]");
                    }
                    VendorPayment.Cancellation newest = cancels.get(cancels.size() - 1);
                    yield RefundOutcome.refunded(newest.amount() > 0 ? newest.amount() : requested, after.cancelledAmount(),
                            newest.cancellationId());
                } catch (BadResponseException e) {
                    yield RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable Toss cancel answer: " + e.getMessage());
                }
            }
        };
    }

    // ---- billing keys

    /** {@code /v1/billing/authorizations/issue}: the Billing object's {@code billingKey} and card. */
    public static BillingKeyOutcome issue(VendorReply reply) {
        return issue(sort(reply));
    }

    static BillingKeyOutcome issue(Reply r) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> BillingKeyOutcome.of(BillingKeyOutcome.Status.NOT_ATTEMPTED, r.code(), r.message());
            case LOST -> BillingKeyOutcome.of(BillingKeyOutcome.Status.UNKNOWN, r.code(), r.message());
            case REFUSED -> {
                if (TossDeclines.kindOf(r.code()) == TossDeclines.Kind.OUR_BAD_REQUEST) {
                    LOG.error("Toss refused paybridge's billing-key request as malformed (code={}): a paybridge bug", r.code());
                }
                yield BillingKeyOutcome.of(BillingKeyOutcome.Status.REFUSED, r.code(), r.message());
            }
            case ANSWERED -> {
                String key = VendorJson.text(r.body(), "billingKey");
                if (key == null) {
                    yield BillingKeyOutcome.of(BillingKeyOutcome.Status.UNKNOWN, SendFailures.VENDOR_BAD_RESPONSE,
                            "Toss answered without a billingKey");
                }
                JsonNode card = r.body().get("card");
                String issuer = VendorJson.text(card, "issuerCode");
                yield BillingKeyOutcome.issued(key, VendorJson.text(card, "number"),
                        issuer != null ? issuer : VendorJson.text(card, "company"));
            }
        };
    }

    // ---- lookups

    /** {@code GET /v1/payments/{paymentKey}} or {@code /orders/{orderId}}: 404 is not found; no answer is unavailable. */
    public static VendorPayment lookup(VendorReply reply) {
        Reply r = sort(reply);
        if (r.ending() == Ending.REFUSED && r.status() == 404) {
            return VendorPayment.notFound(VENDOR);
        }
        if (r.ending() != Ending.ANSWERED) {
            throw new VendorUnavailableException("Toss lookup failed: " + r.code() + " " + r.message(),
                    reply == null ? null : reply.error());
        }
        try {
            return payment(r.body());
        } catch (BadResponseException e) {
            throw new VendorUnavailableException("Toss lookup answer unusable: " + e.getMessage(), null);
        }
    }

    /**
     * One Toss Payment object. Status: DONE → PAID; PARTIAL_CANCELED → PARTIALLY_REFUNDED; CANCELED →
     * CANCELLED; WAITING_FOR_DEPOSIT → AWAITING_DEPOSIT; ABORTED, EXPIRED → FAILED; READY, IN_PROGRESS →
     * PENDING (still open). Each {@code cancels[]} entry (a DONE one) is one return, keyed by its
     * {@code transactionKey}; the cumulative return is their sum.
     */
    public static VendorPayment payment(JsonNode p) {
        String paymentKey = VendorJson.text(p, "paymentKey");
        String status = VendorJson.text(p, "status");
        if (paymentKey == null || status == null) {
            throw new BadResponseException("payment without paymentKey or status");
        }
        long amount = VendorJson.requiredMoney(p, "totalAmount");
        List<VendorPayment.Cancellation> cancels = cancellations(p);
        long cancelled = cancels.stream().mapToLong(VendorPayment.Cancellation::amount).sum();
        PaymentStatus canonical = switch (status) {
            case "DONE" -> PaymentStatus.PAID;
            case "PARTIAL_CANCELED" -> PaymentStatus.PARTIALLY_REFUNDED;
            case "CANCELED" -> PaymentStatus.CANCELLED;
            case "WAITING_FOR_DEPOSIT" -> PaymentStatus.AWAITING_DEPOSIT;
            case "ABORTED", "EXPIRED" -> PaymentStatus.FAILED;
            case "READY", "IN_PROGRESS" -> PaymentStatus.PENDING;
            default -> throw new BadResponseException("Unknown Toss status " + status);
        };
        Instant at = VendorJson.isoInstant(p, "approvedAt");
        if (!cancels.isEmpty() && cancels.get(cancels.size() - 1).cancelledAt() != null) {
            at = canonical == PaymentStatus.PAID ? at : cancels.get(cancels.size() - 1).cancelledAt();
        }
        if (at == null) {
            at = VendorJson.isoInstant(p, "requestedAt");
        }
        JsonNode failure = p.get("failure");
        String failureReason = failure == null || failure.isNull() ? null
                : orElse(VendorJson.text(failure, "code"), "") + " " + orElse(VendorJson.text(failure, "message"), "");
        return new VendorPayment(true, VENDOR, paymentKey, VendorJson.text(p, "orderId"), canonical, amount, cancelled,
                cancels, null, canonical == PaymentStatus.FAILED ? orElse(failureReason == null ? null : failureReason.trim(),
                "Toss reports the payment " + status) : null, at);
    }

    /** The {@code cancels[]} entries that returned money ({@code cancelStatus} DONE or absent), oldest first. */
    static List<VendorPayment.Cancellation> cancellations(JsonNode payment) {
        List<VendorPayment.Cancellation> list = new ArrayList<>();
        JsonNode cancels = payment.get("cancels");
        if (cancels != null && cancels.isArray()) {
            for (JsonNode c : cancels) {
                String state = VendorJson.text(c, "cancelStatus");
                if (state != null && !"DONE".equals(state)) {
                    continue;
                }
                list.add(new VendorPayment.Cancellation(VendorJson.text(c, "transactionKey"),
                        VendorJson.requiredMoney(c, "cancelAmount"), VendorJson.isoInstant(c, "canceledAt")));
            }
        }
        return List.copyOf(list);
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
