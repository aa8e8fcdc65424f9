package paybridge.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import paybridge.canonical.Failure;
import paybridge.canonical.RefundState;

/** Refunds through the API ({@code refunds}); {@code refund_id} is the idempotency key. */
public final class RefundStore {
    private static final String INSERT = """
            INSERT INTO refunds (refund_id, payment_id, request_hash, amount, reason, status, created_at, updated_at,
                in_flight_until, ledger_mark)
            VALUES (:?refundId, :?paymentId, :?requestHash, :?amount, :?reason, 'PENDING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
                CURRENT_TIMESTAMP + CAST(:?horizonSeconds AS BIGINT) * INTERVAL '1' SECOND,
                (SELECT COALESCE(MAX(entry_id), 0) FROM ledger_entries WHERE payment_id = :?paymentId))
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM refunds WHERE refund_id = :?refundId";
    private static final String FINISH = """
            UPDATE refunds SET status = :?status, vendor_refund_ref = :?ref, failure_code = :?failureCode,
                failure_message = :?failureMessage, updated_at = CURRENT_TIMESTAMP
            WHERE refund_id = :?refundId AND status IN ('PENDING', 'UNKNOWN')""";
    // open refunds that can no longer be in flight (database clock): PENDING ones too, whose node
    // stopped between the row and its finish; least recently looked at first. Every updated_at is the
    // database's clock (never a node's): a node far behind would keep its rows first, one far ahead
    // would starve its own, and 100 rows a round would let that decide which refunds are ever looked at
    // a refund concluded never refunded that the vendor showed refunded after all
    private static final String OVERTURN_NOT_REFUNDED = """
            UPDATE refunds SET status = 'REFUNDED', vendor_refund_ref = :?ref, failure_code = NULL,
                failure_message = NULL, updated_at = CURRENT_TIMESTAMP
            WHERE refund_id = :?refundId AND status = 'FAILED' AND failure_code = 'NOT_REFUNDED'""";
    private static final String OPEN_PAST_IN_FLIGHT = """
            SELECT * FROM refunds WHERE status IN ('PENDING', 'UNKNOWN') AND in_flight_until < CURRENT_TIMESTAMP
            ORDER BY updated_at LIMIT :?limit""";
    // as of a moment of the database's clock taken earlier (a lookup's start), or its now
    private static final String PAST_IN_FLIGHT_BY = """
            SELECT COUNT(*) AS n FROM refunds WHERE refund_id = :?refundId
              AND in_flight_until + CAST(:?seconds AS BIGINT) * INTERVAL '1' SECOND
                  < COALESCE(CAST(:?asOf AS TIMESTAMP WITH TIME ZONE), CURRENT_TIMESTAMP)""";
    private static final String LOOKED_AT = """
            UPDATE refunds SET updated_at = CURRENT_TIMESTAMP WHERE refund_id = :?refundId AND status IN ('PENDING', 'UNKNOWN')""";
    private static final String OPEN_ON_PAYMENT = """
            SELECT COUNT(*) AS n FROM refunds WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')""";
    private static final String OPEN_REFUNDS_ON_PAYMENT = """
            SELECT * FROM refunds WHERE payment_id = :?paymentId AND status IN ('PENDING', 'UNKNOWN')
            ORDER BY created_at, refund_id""";
    private static final String REFUNDED_ON_PAYMENT = """
            SELECT amount, vendor_refund_ref FROM refunds WHERE payment_id = :?paymentId AND status = 'REFUNDED'""";
    private static final String FORGET = "DELETE FROM refunds WHERE refund_id = :?refundId AND status = 'PENDING'";
    private static final String REFUNDED_WITH_REF = """
            SELECT COUNT(*) AS n FROM refunds WHERE payment_id = :?paymentId AND vendor_refund_ref = :?ref
              AND status = 'REFUNDED' AND refund_id <> :?refundId""";

    private final Sql sql;

    public RefundStore(Sql sql) {
        this.sql = sql;
    }

    /**
     * Records a PENDING refund; false when the refundId is taken.
     *
     * @param inFlight how long from now (database clock) the refund may be in flight at its vendor
     */
    public boolean insert(String refundId, String paymentId, String requestHash, long amount, String reason,
                          Duration inFlight) {
        Map<String, Object> p = new HashMap<>();
        p.put("horizonSeconds", Math.max(0, (inFlight.toMillis() + 999) / 1000));
        p.put("refundId", refundId);
        p.put("paymentId", paymentId);
        p.put("requestHash", requestHash);
        p.put("amount", amount);
        p.put("reason", reason);
        return sql.update(INSERT, p) == 1;
    }

