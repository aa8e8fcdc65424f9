package paybridge.connector.iamport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.RefundOutcome;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.NotSentException;
import paybridge.connector.http.SendFailures;
import paybridge.connector.http.Transport;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorJson.BadResponseException;
import paybridge.connector.http.VendorReply;

/**
 * iamport answers → canonical outcomes. The envelope {@code {code, message, response}} carries
 * business errors as HTTP 200 with {@code code != 0}: those are declines (FAILED), final for the
 * merchant_uid (a re-send with it would be refused as a duplicate anyway).
 */
public final class IamportResponses {
    public static final String VENDOR = "iamport";
    /** {@code code == 0} and {@code status: failed}: the issuer declined ({@code fail_reason}). */
    public static final String IAMPORT_FAILED = "IAMPORT_FAILED";
    /** {@code code != 0}: iamport refused the request (PG reason, duplicate merchant_uid, unknown customer_uid...). */
    public static final String IAMPORT_REJECTED = "IAMPORT_REJECTED";
    /** HTTP 400: iamport refused the parameters; nothing was charged, the same request would fail again. */
    public static final String IAMPORT_BAD_REQUEST = "IAMPORT_BAD_REQUEST";
    /** iamport refused a charge, yet holds a payment under its merchant_uid (the paymentId): a lookup settles it. */
    public static final String IAMPORT_HOLDS_PAYMENT = "IAMPORT_HOLDS_PAYMENT";
    public static final String NO_TOKEN = "NO_TOKEN";

    private IamportResponses() {
    }

    /** A token and how long it lives by the vendor's own clock ({@code expired_at - now}). */
    public record TokenGrant(String accessToken, Duration ttl) {
        @Override
        public String toString() {
            return "TokenGrant[ttl=" + ttl + "]"; // never the token
        }
    }

    /** {@code /users/getToken}: the grant, or {@link NotSentException} (the call needing it is not sent). */
    public static TokenGrant token(VendorReply reply) {
        if (reply != null && (reply.status() == 401 || reply.status() == 403)) {
            throw new NotSentException(SendFailures.VENDOR_AUTH_REJECTED,
                    "iamport rejected the API key/secret (HTTP " + reply.status() + "); nothing was sent", null);
        }
        if (reply == null || reply.failed() || reply.status() != 200) {
            String why = reply == null ? "no reply" : reply.failed() ? reply.error().getClass().getSimpleName()
                    : "HTTP " + reply.status();
            throw new NotSentException(NO_TOKEN, "No iamport access token could be obtained (" + why + "); nothing was sent",
                    reply == null ? null : reply.error());
        }
        try {
            JsonNode envelope = VendorJson.readObject(reply.body());
            JsonNode response = envelope == null ? null : envelope.get("response");
            if (envelope == null || code(envelope) != 0 || response == null || !response.isObject()) {
                throw new BadResponseException("getToken answered without a token");
            }
            String token = VendorJson.text(response, "access_token");
            long now = VendorJson.requiredMoney(response, "now");
            long expiredAt = VendorJson.requiredMoney(response, "expired_at");
            if (token == null || expiredAt <= now) {
                throw new BadResponseException("getToken answered an unusable token");
            }
            return new TokenGrant(token, Duration.ofSeconds(expiredAt - now));
        } catch (BadResponseException e) {
            throw new NotSentException(NO_TOKEN, "No iamport access token could be obtained (" + e.getMessage()
                    + "); nothing was sent", null);
        }
    }

    /** {@code onetime}: billingKey in the outcome is the customer_uid stored, only when the charge is PAID. */
    public static ChargeOutcome keyIn(VendorReply reply, String customerUidToStore) {
        return charge(reply, customerUidToStore, false);
    }

    /** {@code again}: billingKey in the outcome is the customer_uid charged, whatever the outcome. */
    public static ChargeOutcome again(VendorReply reply, String customerUid) {
        return charge(reply, customerUid, true);
    }

