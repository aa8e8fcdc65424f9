package paybridge.ledger;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import paybridge.canonical.Failure;

/** Refunds through the API ({@code refunds}); {@code refund_id} is the idempotency key. */
public final class RefundStore {
    private static final String INSERT = """
            INSERT INTO refunds (refund_id, payment_id, request_hash, amount, reason, status, created_at, updated_at)
            VALUES (:?refundId, :?paymentId, :?requestHash, :?amount, :?reason, 'PENDING', :?now, :?now)
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM refunds WHERE refund_id = :?refundId";
    private static final String FINISH = """
            UPDATE refunds SET status = :?status, vendor_refund_ref = :?ref, failure_code = :?failureCode,
                failure_message = :?failureMessage, updated_at = :?now
            WHERE refund_id = :?refundId AND status IN ('PENDING', 'UNKNOWN')""";
    private static final String UNKNOWN_BEFORE = """
            SELECT * FROM refunds WHERE status = 'UNKNOWN' AND updated_at < :?before ORDER BY updated_at LIMIT :?limit""";
    private static final String OPEN_ON_PAYMENT = """
            SELECT COUNT(*) AS n FROM refunds WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')""";
    private static final String REFUNDED_ON_PAYMENT = """
            SELECT amount, vendor_refund_ref FROM refunds WHERE payment_id = :?paymentId AND status = 'REFUNDED'""";
    private static final String FORGET = "DELETE FROM refunds WHERE refund_id = :?refundId AND status = 'PENDING'";

    private final Sql sql;

    public RefundStore(Sql sql) {
        this.sql = sql;
    }

    public boolean insert(String refundId, String paymentId, String requestHash, long amount, String reason) {
        Map<String, Object> p = new HashMap<>();
        p.put("refundId", refundId);
        p.put("paymentId", paymentId);
        p.put("requestHash", requestHash);
        p.put("amount", amount);
        p.put("reason", reason);
        p.put("now", Instant.now());
        return sql.update(INSERT, p) == 1;
    }

    public Optional<RefundRecord> find(String refundId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("refundId", refundId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(RefundRecord.of(rows.get(0)));
    }

    public void finish(String refundId, String status, String ref, Failure failure) {
        Map<String, Object> p = new HashMap<>();
        p.put("refundId", refundId);
        p.put("status", status);
        p.put("ref", ref);
        p.put("failureCode", failure == null ? null : failure.code());
        p.put("failureMessage", failure == null ? null : failure.message());
        p.put("now", Instant.now());
        sql.update(FINISH, p);
    }

    /** UNKNOWN refunds last touched before {@code before}, oldest first (for reconcile). */
    public List<RefundRecord> unknownBefore(Instant before, int limit) {
        return sql.query(UNKNOWN_BEFORE, Map.of("before", before, "limit", limit)).stream().map(RefundRecord::of).toList();
    }

    /** Refunds of the payment still in flight or undecided (PENDING, UNKNOWN). */
    public long openOnPayment(String paymentId) {
        return Sql.longValue(sql.query(OPEN_ON_PAYMENT, Map.of("paymentId", paymentId)).get(0).get("n"));
    }

    /** A REFUNDED refund: the vendor's reference of its cancellation (null when the answer named none) and its amount. */
    public record Refunded(String vendorRefundRef, long amount) {
    }

    /** The payment's REFUNDED refunds. */
    public List<Refunded> refundedOnPayment(String paymentId) {
        return sql.query(REFUNDED_ON_PAYMENT, Map.of("paymentId", paymentId)).stream()
                .map(r -> new Refunded((String) r.get("vendor_refund_ref"), Sql.longValue(r.get("amount"))))
                .toList();
    }

    /** Forgets a refund that was never sent (rejected input, vendor not reached): its id may be used again. */
    public void forget(String refundId) {
        sql.update(FORGET, Map.of("refundId", refundId));
    }
}