    public Optional<RefundRecord> find(String refundId) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("refundId", refundId));
        return rows.isEmpty() ? Optional.empty() : Optional.of(RefundRecord.of(rows.get(0)));
    }

    /** As {@link #insert(String, String, String, long, String, Duration)}, past its in-flight bound at once (tests, tools). */
    public boolean insert(String refundId, String paymentId, String requestHash, long amount, String reason) {
        return insert(refundId, paymentId, requestHash, amount, reason, Duration.ZERO);
    }

    /** Whether another refund of the payment was decided REFUNDED with the vendor's return {@code ref}. */
    public boolean refundedWithRefByAnother(String paymentId, String ref, String refundId) {
        return Sql.longValue(sql.query(REFUNDED_WITH_REF, Map.of("paymentId", paymentId, "ref", ref, "refundId", refundId))
                .get(0).get("n")) > 0;
    }

    /** Decides an open (PENDING or UNKNOWN) refund; false when it was decided already (by another node or route). */
    public boolean finish(String refundId, RefundState status, String ref, Failure failure) {
        if (status == RefundState.PENDING) {
            throw new IllegalArgumentException("a refund is finished REFUNDED, FAILED or UNKNOWN, not " + status);
        }
        Map<String, Object> p = new HashMap<>();
        p.put("refundId", refundId);
        p.put("status", status.name());
        p.put("ref", ref);
        // a vendor's text as long as it likes: cut to the columns, never a failed finish (a 500, the money held)
        p.put("failureCode", failure == null ? null : PaymentStore.truncate(failure.code(), 64));
        p.put("failureMessage", failure == null ? null : PaymentStore.truncate(failure.message(), 500));
        return sql.inTransaction(() -> {
            if (sql.update(FINISH, p) != 1) {
                return false;
            }
            if (!status.isOpen()) {
                decided(refundId);
            }
            return true;
        });
    }

    /**
     * A refund decided in this transaction: its event (refund.refunded, refund.failed) is written when
     * the transaction's work is done, so its data shows the return the same transaction enters.
     */
    private void decided(String refundId) {
        EventFacts facts = EventFacts.of(sql);
        Transactions.beforeCommit(() -> facts.refundDecided(refundId));
    }

    /**
     * Moves a refund concluded never refunded (FAILED NOT_REFUNDED) to REFUNDED; false when it is not
     * in that state (so only one learner overturns it).
     */
    public boolean overturnNotRefunded(String refundId, String ref) {
        Map<String, Object> p = new HashMap<>();
        p.put("refundId", refundId);
        p.put("ref", ref);
        return sql.inTransaction(() -> {
            if (sql.update(OVERTURN_NOT_REFUNDED, p) != 1) {
                return false;
            }
            decided(refundId);
            return true;
        });
    }

    /**
     * PENDING and UNKNOWN refunds past their in-flight bound (database clock), least recently looked
     * at first (for reconcile).
     */
    public List<RefundRecord> openPastInFlight(int limit) {
        return sql.query(OPEN_PAST_IN_FLIGHT, Map.of("limit", limit)).stream().map(RefundRecord::of).toList();
    }

    /** Whether {@code more} had passed since the refund's in-flight bound at {@code asOf} (the database's time; null: now). */
    public boolean pastInFlightBy(String refundId, Duration more, Instant asOf) {
        Map<String, Object> p = new HashMap<>();
        p.put("refundId", refundId);
        p.put("seconds", more.toSeconds());
        p.put("asOf", asOf);
        return Sql.longValue(sql.query(PAST_IN_FLIGHT_BY, p).get(0).get("n")) == 1;
    }

    /** The database's time now (a lookup's start, for {@link #pastInFlightBy(String, Duration, Instant)}). */
    public Instant databaseNow() {
        return sql.databaseNow();
    }

    /** Stamps an open refund as looked at now, so the next rounds look at the others first. */
    public void lookedAt(String refundId) {
        sql.update(LOOKED_AT, Map.of("refundId", refundId));
    }

    /** Runs {@code work} as one database transaction (see {@link Sql#inTransaction}). */
    public <T> T inTransaction(Supplier<T> work) {
        return sql.inTransaction(work);
    }

    /** Refunds of the payment still in flight or undecided (PENDING, UNKNOWN). */
    public long openOnPayment(String paymentId) {
        return Sql.longValue(sql.query(OPEN_ON_PAYMENT, Map.of("paymentId", paymentId)).get(0).get("n"));
    }

    /** The payment's open (PENDING, UNKNOWN) refunds, oldest first. */
    public List<RefundRecord> openRefundsOnPayment(String paymentId) {
        return sql.query(OPEN_REFUNDS_ON_PAYMENT, Map.of("paymentId", paymentId)).stream().map(RefundRecord::of).toList();
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

    /** The amounts of the payment's REFUNDED refunds together. */
    public long refundedSum(String paymentId) {
        return refundedOnPayment(paymentId).stream().mapToLong(Refunded::amount).sum();
    }

    /** Forgets a refund that was never sent (rejected input, vendor not reached): its id may be used again. */
    public boolean forget(String refundId) {
        return sql.update(FORGET, Map.of("refundId", refundId)) == 1;
    }
}
