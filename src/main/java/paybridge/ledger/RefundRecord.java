package paybridge.ledger;

import java.util.Map;

/** A row of {@code refunds}. */
public record RefundRecord(String refundId, String paymentId, String requestHash, long amount, String reason,
                           String status, String failureCode, String failureMessage) {

    static RefundRecord of(Map<String, Object> r) {
        return new RefundRecord((String) r.get("refund_id"), (String) r.get("payment_id"), (String) r.get("request_hash"),
                Sql.longValue(r.get("amount")), (String) r.get("reason"), (String) r.get("status"),
                (String) r.get("failure_code"), (String) r.get("failure_message"));
    }
}