    private static ChargeOutcome charge(VendorReply reply, String billingKey, boolean keyAlways) {
        Transport.Verdict verdict = Transport.verdict(reply);
        String keyIfNotPaid = keyAlways ? billingKey : null;
        if (verdict != null) {
            ChargeOutcome o = Transport.charge(verdict);
            return new ChargeOutcome(o.status(), null, keyIfNotPaid, o.failure());
        }
        JsonNode envelope;
        try {
            envelope = VendorJson.readObject(reply.body());
            if (envelope == null) {
                throw new BadResponseException("empty answer");
            }
            code(envelope);
        } catch (BadResponseException e) {
            return unreadable(reply, e);
        }
        int code = code(envelope);
        if (reply.status() == 400) {
            return ChargeOutcome.failed(null, keyIfNotPaid, IAMPORT_BAD_REQUEST, message(envelope, "HTTP 400"));
        }
        if (reply.status() != 200) {
            // 404/405/429...: the request was not processed as a charge (wrong base URL, throttled)
            return ChargeOutcome.notAttempted("VENDOR_HTTP_" + reply.status(), message(envelope, "HTTP " + reply.status()));
        }
        if (code != 0) {
            return ChargeOutcome.failed(null, keyIfNotPaid, IAMPORT_REJECTED, message(envelope, "code " + code));
        }
        JsonNode payment = envelope.get("response");
        String impUid = VendorJson.text(payment, "imp_uid");
        String status = VendorJson.text(payment, "status");
        if (payment == null || !payment.isObject() || impUid == null || status == null) {
            return ChargeOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "iamport answered code 0 without a payment");
        }
        return switch (status) {
            case "paid" -> ChargeOutcome.paid(impUid, billingKey);
            case "failed" -> ChargeOutcome.failed(impUid, keyIfNotPaid, IAMPORT_FAILED,
                    orElse(VendorJson.text(payment, "fail_reason"), "declined"));
            case "ready" -> ChargeOutcome.awaitingDeposit(impUid, keyIfNotPaid);
            // a charge answered "cancelled" is not something iamport documents: let a lookup decide
            default -> new ChargeOutcome(ChargeStatus.UNKNOWN, impUid, keyIfNotPaid,
                    new paybridge.canonical.Failure(SendFailures.VENDOR_BAD_RESPONSE, "Unexpected charge status " + status));
        };
    }

    /** A charge iamport refused outright ({@code code != 0}, no payment in the answer). */
    public static boolean refused(ChargeOutcome outcome) {
        return outcome.status() == ChargeStatus.FAILED && outcome.vendorPaymentRef() == null
                && outcome.failure() != null && IAMPORT_REJECTED.equals(outcome.failure().code());
    }

    /**
     * iamport refuses a second charge under a merchant_uid it already holds ("duplicate transaction
     * protection") with the same {@code code: -1} as a card's refusal, whether the payment it holds was
     * charged or not. A paymentId sent as new only when paybridge has no row for it (the row lost to a
     * crash on H2, a database restored from an older backup) can meet its own earlier charge there. So the
     * refusal stands when iamport's record under the paymentId ({@code record}, looked up by merchant_uid)
     * shows nothing charged; when it shows this charge charged (its amount and customer_uid), the charge is
     * UNKNOWN and reconcile's lookup settles it from that record (the vendor's record wins over a
     * conclusion). A charged payment there that is not this charge is not this attempt's: the refusal
     * stands, and {@link #holdsAnotherPayment} says so for an operator.
     */
    public static ChargeOutcome afterRefusal(ChargeOutcome refusal, VendorPayment record, long amount, String billingKey) {
        if (!charged(record) || holdsAnotherPayment(record, amount, billingKey)) {
            return refusal;
        }
        return ChargeOutcome.unknown(IAMPORT_HOLDS_PAYMENT, "iamport refused the charge (" + refusal.failure().message()
                + ") but holds payment " + record.vendorPaymentRef() + " (" + record.status() + ") under this paymentId");
    }

    /** A payment iamport charged under the paymentId that is not this charge (another amount or customer_uid). */
    public static boolean holdsAnotherPayment(VendorPayment record, long amount, String billingKey) {
        return charged(record) && (record.amount() != amount || !Objects.equals(record.billingKey(), billingKey));
    }

    private static boolean charged(VendorPayment record) {
        return record.found() && record.status() != PaymentStatus.FAILED && record.status() != PaymentStatus.ABANDONED;
    }

    /** A refused charge whose record could not be read: nothing may be concluded yet. */
    public static ChargeOutcome refusalUnchecked(ChargeOutcome refusal, Exception lookupFailure) {
        return ChargeOutcome.unknown(IAMPORT_HOLDS_PAYMENT, "iamport refused the charge (" + refusal.failure().message()
                + ") and its record under this paymentId could not be read: " + lookupFailure.getMessage());
    }

    private static ChargeOutcome unreadable(VendorReply reply, BadResponseException e) {
        if (reply.status() >= 400) {
            // a 4xx without iamport's envelope: not iamport's business answer, and not processed
            return ChargeOutcome.notAttempted("VENDOR_HTTP_" + reply.status(), "HTTP " + reply.status() + " without an iamport answer");
        }
        return ChargeOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable iamport answer: " + e.getMessage());
    }

    /**
     * {@code /payments/cancel}: the payment after it. This cancel is the one {@code cancel_history} entry of
     * the requested amount that no return accounted for before it claims (never "the newest": a console
     * cancel in the same second may sort after it); refundedTotal is the payment's {@code cancel_amount}.
     * None or several such entries: UNKNOWN, reconcile attributes it from the record. No history at all:
     * REFUNDED with the requested amount and no cancellation id.
     *
     * @param claimed the cancellation ids of the returns accounted for before this refund
     */
    public static RefundOutcome refund(VendorReply reply, long requested, Set<String> claimed) {
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            return Transport.refund(verdict);
        }
        try {
            JsonNode envelope = VendorJson.readObject(reply.body());
            if (envelope == null) {
                throw new BadResponseException("empty answer");
            }
            int code = code(envelope);
            if (reply.status() == 400) {
                return RefundOutcome.failed(IAMPORT_BAD_REQUEST, message(envelope, "HTTP 400"));
            }
            if (reply.status() == 404) {
                return RefundOutcome.failed("IAMPORT_NOT_FOUND", message(envelope, "payment not found"));
            }
            if (reply.status() != 200) {
                return RefundOutcome.notAttempted("VENDOR_HTTP_" + reply.status(), message(envelope, "HTTP " + reply.status()));
            }
            if (code != 0) {
                return RefundOutcome.failed(IAMPORT_REJECTED, message(envelope, "code " + code));
            }
            JsonNode payment = envelope.get("response");
            if (payment == null || !payment.isObject()) {
                throw new BadResponseException("code 0 without a payment");
            }
            long total = VendorJson.requiredMoney(payment, "cancel_amount");
            List<VendorPayment.Cancellation> history = cancellations(payment);
            if (history.isEmpty()) {
                return RefundOutcome.refunded(requested, total, null);
            }
            List<VendorPayment.Cancellation> mine = history.stream()
                    .filter(c -> c.amount() == requested && (c.cancellationId() == null || !claimed.contains(c.cancellationId())))
                    .toList();
            if (mine.size() != 1) {
                return RefundOutcome.unknown("IAMPORT_CANCEL_NOT_ATTRIBUTED", "iamport's answer lists " + mine.size()
                        + " cancels of " + requested + " KRW no earlier return claims; the lookup decides");
            }
            // the total through this return, as a lookup keys a return without an id (its running total); the
            // payment's total when its place among returns of one time is unknown
            long through = VendorPayment.returnedThrough(history, mine.get(0));
            return RefundOutcome.refunded(requested, through >= 0 ? through : total, mine.get(0).cancellationId());
        } catch (BadResponseException e) {
            if (reply.status() >= 400) {
                return RefundOutcome.notAttempted("VENDOR_HTTP_" + reply.status(), "HTTP " + reply.status() + " without an iamport answer");
            }
            return RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "Unreadable iamport answer: " + e.getMessage());
        }
    }

    /**
     * A lookup ({@code /payments/{imp_uid}}, {@code /payments/find/{merchant_uid}}): iamport's 404 (its
     * whole envelope, a code other than 0 and a null response) is "not found" (never charged); any other 404 (a wrong
     * base URL, a proxy, an edge page) and a reply without an answer (after the retries) are
     * {@link VendorUnavailableException}: nothing may be concluded from them.
     */
    public static VendorPayment lookup(VendorReply reply) {
        Transport.Verdict verdict = Transport.verdict(reply);
        if (verdict != null) {
            throw new VendorUnavailableException("iamport lookup failed: " + verdict.failure().code() + " "
                    + verdict.failure().message(), reply == null ? null : reply.error());
        }
        try {
            JsonNode envelope = VendorJson.readObject(reply.body());
            if (reply.status() == 404) {
                // every iamport answer is the whole envelope (VENDORS.md): code, message and response
                if (envelope != null && envelope.path("code").isInt() && code(envelope) != 0 && envelope.has("message")
                        && envelope.has("response") && envelope.get("response").isNull()) {
                    return VendorPayment.notFound(VENDOR);
                }
                throw new BadResponseException("HTTP 404 that is not iamport's answer");
            }
            if (reply.status() != 200 || envelope == null || code(envelope) != 0) {
                throw new BadResponseException("HTTP " + reply.status() + ", " + message(envelope, "no iamport answer"));
            }
            JsonNode payment = envelope.get("response");
            if (payment == null || !payment.isObject()) {
                throw new BadResponseException("code 0 without a payment");
            }
            return payment(payment);
        } catch (BadResponseException e) {
            throw new VendorUnavailableException("iamport lookup answer unusable: " + e.getMessage(), null);
        }
    }

    /**
     * One iamport Payment object. Status: paid → PAID, or PARTIALLY_REFUNDED when
     * {@code 0 < cancel_amount < amount} (iamport keeps a partly cancelled payment {@code paid});
     * cancelled → CANCELLED, or FAILED when it was never paid ({@code paid_at} 0, nothing returned: a
     * virtual account closed before its deposit); failed → FAILED, ready → AWAITING_DEPOSIT.
     */
    public static VendorPayment payment(JsonNode p) {
        long amount = VendorJson.requiredMoney(p, "amount");
        long cancelled = VendorJson.money(p, "cancel_amount", 0);
        String status = VendorJson.text(p, "status");
        PaymentStatus canonical;
        Instant at;
        if ("paid".equals(status)) {
            canonical = cancelled > 0 && cancelled < amount ? PaymentStatus.PARTIALLY_REFUNDED
                    : cancelled >= amount && amount > 0 ? PaymentStatus.CANCELLED : PaymentStatus.PAID;
            at = canonical == PaymentStatus.PAID ? VendorJson.epochSeconds(p, "paid_at")
                    : VendorJson.epochSeconds(p, "cancelled_at");
        } else if ("cancelled".equals(status)) {
            // a virtual account closed before any deposit is "cancelled" too: never paid, nothing returned.
            // Read as a payment cancelled after paying, it would be a deposit that never came
            canonical = VendorJson.epochSeconds(p, "paid_at") == null && cancelled == 0 && cancellations(p).isEmpty()
                    ? PaymentStatus.FAILED : PaymentStatus.CANCELLED;
            at = VendorJson.epochSeconds(p, "cancelled_at");
        } else if ("failed".equals(status)) {
            canonical = PaymentStatus.FAILED;
            at = VendorJson.epochSeconds(p, "failed_at");
        } else if ("ready".equals(status)) {
            canonical = PaymentStatus.AWAITING_DEPOSIT;
            at = VendorJson.epochSeconds(p, "started_at");
        } else {
            throw new BadResponseException("Unknown iamport status " + status);
        }
        return new VendorPayment(true, VENDOR, VendorJson.text(p, "imp_uid"), VendorJson.text(p, "merchant_uid"),
                canonical, amount, cancelled, cancellations(p), VendorJson.text(p, "customer_uid"),
                canonical == PaymentStatus.FAILED && "cancelled".equals(status)
                        ? "cancelled before it was paid" : VendorJson.text(p, "fail_reason"), at);
    }

    static List<VendorPayment.Cancellation> cancellations(JsonNode payment) {
        List<VendorPayment.Cancellation> list = new ArrayList<>();
        JsonNode history = payment.get("cancel_history");
        if (history != null && history.isArray()) {
            for (JsonNode c : history) {
                list.add(new VendorPayment.Cancellation(VendorJson.text(c, "cancellation_id"),
                        VendorJson.money(c, "amount", 0), VendorJson.epochSeconds(c, "cancelled_at")));
            }
        }
        return List.copyOf(list);
    }

    private static int code(JsonNode envelope) {
        JsonNode code = envelope.get("code");
        if (code == null || !code.canConvertToInt() || !code.isIntegralNumber()) {
            throw new BadResponseException("no envelope code");
        }
        return code.intValue();
    }

    private static String message(JsonNode envelope, String fallback) {
        return orElse(envelope == null ? null : VendorJson.text(envelope, "message"), fallback);
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
