package paybridge.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code billing_keys} table: one row per (vendor, authKey hash), the idempotency of
 * {@code POST /api/billing-keys}. A row is PENDING from before the vendor is asked until its answer,
 * ISSUED with the key after. In-flight bounds are the database's clock.
 */
public final class BillingKeyStore {
    private static final String INSERT = """
            INSERT INTO billing_keys (vendor, auth_key_hash, customer_id, status, in_flight_until)
            VALUES (:?vendor, :?hash, :?customerId, 'PENDING', CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND)
            ON CONFLICT DO NOTHING""";
    private static final String FIND = "SELECT * FROM billing_keys WHERE vendor = :?vendor AND auth_key_hash = :?hash";
    // a PENDING row whose ask can no longer be in flight (a lost answer, a node that died): asked again
    private static final String RECLAIM = """
            UPDATE billing_keys SET in_flight_until = CURRENT_TIMESTAMP + CAST(:?horizon AS BIGINT) * INTERVAL '1' SECOND
            WHERE vendor = :?vendor AND auth_key_hash = :?hash AND status = 'PENDING' AND in_flight_until < CURRENT_TIMESTAMP""";
    private static final String ISSUED = """
            UPDATE billing_keys SET status = 'ISSUED', billing_key = :?billingKey, card_number = :?cardNumber,
                card_issuer = :?cardIssuer, issued_at = CURRENT_TIMESTAMP
            WHERE vendor = :?vendor AND auth_key_hash = :?hash AND status = 'PENDING'""";
    // a re-send the vendor did not process: nothing in flight any more, the next re-send may take the row at once
    private static final String RELEASE = """
            UPDATE billing_keys SET in_flight_until = CURRENT_TIMESTAMP - INTERVAL '0.001' SECOND
            WHERE vendor = :?vendor AND auth_key_hash = :?hash AND status = 'PENDING'""";
    // the vendor refused the authorization or never got it: nothing is issued, the authKey may be sent again
    private static final String FORGET = """
            DELETE FROM billing_keys WHERE vendor = :?vendor AND auth_key_hash = :?hash AND status = 'PENDING'""";

    private final Sql sql;

    public BillingKeyStore(Sql sql) {
        this.sql = sql;
    }

    /** A row of the table. */
    public record Row(String vendor, String customerId, boolean issued, String billingKey, String cardNumber,
                      String cardIssuer, Instant issuedAt) {
    }

    /** Records the ask before the vendor hears of it; false when the authKey has a row already. */
    public boolean insert(String vendor, String hash, String customerId, Duration horizon) {
        return sql.update(INSERT, Map.of("vendor", vendor, "hash", hash, "customerId", customerId,
                "horizon", horizon.toSeconds() + 1)) == 1;
    }

    public Optional<Row> find(String vendor, String hash) {
        List<Map<String, Object>> rows = sql.query(FIND, Map.of("vendor", vendor, "hash", hash));
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> r = rows.get(0);
        return Optional.of(new Row((String) col(r, "vendor"), (String) col(r, "customer_id"),
                "ISSUED".equals(col(r, "status")), (String) col(r, "billing_key"), (String) col(r, "card_number"),
                (String) col(r, "card_issuer"), Sql.instant(col(r, "issued_at"))));
    }

    /** Takes a PENDING row whose last ask can no longer be in flight; false when it may still be. */
    public boolean reclaim(String vendor, String hash, Duration horizon) {
        return sql.update(RECLAIM, Map.of("vendor", vendor, "hash", hash, "horizon", horizon.toSeconds() + 1)) == 1;
    }

    public boolean issued(String vendor, String hash, String billingKey, String cardNumber, String cardIssuer) {
        Map<String, Object> p = new HashMap<>();
        p.put("vendor", vendor);
        p.put("hash", hash);
        p.put("billingKey", billingKey);
        p.put("cardNumber", truncate(cardNumber));
        p.put("cardIssuer", truncate(cardIssuer));
        return sql.update(ISSUED, p) == 1;
    }

    /** A PENDING row no ask is in flight for (the last was not processed): the next re-send takes it at once. */
    public void release(String vendor, String hash) {
        sql.update(RELEASE, Map.of("vendor", vendor, "hash", hash));
    }

    public void forget(String vendor, String hash) {
        sql.update(FORGET, Map.of("vendor", vendor, "hash", hash));
    }

    private static String truncate(String v) {
        return v == null || v.length() <= 40 ? v : v.substring(0, 40);
    }

    private static Object col(Map<String, Object> r, String name) {
        return r.containsKey(name) ? r.get(name) : r.get(name.toUpperCase());
    }
}
