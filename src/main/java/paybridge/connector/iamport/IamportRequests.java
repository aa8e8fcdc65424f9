package paybridge.connector.iamport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import paybridge.canonical.Card;
import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorRequest;

/** Canonical commands → iamport (PortOne v1) calls, as VENDORS.md describes them. */
public final class IamportRequests {
    /** merchant_uid, imp_uid and customer_uid put into a URL path: no separators, nothing to escape. */
    /** An id iamport takes in a URL path (imp_uid, merchant_uid, customer_uid). */
    static final Pattern PATH_ID = Pattern.compile("[A-Za-z0-9_-]{1,80}");

    private IamportRequests() {
    }

    public static VendorRequest getToken(String apiKey, String apiSecret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("imp_key", apiKey);
        body.put("imp_secret", apiSecret);
        return VendorRequest.post("/users/getToken", VendorJson.write(body)).as("token");
    }

    /** {@code POST /subscribe/payments/onetime}: a key-in charge, storing the card when asked to. */
    public static VendorRequest keyIn(PaymentCommand cmd, String pg) {
        Card card = cmd.card();
        if (card == null) {
            throw new IllegalArgumentException("A KEY_IN payment needs card details: " + cmd.paymentId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("merchant_uid", cmd.paymentId());
        body.put("amount", cmd.amount());
        body.put("card_number", cardNumber(card));
        body.put("expiry", card.expiry());
        putIfPresent(body, "birth", card.birth());
        putIfPresent(body, "pwd_2digit", card.pwd2digit());
        if (cmd.saveBillingKey()) {
            if (cmd.billingKey() == null || cmd.billingKey().isBlank()) {
                throw new IllegalArgumentException("saveBillingKey needs the customer_uid in billingKey: " + cmd.paymentId());
            }
            body.put("customer_uid", cmd.billingKey());
        }
        putIfPresent(body, "pg", pg);
        body.put("name", cmd.orderName());
        buyer(body, cmd.customer());
        return VendorRequest.post("/subscribe/payments/onetime", VendorJson.write(body)).as("charge");
    }

    /** {@code POST /subscribe/payments/again}: a charge on a stored customer_uid. */
    public static VendorRequest again(PaymentCommand cmd) {
        if (cmd.billingKey() == null || cmd.billingKey().isBlank()) {
            throw new IllegalArgumentException("A BILLING_KEY payment needs the customer_uid: " + cmd.paymentId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customer_uid", cmd.billingKey());
        body.put("merchant_uid", cmd.paymentId());
        body.put("amount", cmd.amount());
        body.put("name", cmd.orderName());
        buyer(body, cmd.customer());
        return VendorRequest.post("/subscribe/payments/again", VendorJson.write(body)).as("charge");
    }

    /**
     * {@code POST /payments/cancel}. {@code checksum} is what paybridge's ledger says is still
     * refundable: if the vendor disagrees (a refund whose answer was lost went through after all)
     * the cancel fails instead of returning money twice.
     */
    public static VendorRequest cancel(RefundRequest refund) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (refund.vendorPaymentRef() != null && !refund.vendorPaymentRef().isBlank()) {
            body.put("imp_uid", refund.vendorPaymentRef());
        } else {
            body.put("merchant_uid", refund.paymentId());
        }
        body.put("amount", refund.amount());
        body.put("checksum", refund.remainingBefore());
        putIfPresent(body, "reason", refund.reason());
        return VendorRequest.post("/payments/cancel", VendorJson.write(body)).as("refund");
    }

    public static VendorRequest findByMerchantUid(String merchantUid) {
        return VendorRequest.get("/payments/find/" + pathId(merchantUid)).as("lookup");
    }

    public static VendorRequest byImpUid(String impUid) {
        return VendorRequest.get("/payments/" + pathId(impUid)).as("lookup");
    }

    /** 16 digits as {@code dddd-dddd-dddd-dddd} (iamport's documented form); 14 or 15 digits bare. */
    public static String cardNumber(Card card) {
        String d = card.digits();
        if (d.length() == 16) {
            return d.substring(0, 4) + "-" + d.substring(4, 8) + "-" + d.substring(8, 12) + "-" + d.substring(12);
        }
        return d;
    }

    private static void buyer(Map<String, Object> body, Customer customer) {
        if (customer == null) {
            return;
        }
        putIfPresent(body, "buyer_name", customer.name());
        putIfPresent(body, "buyer_email", customer.email());
        putIfPresent(body, "buyer_tel", customer.phone());
    }

    private static void putIfPresent(Map<String, Object> body, String key, String value) {
        if (value != null && !value.isBlank()) {
            body.put(key, value);
        }
    }

    static String pathId(String id) {
        if (id == null || !PATH_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Not a valid iamport id for a lookup");
        }
        return id;
    }
}
