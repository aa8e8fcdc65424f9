package paybridge.sandbox.toss;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One simulated Toss payment; its state changes under its own lock. */
final class TossPayment {
    final String paymentKey;
    final String orderId;
    final String orderName;
    final long totalAmount;
    final String method;
    final String requestedAt;
    final String cardNumber;
    final String customerKey;
    private String status;
    private String approvedAt;
    private String failureCode;
    private String failureMessage;
    private long balanceAmount;
    private String lastTransactionKey;
    private final List<JsonObject> cancels = new ArrayList<>();
    /** cancels[] listed newest first (Toss documents no order). */
    private boolean newestFirst;

    TossPayment(String paymentKey, String orderId, String orderName, long totalAmount, String method, String status,
                String now, String cardNumber, String customerKey, String transactionKey) {
        this.paymentKey = paymentKey;
        this.orderId = orderId;
        this.orderName = orderName;
        this.totalAmount = totalAmount;
        this.method = method;
        this.status = status;
        this.requestedAt = now;
        this.approvedAt = "DONE".equals(status) ? now : null;
        this.cardNumber = cardNumber;
        this.customerKey = customerKey;
        this.balanceAmount = totalAmount;
        this.lastTransactionKey = transactionKey;
    }

    synchronized void abort(String code, String message) {
        status = "ABORTED";
        failureCode = code;
        failureMessage = message;
    }

    synchronized String status() {
        return status;
    }

    /** The customer paid into the virtual account. */
    synchronized boolean deposit(String now) {
        if (!"WAITING_FOR_DEPOSIT".equals(status)) {
            return false;
        }
        status = "DONE";
        approvedAt = now;
        return true;
    }

    synchronized void newestFirst(boolean on) {
        newestFirst = on;
    }

    /**
     * Why a cancel is refused (Toss's code), or null after applying it. An unfinished cancel is listed
     * with {@code cancelStatus} IN_PROGRESS and returns nothing until {@link #finishCancels}.
     */
    synchronized String cancel(long amount, String reason, String transactionKey, String now, boolean unfinished) {
        if ("CANCELED".equals(status)) {
            return "ALREADY_CANCELED_PAYMENT";
        }
        if (!"DONE".equals(status) && !"PARTIAL_CANCELED".equals(status)) {
            return "NOT_CANCELABLE_PAYMENT";
        }
        long pending = cancels.stream().filter(c -> !"DONE".equals(c.getString("cancelStatus")))
                .mapToLong(c -> c.getLong("cancelAmount")).sum();
        if (amount <= 0 || amount > balanceAmount - pending) {
            return "NOT_CANCELABLE_AMOUNT";
        }
        if (unfinished) {
            cancels.add(new JsonObject()
                    .put("cancelAmount", amount)
                    .put("cancelReason", reason)
                    .put("taxFreeAmount", 0)
                    .put("refundableAmount", balanceAmount)
                    .put("canceledAt", now)
                    .put("transactionKey", transactionKey)
                    .put("cancelStatus", "IN_PROGRESS"));
            return null;
        }
        balanceAmount -= amount;
        cancels.add(new JsonObject()
                .put("cancelAmount", amount)
                .put("cancelReason", reason)
                .put("taxFreeAmount", 0)
                .put("refundableAmount", balanceAmount)
                .put("canceledAt", now)
                .put("transactionKey", transactionKey)
                .put("cancelStatus", "DONE"));
        status = balanceAmount == 0 ? "CANCELED" : "PARTIAL_CANCELED";
        lastTransactionKey = transactionKey;
        return null;
    }

    /** Finishes the cancels in progress (money returned); false when there was none. */
    synchronized boolean finishCancels() {
        boolean any = false;
        for (JsonObject c : cancels) {
            if ("IN_PROGRESS".equals(c.getString("cancelStatus"))) {
                balanceAmount -= c.getLong("cancelAmount");
                c.put("cancelStatus", "DONE").put("refundableAmount", balanceAmount);
                lastTransactionKey = c.getString("transactionKey");
                any = true;
            }
        }
        if (any) {
            status = balanceAmount == 0 ? "CANCELED" : "PARTIAL_CANCELED";
        }
        return any;
    }

    private List<Object> listed() {
        List<Object> copy = new ArrayList<>();
        cancels.forEach(c -> copy.add(c.copy()));
        if (newestFirst) {
            java.util.Collections.reverse(copy);
        }
        return copy;
    }

    /** The Payment object as Toss answers it (TOSS.md, "Payment object"). */
    synchronized JsonObject json() {
        JsonObject p = new JsonObject()
                .put("mId", "tvivarepublica")
                .put("version", "2022-11-16")
                .put("type", "BILLING")
                .put("paymentKey", paymentKey)
                .put("orderId", orderId)
                .put("orderName", orderName)
                .put("status", status)
                .put("method", method)
                .put("requestedAt", requestedAt)
                .put("approvedAt", approvedAt)
                .put("totalAmount", totalAmount)
                .put("balanceAmount", balanceAmount)
                .put("suppliedAmount", totalAmount - totalAmount / 11)
                .put("vat", totalAmount / 11)
                .put("currency", "KRW")
                .put("lastTransactionKey", lastTransactionKey)
                .put("cancels", cancels.isEmpty() ? null : new JsonArray(listed()))
                .put("receipt", new JsonObject().put("url", "https://dashboard.tosspayments.com/receipt/sandbox/" + paymentKey));
        if ("가상계좌".equals(method)) {
            p.put("virtualAccount", new JsonObject().put("accountNumber", "X6505636518308")
                    .put("bankCode", "20").put("customerName", "sandbox").put("dueDate", requestedAt));
        } else {
            p.put("card", new JsonObject().put("number", cardNumber).put("issuerCode", "61").put("acquirerCode", "31")
                    .put("approveNo", approvedAt == null ? null : "00000000").put("amount", totalAmount));
        }
        if (failureCode != null) {
            p.put("failure", new JsonObject().put("code", failureCode).put("message", failureMessage));
        }
        return p;
    }
}
