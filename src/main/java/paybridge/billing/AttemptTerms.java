package paybridge.billing;

import java.util.Map;

import paybridge.canonical.Customer;
import paybridge.ledger.Sql;

/**
 * What an attempt charges: the subscription's terms as they were when the attempt was claimed (the
 * claim copies them into its {@code billing_attempts} row in the same statement). A PATCH changes the
 * subscription, never a claimed attempt: the claimed one, and a takeover of it by a later run, is
 * charged with these.
 */
public record AttemptTerms(String vendor, String billingKey, long amount, String currency, String orderName,
                           Customer customer) {

    /** The subscription's current terms. */
    static AttemptTerms of(Subscription s) {
        return new AttemptTerms(s.vendor(), s.billingKey(), s.amount(), s.currency(), s.orderName(), s.customer());
    }

    /**
     * The terms an attempt row was claimed with; an attempt claimed before terms were copied (no
     * {@code billing_key} on its row) is charged with the subscription's.
     */
    static AttemptTerms of(Map<String, Object> attemptRow, Subscription s) {
        if (attemptRow == null || attemptRow.get("billing_key") == null) {
            return of(s);
        }
        Object currency = attemptRow.get("currency");
        return new AttemptTerms((String) attemptRow.get("vendor"), (String) attemptRow.get("billing_key"),
                Sql.longValue(attemptRow.get("amount")), currency == null ? s.currency() : currency.toString().trim(),
                (String) attemptRow.get("order_name"),
                new Customer(s.customer().id(), (String) attemptRow.get("customer_name"),
                        (String) attemptRow.get("customer_phone"), (String) attemptRow.get("customer_email")));
    }
}
