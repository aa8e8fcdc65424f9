package paybridge.connector.toss;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStates;
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
        /**
         * The request may have been processed: no answer after it left, or a 5xx. A charge or an issuance is
         * asked again with the same key; a cancel never (a 5xx, seen or hidden by a lost answer, is not kept
         * under the key, so a re-ask would run the cancel again).
         */
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
        if (status == 404 && !TossDeclines.NOT_FOUND.contains(code)) {
            // Toss names what it did not find (NOT_FOUND_PAYMENT, NOT_FOUND_BILLING_KEY); any other 404 is
            // not about the payment or key asked for (a wrong base URL, a path Toss does not serve): the
            // vendor was not reached as intended, which concludes nothing
            return new Reply(Ending.NOT_PROCESSED, status, body, "VENDOR_HTTP_404", "Toss answered HTTP 404 " + code
                    + (message == null ? "" : " (" + message + ")")
                    + ": not the payment or billing key asked for (is paybridge.toss.base-url right?); nothing was processed");
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
     * the order may exist already ({@code DUPLICATED_ORDER_ID}...: to a re-ask after a lost answer UNKNOWN,
     * the lookup by orderId decides, since the first send may have charged it; to the first ask UNKNOWN
     * {@code ORDER_ID_IN_USE}, for an operator: see {@link PaymentStates#ORDER_ID_IN_USE}).
     *
     * @param billingKey the key charged: reported as the outcome's billingKey
     */
    public static ChargeOutcome charge(VendorReply reply, String billingKey, String paymentId, long amount) {
        return charge(reply, billingKey, paymentId, amount, false);
    }

    /** As above; {@code lostBefore}: an earlier ask of this charge had its answer lost. */
    public static ChargeOutcome charge(VendorReply reply, String billingKey, String paymentId, long amount,
            boolean lostBefore) {
        return charge(sort(reply), billingKey, paymentId, amount, lostBefore);
    }

    static ChargeOutcome charge(Reply r, String billingKey, String paymentId, long amount) {
        return charge(r, billingKey, paymentId, amount, false);
    }

    static ChargeOutcome charge(Reply r, String billingKey, String paymentId, long amount, boolean lostBefore) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> new ChargeOutcome(ChargeStatus.NOT_ATTEMPTED, null, billingKey, r.failure());
            case LOST -> new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, r.failure());
            // a refusal of a re-ask proves nothing once an earlier ask was lost: that one may have charged
            // (e.g. the key deleted in between answers NOT_FOUND_BILLING_KEY): the lookup by orderId decides
            // the charge is still being processed at Toss: in flight now, so its horizon counts again from now
            case REFUSED -> TossDeclines.STILL_PROCESSING.contains(r.code())
                    ? new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, new Failure(PaymentStates.STILL_PROCESSING,
                            "Toss answered " + r.code() + " (" + r.message() + "): the charge is still being processed"
                            + " there; the lookup by orderId decides once it can no longer be in flight"))
                    : lostBefore
                    ? new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, new Failure(r.code(), r.message()
                            + " (to a re-ask after an answer was lost: the lookup by orderId decides)"))
                    : refusedCharge(r, billingKey, paymentId);
            case ANSWERED -> answeredCharge(r.body(), billingKey, paymentId, amount);
        };
    }

    private static ChargeOutcome refusedCharge(Reply r, String billingKey, String paymentId) {
        String code = r.code();
        String message = r.message();
        if (r.status() == 404 && !"NOT_FOUND_BILLING_KEY".equals(code)) {
            // only NOT_FOUND_BILLING_KEY says the key is unknown; another 404 (NOT_FOUND_PAYMENT on a charge)
            // is not Toss's answer about this key: the vendor was not reached as intended
            return new ChargeOutcome(ChargeStatus.NOT_ATTEMPTED, null, billingKey, new Failure("VENDOR_HTTP_404",
                    "Toss answered HTTP 404 " + code + " (" + message + ") to a charge; nothing was charged"));
        }
        if (TossDeclines.ORDER_TAKEN.contains(code)) {
            // to the first ask (refusedCharge is not reached after a lost answer): a payment holds this orderId
            // at Toss. This charge's only if paybridge lost its record of an earlier send (a crash's last
            // commits, a restore: FAILED would then bill the period again); else another system's (the lookup
            // by orderId would take it for this charge: PAID without a charge). Toss's record cannot tell
            // them apart (no billing key in it): open, for an operator
            LOG.error("Toss refused the first ask of paymentId={} with {}: a payment holds this orderId at Toss, this"
                    + " charge's only if an earlier send of it was lost here, else another system's; left UNKNOWN for"
                    + " an operator (resolve it)", paymentId, code);
            return new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, new Failure(PaymentStates.ORDER_ID_IN_USE,
                    "Toss answered the first ask " + code + " (" + message + "): a payment holds this orderId at Toss;"
                    + " this charge's only if an earlier send was lost here, else another system's. An operator decides"));
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

    private static ChargeOutcome answeredCharge(JsonNode payment, String billingKey, String paymentId, long amount) {
        String paymentKey = VendorJson.text(payment, "paymentKey");
        String status = VendorJson.text(payment, "status");
        if (paymentKey == null || status == null) {
            return new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey,
                    new Failure(SendFailures.VENDOR_BAD_RESPONSE, "Toss answered without a payment"));
        }
        // the answer must be this charge: our orderId and our amount; anything else is left UNKNOWN, and
        // reconcile's lookup by orderId leaves a differing amount for an operator (AMOUNT_MISMATCH)
        String orderId = VendorJson.text(payment, "orderId");
        if (!paymentId.equals(orderId)) {
            LOG.error("Toss answered a charge of paymentId={} with the payment of another orderId; left UNKNOWN", paymentId);
            return new ChargeOutcome(ChargeStatus.UNKNOWN, null, billingKey, new Failure("NOT_THIS_PAYMENT",
                    "Toss answered with the payment of another orderId; the lookup by orderId decides"));
        }
        JsonNode total = payment.get("totalAmount");
        if (total == null || !total.canConvertToLong() || !total.isIntegralNumber() || total.asLong() != amount) {
            LOG.error("Toss answered a charge of paymentId={} amount={} with totalAmount={}; left UNKNOWN for an operator",
                    paymentId, amount, total);
            return new ChargeOutcome(ChargeStatus.UNKNOWN, paymentKey, billingKey, new Failure("AMOUNT_MISMATCH",
                    "Toss's totalAmount " + total + " differs from the amount charged " + amount));
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
     * A cancel's answer: the Payment after it. This cancel is the one finished {@code cancels[]} entry of
     * the requested amount whose {@code transactionKey} no return accounted for before it claims (Toss
     * does not promise the list's order, so never "the newest"); its {@code transactionKey} is the
     * return's id, the ledger's key for it; the total returned is the sum of the finished entries. None
     * or several such entries: UNKNOWN, reconcile attributes it.
     * <p>
     * A refusal is FAILED (nothing returned, the reservation released) only when it is the answer to the
     * only ask: after an ask whose answer was lost, the first may be running or done at Toss, and a
     * refusal of the re-ask ({@code IDEMPOTENT_REQUEST_PROCESSING}, or the cancel refused because the
     * first one took the money) says nothing about it: UNKNOWN, the money stays reserved. So are the
     * codes saying the operation may exist already ({@link TossDeclines#ORDER_MAY_EXIST}).
     *
     * @param claimed    the transactionKeys of the returns accounted for before this refund
     * @param lostBefore an earlier ask of this cancel had its answer lost
     */
    public static RefundOutcome refund(VendorReply reply, long requested, Set<String> claimed, boolean lostBefore) {
        return refund(sort(reply), requested, claimed, lostBefore);
    }

    static RefundOutcome refund(Reply r, long requested, Set<String> claimed, boolean lostBefore) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> RefundOutcome.notAttempted(r.code(), r.message());
            case LOST -> RefundOutcome.unknown(r.code(), r.message());
            case REFUSED -> {
                if (lostBefore) {
                    yield RefundOutcome.unknown(r.code(), r.message() + " (to a re-ask after an answer was lost: the"
                            + " first ask may have cancelled; the lookup decides)");
                }
                TossDeclines.Kind kind = TossDeclines.kindOf(r.code());
                if (kind == TossDeclines.Kind.ORDER_MAY_EXIST) {
                    yield RefundOutcome.unknown(r.code(), r.message() + " (the cancel may be under way or done: the lookup decides)");
                }
                if (kind == TossDeclines.Kind.OUR_BAD_REQUEST) {
                    LOG.error("Toss refused paybridge's cancel request as malformed (code={}): a paybridge bug,"
                            + " nothing was returned", r.code());
                }
                yield RefundOutcome.failed(r.code(), r.message());
            }
            case ANSWERED -> {
                try {
                    VendorPayment after = payment(r.body());
                    List<VendorPayment.Cancellation> mine = after.cancellations().stream()
                            .filter(c -> c.amount() == requested && c.cancellationId() != null
                                    && !claimed.contains(c.cancellationId()))
                            .toList();
                    if (mine.size() != 1) {
                        yield RefundOutcome.unknown("TOSS_CANCEL_NOT_ATTRIBUTED", "Toss's answer lists " + mine.size()
                                + " finished cancels of " + requested + " KRW no earlier return claims; the lookup decides");
                    }
                    // the total through this return (a lookup that listed no cancels keyed returns by such a
                    // total); the payment's total when its place among returns of one time is unknown
                    long through = after.returnedThrough(mine.get(0));
                    yield RefundOutcome.refunded(requested, through >= 0 ? through : after.cancelledAmount(),
                            mine.get(0).cancellationId());
                } catch (BadResponseException e) {
                    yield RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable Toss cancel answer: " + e.getMessage());
                }
            }
        };
    }

    // ---- billing keys

    /**
     * {@code /v1/billing/authorizations/issue}: the Billing object's {@code billingKey} and card. A refusal
     * after an ask whose answer was lost is UNKNOWN, not REFUSED: the first ask may have issued the key
     * (its authKey is then spent, so the re-ask is refused {@code INVALID_AUTH_KEY}) or still be running
     * ({@code IDEMPOTENT_REQUEST_PROCESSING}).
     *
     * @param lostBefore an earlier ask of this issuance had its answer lost
     */
    public static BillingKeyOutcome issue(VendorReply reply, boolean lostBefore) {
        return issue(sort(reply), lostBefore);
    }

    static BillingKeyOutcome issue(Reply r, boolean lostBefore) {
        return switch (r.ending()) {
            case NOT_PROCESSED -> BillingKeyOutcome.of(BillingKeyOutcome.Status.NOT_ATTEMPTED, r.code(), r.message());
            case LOST -> BillingKeyOutcome.of(BillingKeyOutcome.Status.UNKNOWN, r.code(), r.message());
            case REFUSED -> {
                if (lostBefore || TossDeclines.kindOf(r.code()) == TossDeclines.Kind.ORDER_MAY_EXIST) {
                    yield BillingKeyOutcome.of(BillingKeyOutcome.Status.UNKNOWN, r.code(), r.message()
                            + " (after an ask whose answer was lost, or while it runs: the key may have been issued)");
                }
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

    /**
     * {@code GET /v1/payments/{paymentKey}} or {@code /orders/{orderId}}: only 404 {@code NOT_FOUND_PAYMENT}
     * is "no such payment"; any other answer that is not the payment (another 404 code included) is
     * unavailable, which concludes nothing.
     */
    public static VendorPayment lookup(VendorReply reply) {
        Reply r = sort(reply);
        if (r.ending() == Ending.REFUSED && r.status() == 404 && "NOT_FOUND_PAYMENT".equals(r.code())) {
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
     * CANCELLED, or FAILED when it was never approved ({@code approvedAt} null, nothing returned: a virtual
     * account cancelled before its deposit); WAITING_FOR_DEPOSIT → AWAITING_DEPOSIT; ABORTED, EXPIRED → FAILED; READY, IN_PROGRESS →
     * PENDING (still open). Each finished {@code cancels[]} entry ({@code cancelStatus} DONE or absent) is
     * one return, keyed by its {@code transactionKey}; the cumulative return is their sum. An entry with
     * any other {@code cancelStatus} is a cancel not finished: money may still leave, so the record says
     * "cancel in progress" and reconcile concludes nothing about the payment's refunds meanwhile.
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
        Instant approvedAt = VendorJson.isoInstant(p, "approvedAt");
        boolean unfinished = cancelUnfinished(p);
        // what balanceAmount says was returned, for a cancelled payment: without a cancels[] list it is the
        // cumulative return (recorded keyed by that total); a list that does not add up to it is not the whole
        // record yet, read as a cancel not finished (nothing concluded about the payment's refunds meanwhile)
        boolean listShort = false;
        long balance = VendorJson.money(p, "balanceAmount", -1);
        // only for a payment that was approved: a virtual account cancelled before its deposit returned nothing,
        // whatever its balance shows
        if (("CANCELED".equals(status) || "PARTIAL_CANCELED".equals(status)) && balance >= 0 && balance <= amount
                && approvedAt != null && !unfinished) {
            if (cancels.isEmpty()) {
                cancelled = amount - balance;
            } else {
                listShort = amount - balance != cancelled;
            }
        }
        PaymentStatus canonical = switch (status) {
            case "DONE" -> PaymentStatus.PAID;
            case "PARTIAL_CANCELED" -> PaymentStatus.PARTIALLY_REFUNDED;
            // a virtual account cancelled while it waited for its deposit is CANCELED too: never approved,
            // nothing returned. Read as a payment cancelled after paying, it would be a deposit that never came
            case "CANCELED" -> approvedAt == null && cancelled == 0 && !unfinished
                    ? PaymentStatus.FAILED : PaymentStatus.CANCELLED;
            case "WAITING_FOR_DEPOSIT" -> PaymentStatus.AWAITING_DEPOSIT;
            case "ABORTED", "EXPIRED" -> PaymentStatus.FAILED;
            case "READY", "IN_PROGRESS" -> PaymentStatus.PENDING;
            default -> throw new BadResponseException("Unknown Toss status " + status);
        };
        Instant at = approvedAt;
        // the latest cancel's time (Toss does not promise the list's order)
        Instant lastCancel = cancels.stream().map(VendorPayment.Cancellation::cancelledAt).filter(java.util.Objects::nonNull)
                .max(Instant::compareTo).orElse(null);
        if (lastCancel != null && canonical != PaymentStatus.PAID) {
            at = lastCancel;
        }
        if (at == null) {
            at = VendorJson.isoInstant(p, "requestedAt");
        }
        JsonNode failure = p.get("failure");
        String failureReason = failure == null || failure.isNull() ? null
                : orElse(VendorJson.text(failure, "code"), "") + " " + orElse(VendorJson.text(failure, "message"), "");
        return new VendorPayment(true, VENDOR, paymentKey, VendorJson.text(p, "orderId"), canonical, amount, cancelled,
                cancels, null, canonical == PaymentStatus.FAILED ? orElse(failureReason == null ? null : failureReason.trim(),
                "Toss reports the payment " + status) : null, at, unfinished || listShort);
    }

    /** Whether a {@code cancels[]} entry has a {@code cancelStatus} other than DONE (TOSS.md names only DONE). */
    static boolean cancelUnfinished(JsonNode payment) {
        JsonNode cancels = payment.get("cancels");
        if (cancels != null && cancels.isArray()) {
            for (JsonNode c : cancels) {
                String state = VendorJson.text(c, "cancelStatus");
                if (state != null && !"DONE".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The {@code cancels[]} entries that returned money ({@code cancelStatus} DONE or absent), oldest first by
     * {@code canceledAt} (Toss promises no order; the ledger's running total, and which return ended the
     * payment, follow this order). Entries without a time keep their place after the timed ones.
     */
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
        list.sort(java.util.Comparator.comparing(VendorPayment.Cancellation::cancelledAt,
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
        return List.copyOf(list);
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
