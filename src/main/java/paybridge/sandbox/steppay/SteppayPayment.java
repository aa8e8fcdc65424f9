package paybridge.sandbox.steppay;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One simulated Steppay payment (an "order" with its payment, as Steppay models a self payment).
 * The identity fields never change; status, amounts and history change only inside this object's
 * monitor, so two concurrent cancels of the same payment can never refund more than it was paid.
 * Amounts are whole KRW in {@code long}.
 */
final class SteppayPayment {

    /** Steppay's documented payment status values. */
    enum Status {
        STANDBY, COMPLETE, CANCELED, PARTIAL_CANCELED, USER_CANCELED, CANCELED_FAIL, CANCEL_PROGRESS,
        FAILED, VIRTUAL_BANK_STANDBY, CMS_STANDBY
    }

    /** Steppay's documented payment methods; a {@code *_BILL} method leaves a billing key behind. */
    enum Method {
        CARD, VBANK, BANK, CELLPHONE, SIMPLE_PAY, CMS, CARD_BILL, CELLPHONE_BILL, CMS_BILL;

        boolean issuesBillingKey() {
            return name().endsWith("_BILL");
        }
    }

    /** What one successful cancel did; {@code status} is the payment's status right after it. */
    record Cancel(long canceledAmount, String tid, String canceledDate, Status status) {
    }

    /** Why a cancel was refused. */
    enum CancelRefusal {
        NOT_CANCELLABLE, INVALID_CANCEL_AMOUNT
    }

    /** Thrown by {@link #cancel} when the payment's state refuses the cancel; nothing changed. */
    static final class CancelRefused extends Exception {
        final CancelRefusal reason;

