package paybridge.ledger;

import java.time.Instant;
import java.util.Map;

import paybridge.canonical.RefundState;

/**
 * A row of {@code refunds}.
 *
 * @param inFlightUntil when the refund can no longer be in flight at its vendor (database clock)
 * @param ledgerMark    the payment's last ledger entry when the refund was asked: the returns recorded up to
 *                      it are not this refund's; null on refunds asked before paybridge kept it
 */
public record RefundRecord(String refundId, String paymentId, String requestHash, long amount, String reason,
                           RefundState status, String failureCode, String failureMessage, Instant inFlightUntil,
                           Long ledgerMark) {

    static RefundRecord of(Map<String, Object> r) {
        return new RefundRecord((String) r.get("refund_id"), (String) r.get("payment_id"), (String) r.get("request_hash"),
                Sql.longValue(r.get("amount")), (String) r.get("reason"),
                RefundState.valueOf(((String) r.get("status")).trim()), (String) r.get("failure_code"),
                (String) r.get("failure_message"), Sql.instant(r.get("in_flight_until")),
                r.get("ledger_mark") == null ? null : Sql.longValue(r.get("ledger_mark")));
    }
}
