package paybridge.sandbox.iamport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One payment as iamport keeps it. The identity and the charge details are fixed at creation;
 * status, cancellations and deposit change later, always under this object's monitor, so two
 * concurrent cancels are serialised and can never refund more than was paid.
 */
final class IamportPayment {
    static final String READY = "ready";
    static final String PAID = "paid";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";

    /** A virtual account's details (pay_method {@code vbank}). */
    record Vbank(String num, String code, String name, String holder, long date, long issuedAt) {
    }

    /** The outcome of a cancel: either {@code error} (envelope code 1) or the cancellation made. */
    record CancelOutcome(String error, String cancellationId, Map<String, Object> payment) {
    }

    private record Cancellation(String pgTid, long amount, long cancelledAt, String reason, String cancellationId) {
    }

    final String impUid;
    final String merchantUid;
    final long amount;
    final String pgTid;
    final String customerUid;
    final String noticeUrl;
    private final String payMethod;
    private final IamportCard card;
    private final String name;
    private final String buyerName;
    private final String buyerEmail;
    private final String buyerTel;
    private final long startedAt;
    private final Vbank vbank;
    private final List<Cancellation> cancelHistory = new ArrayList<>();

    private String status;
    private String applyNum;
    private String failReason;
    private String cancelReason;
    private long cancelAmount;
    private long paidAt;
    private long failedAt;
    private long cancelledAt;

    IamportPayment(String impUid, String merchantUid, long amount, String pgTid, String customerUid,
                   String noticeUrl, IamportCard card, String name, String buyerName, String buyerEmail,
                   String buyerTel, long startedAt, Vbank vbank) {
        this.impUid = impUid;
        this.merchantUid = merchantUid;
        this.amount = amount;
        this.pgTid = pgTid;
        this.customerUid = customerUid;
        this.noticeUrl = noticeUrl;
        this.card = card;
        this.name = name;
        this.buyerName = buyerName;
        this.buyerEmail = buyerEmail;
        this.buyerTel = buyerTel;
        this.startedAt = startedAt;
        this.vbank = vbank;
        this.payMethod = vbank == null ? "card" : "vbank";
        this.status = READY; // until settle(): a card charge is settled before the payment is published
    }

    /** Settles the charge before the payment is published: paid (with approval number) or failed. */
    synchronized void settle(boolean approved, String applyNumber, String reason, long now) {
        if (vbank != null) {
            return; // a virtual account waits for its deposit
        }
        if (approved) {
            status = PAID;
            applyNum = applyNumber;
            paidAt = now;
        } else {
            status = FAILED;
            failReason = reason;
            failedAt = now;
        }
    }

    synchronized String status() {
        return status;
    }

    /** The depositor paid into the virtual account: {@code ready} becomes {@code paid}. */
    synchronized boolean deposit(String applyNumber, long now) {
        if (!READY.equals(status)) {
            return false;
        }
        status = PAID;
        applyNum = applyNumber;
        paidAt = now;
        return true;
    }

    /** The merchant closes a virtual account before its deposit: cancelled, never paid ({@code paid_at} 0), nothing returned. */
    synchronized boolean closeUnpaid(long now) {
        if (!READY.equals(status)) {
            return false;
        }
        status = CANCELLED;
        cancelledAt = now;
        cancelReason = "입금 전 가상계좌 취소";
        return true;
    }

    /**
     * Cancels {@code requested} (null or 0 = all that remains) if the payment allows it.
     *
     * @param checksum the balance the caller believes is cancellable, or null; a mismatch cancels nothing
     */
    synchronized CancelOutcome cancel(Long requested, Long checksum, String reason, long now,
                                      Supplier<String> cancellationIds) {
        if (CANCELLED.equals(status)) {
            return error("이미 전액취소된 주문입니다.");
        }
        if (!PAID.equals(status)) {
            return error("결제완료 상태가 아니므로 취소할 수 없습니다. (status: " + status + ")");
        }
        long remaining = amount - cancelAmount;
        if (checksum != null && checksum != remaining) {
            return error("checksum 불일치: 요청한 취소가능잔액(" + checksum + ")이 실제 취소가능잔액("
                    + remaining + ")과 다릅니다. (checksum mismatch)");
        }
        long cancel = requested == null || requested == 0 ? remaining : requested;
        if (cancel > remaining) {
            return error("취소요청 금액(" + cancel + ")이 취소가능잔액(" + remaining + ")을 초과합니다.");
        }
        String cancellationId = cancellationIds.get();
        cancelHistory.add(new Cancellation(pgTid, cancel, now, reason, cancellationId));
        cancelAmount += cancel;
        cancelReason = reason;
        cancelledAt = now;
        if (cancelAmount == amount) {
            status = CANCELLED; // a partial cancel leaves the payment paid, with cancel_amount > 0
        }
        return new CancelOutcome(null, cancellationId, toJson());
    }

    private CancelOutcome error(String message) {
        return new CancelOutcome(message, null, null);
    }

    /** A consistent snapshot in iamport's Payment shape (field order as in the vendor's answers). */
    synchronized Map<String, Object> toJson() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("imp_uid", impUid);
        p.put("merchant_uid", merchantUid);
        p.put("pay_method", payMethod);
        p.put("channel", "api");
        p.put("pg_provider", "settle");
        p.put("pg_tid", pgTid);
        p.put("escrow", false);
        p.put("apply_num", applyNum);
        p.put("card_code", null);
        p.put("card_name", card == null ? null : card.cardName());
        p.put("card_number", card == null ? null : card.maskedNumber());
        p.put("card_quota", 0);
        p.put("card_type", card == null ? null : 0);
        p.put("vbank_code", vbank == null ? null : vbank.code());
        p.put("vbank_name", vbank == null ? null : vbank.name());
        p.put("vbank_num", vbank == null ? null : vbank.num());
        p.put("vbank_holder", vbank == null ? null : vbank.holder());
        p.put("vbank_date", vbank == null ? null : vbank.date());
        p.put("vbank_issued_at", vbank == null ? null : vbank.issuedAt());
        p.put("name", name);
        p.put("amount", amount);
        p.put("cancel_amount", cancelAmount);
        p.put("currency", "KRW");
        p.put("buyer_name", buyerName);
        p.put("buyer_email", buyerEmail);
        p.put("buyer_tel", buyerTel);
        p.put("customer_uid", customerUid);
        p.put("status", status);
        p.put("started_at", startedAt);
        p.put("paid_at", paidAt);
        p.put("failed_at", failedAt);
        p.put("cancelled_at", cancelledAt);
        p.put("fail_reason", failReason);
        p.put("cancel_reason", cancelReason);
        List<Map<String, Object>> history = new ArrayList<>();
        for (Cancellation c : cancelHistory) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("pg_tid", c.pgTid());
            h.put("amount", c.amount());
            h.put("cancelled_at", c.cancelledAt());
            h.put("reason", c.reason());
            h.put("cancellation_id", c.cancellationId());
            h.put("receipt_url", null);
            history.add(h);
        }
        p.put("cancel_history", history);
        return p;
    }
}
