package paybridge.webhooks;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStates.Write;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;

/**
 * The {@code payments} write webhook processing needs beyond {@link paybridge.ledger.PaymentStore}:
 * recording a payment paybridge did not start
 * (method {@code EXTERNAL}, e.g. a Steppay first payment made in the customer's browser). Such a
 * row is only written with a decided state and a positive amount, as the schema demands; one waiting for its
 * deposit joins reconcile's schedule, as paybridge's own do.
 */
public final class ExternalPayments {
    /** request_hash of a payment learnt from a webhook: no API command can ever match it (409). */
    public static final String EXTERNAL_HASH = "external:webhook";

    private static final String INSERT = """
            INSERT INTO payments (payment_id, request_hash, vendor, method, amount, currency, order_name, customer_id,
                subscription_id, billing_key, card_last4, status, vendor_payment_ref, failure_code, failure_message,
                created_at, updated_at, next_look_at)
            VALUES (:?paymentId, :?requestHash, :?vendor, 'EXTERNAL', :?amount, 'KRW', NULL, NULL,
                NULL, :?billingKey, NULL, :?status, :?vendorPaymentRef, :?failureCode, :?failureMessage, :?now, :?now,
                CASE WHEN CAST(:?status AS VARCHAR(20)) = 'AWAITING_DEPOSIT' THEN CURRENT_TIMESTAMP END)
            ON CONFLICT DO NOTHING""";

    /** The statement that writes a {@link PaymentStates} row, checked against it by PaymentStatesTest. */
    public static final Map<Write, String> STATE_CHANGES = Map.of(Write.INSERT_EXTERNAL, INSERT);

    private final Sql sql;
    public ExternalPayments(Sql sql) {
        this.sql = sql;
    }

    /**
     * Inserts the row in the state {@code recorded} reaches (a {@link Write#INSERT_EXTERNAL} row) unless
     * the paymentId or the vendor reference is taken; true when inserted.
     */
    public boolean insert(String paymentId, String vendor, long amount, Transition recorded, String vendorPaymentRef,
                          String billingKey, Failure failure) {
        recorded.requireWrite(Write.INSERT_EXTERNAL);
        Map<String, Object> p = new HashMap<>();
        p.put("paymentId", paymentId);
        p.put("requestHash", EXTERNAL_HASH);
        p.put("vendor", vendor);
        p.put("amount", amount);
        p.put("status", recorded.to().name());
        p.put("vendorPaymentRef", vendorPaymentRef);
        p.put("billingKey", billingKey);
        p.put("failureCode", failure == null ? null : failure.code());
        p.put("failureMessage", failure == null ? null : PaymentStore.truncate(failure.message(), 500));
        p.put("now", Instant.now());
        return sql.update(INSERT, p) == 1;
    }
}