        CancelRefused(CancelRefusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    final String idKey;
    final long orderId;
    final String orderCode;
    final String partnerOrderId;
    final String partnerUserId;
    final String itemName;
    final Method method;
    final long amount;
    /** The PG's transaction id of the payment itself; each cancel gets its own. */
    final String tid;

    private Status status;
    private long canceledAmount;
    private String paymentDate;
    private final List<Cancel> cancelHistory = new ArrayList<>();
    // a cancel accepted but not processed yet (CANCEL_PROGRESS): its amount, and the status to go back to
    private long cancelInProgress;
    private Status beforeProgress;

    SteppayPayment(String idKey, long orderId, String orderCode, String partnerOrderId, String partnerUserId,
            String itemName, Method method, long amount, String tid, Status status, String paymentDate) {
        this.idKey = idKey;
        this.orderId = orderId;
        this.orderCode = orderCode;
        this.partnerOrderId = partnerOrderId;
        this.partnerUserId = partnerUserId;
        this.itemName = itemName;
        this.method = method;
        this.amount = amount;
        this.tid = tid;
        this.status = status;
        this.paymentDate = paymentDate;
    }

    synchronized Status status() {
        return status;
    }

    /** A billing key is the idKey of a COMPLETE payment made with a {@code *_BILL} method. */
    synchronized boolean isBillingKey() {
        return status == Status.COMPLETE && method.issuesBillingKey();
    }

    /**
     * Refunds {@code requested} KRW, atomically: the check against the remaining balance and the
     * update happen under the same lock.
     */
    synchronized Cancel cancel(long requested, String cancelTid, String now) throws CancelRefused {
        if (status != Status.COMPLETE && status != Status.PARTIAL_CANCELED) {
            throw new CancelRefused(CancelRefusal.NOT_CANCELLABLE, "취소할 수 없는 결제 상태입니다: " + status);
        }
        long remaining = amount - canceledAmount;
        if (requested <= 0 || requested > remaining) {
            throw new CancelRefused(CancelRefusal.INVALID_CANCEL_AMOUNT,
                    "취소 요청 금액이 취소 가능 금액(" + remaining + ")을 벗어납니다: " + requested);
        }
        canceledAmount += requested;
        status = canceledAmount == amount ? Status.CANCELED : Status.PARTIAL_CANCELED;
        Cancel cancel = new Cancel(requested, cancelTid, now, status);
        cancelHistory.add(cancel);
        return cancel;
    }

    /**
     * Accepts a cancel that the vendor processes later (a virtual-account refund settles the next
     * business day): the payment shows {@code CANCEL_PROGRESS}, its {@code canceledAmount} and history
     * unchanged until {@link #completeCancel}.
     */
    synchronized void startCancel(long requested) throws CancelRefused {
        if (status != Status.COMPLETE && status != Status.PARTIAL_CANCELED) {
            throw new CancelRefused(CancelRefusal.NOT_CANCELLABLE, "취소할 수 없는 결제 상태입니다: " + status);
        }
        long remaining = amount - canceledAmount;
        if (requested <= 0 || requested > remaining) {
            throw new CancelRefused(CancelRefusal.INVALID_CANCEL_AMOUNT,
                    "취소 요청 금액이 취소 가능 금액(" + remaining + ")을 벗어납니다: " + requested);
        }
        beforeProgress = status;
        cancelInProgress = requested;
        status = Status.CANCEL_PROGRESS;
    }

    /** Finishes the cancel {@link #startCancel} accepted; null when none is in progress. */
    synchronized Cancel completeCancel(String cancelTid, String now) {
        if (status != Status.CANCEL_PROGRESS) {
            return null;
        }
        status = beforeProgress;
        long requested = cancelInProgress;
        cancelInProgress = 0;
        try {
            return cancel(requested, cancelTid, now);
        } catch (CancelRefused impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The customer paid into the virtual account; returns false when the payment was not waiting for it. */
    synchronized boolean deposit(String now) {
        if (status != Status.VIRTUAL_BANK_STANDBY) {
            return false;
        }
        status = Status.COMPLETE;
        paymentDate = now;
        return true;
    }

    /**
     * The virtual account closed before any deposit: CANCELED with nothing paid (no paymentDate) and
     * nothing returned. Returns false when the payment was not waiting for its deposit.
     */
    synchronized boolean closeUnpaid() {
        if (status != Status.VIRTUAL_BANK_STANDBY) {
            return false;
        }
        status = Status.CANCELED;
        return true;
    }

    /** {@code GET /api/payment/receipt/{idKey}}: a consistent snapshot. */
    synchronized JsonObject receipt() {
        return receipt(true);
    }

    /**
     * The receipt, with or without {@code cancelHistory}: the receipt's fields beyond
     * {@code paymentStatus} are undocumented at the vendor, so the simulator can leave the history out.
     */
    synchronized JsonObject receipt(boolean withCancelHistory) {
        JsonArray history = new JsonArray();
        for (Cancel c : cancelHistory) {
            history.add(new JsonObject()
                    .put("canceledAmount", c.canceledAmount())
                    .put("canceledDate", c.canceledDate())
                    .put("tid", c.tid()));
        }
        JsonObject receipt = new JsonObject()
                .put("idKey", idKey)
                .put("orderId", orderId)
                .put("orderCode", orderCode)
                .put("partnerOrderId", partnerOrderId)
                .put("partnerUserId", partnerUserId)
                .put("paymentStatus", status.name())
                .put("paymentMethod", method.name())
                .put("amount", amount)
                .put("canceledAmount", canceledAmount)
                .put("itemName", itemName)
                .put("paymentDate", paymentDate);
        return withCancelHistory ? receipt.put("cancelHistory", history) : receipt;
    }

    /**
     * {@code GET /api/v1/orders/{id}}: {@code paidAmount} counts only money that actually arrived
     * (a failed, abandoned or still unpaid virtual-account payment has paid nothing);
     * {@code returnedAmount} is what was refunded.
     */
    synchronized JsonObject order() {
        boolean paid = status == Status.COMPLETE || status == Status.PARTIAL_CANCELED || status == Status.CANCELED;
        return new JsonObject()
                .put("id", orderId)
                .put("orderCode", orderCode)
                .put("paidAmount", paid ? amount : 0L)
                .put("returnedAmount", canceledAmount)
                .put("idKey", idKey)
                .put("payment", new JsonObject()
                        .put("amount", amount)
                        .put("paymentMethod", method.name())
                        .put("paymentDate", paymentDate));
    }
}
