package paybridge.connector.toss;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.BillingKeyRequest;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorRequest;

/** Canonical commands → Toss Payments calls, as TOSS.md describes them. */
public final class TossRequests {
    /** A paymentKey or billingKey in a URL path (at most 200 characters at Toss): nothing to escape. */
    static final Pattern PATH_KEY = Pattern.compile("[A-Za-z0-9_=.-]{1,200}");
    /** Toss's orderId: 6–64 characters of {@code [A-Za-z0-9_-]}. */
    static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9_-]{6,64}");
    /** Toss's customerKey: 2–300 characters of letters, digits and {@code -_=.@}. */
    static final Pattern CUSTOMER_KEY = Pattern.compile("[A-Za-z0-9_=.@-]{2,300}");
    /** Toss keeps an Idempotency-Key at most 300 characters long. */
    static final int MAX_IDEMPOTENCY_KEY = 300;
    /** Toss requires a cancelReason (at most 200 characters). */
    static final String DEFAULT_CANCEL_REASON = "refund requested";

    private TossRequests() {
    }

    /** {@code Authorization: Basic base64("<secretKey>:")}: the secret key as user name, an empty password. */
    public static String basicAuth(String secretKey) {
        return "Basic " + Base64.getEncoder().encodeToString((secretKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The Idempotency-Key of a charge: one per attempt (paymentId), the same on every re-ask of it, so
     * Toss answers a re-ask with the first answer instead of charging again.
     */
    public static String chargeKey(String paymentId) {
        return "paybridge-charge-" + paymentId;
    }

    /** The Idempotency-Key of a cancel: one per refund (refundId). */
    public static String cancelKey(String refundId) {
        return "paybridge-refund-" + refundId;
    }

    /** {@code POST /v1/billing/authorizations/issue}: a billing key from the billing window's authKey. */
    public static VendorRequest issue(BillingKeyRequest request) {
        if (request.authKey() == null || request.authKey().isBlank()) {
            throw new IllegalArgumentException("A Toss billing key needs an authKey");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("authKey", request.authKey());
        body.put("customerKey", request.customerId());
        return VendorRequest.post("/v1/billing/authorizations/issue", VendorJson.write(body)).as("billing_key");
    }

    /**
     * {@code POST /v1/billing/{billingKey}}: a charge on a billing key. {@code customerKey} is the
     * command's customer id (it must be the customer the key was issued to), {@code orderId} its paymentId.
     */
    public static VendorRequest billing(PaymentCommand cmd) {
        String billingKey = cmd.billingKey();
        if (billingKey == null || !PATH_KEY.matcher(billingKey).matches()) {
            throw new IllegalArgumentException("A Toss BILLING_KEY payment needs a valid billingKey: " + cmd.paymentId());
        }
        Customer c = cmd.customer();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerKey", c.id());
        body.put("amount", cmd.amount());
        body.put("orderId", cmd.paymentId());
        body.put("orderName", cmd.orderName());
        putIfPresent(body, "customerEmail", c.email());
        putIfPresent(body, "customerName", c.name());
        // Toss takes the phone number as digits only
        putIfPresent(body, "customerMobilePhone", c.phone() == null ? null : c.phone().replaceAll("\\D", ""));
        return VendorRequest.post("/v1/billing/" + billingKey, VendorJson.write(body)).as("charge");
    }

    /** {@code POST /v1/payments/{paymentKey}/cancel} with {@code cancelAmount}: all or part of what is left. */
    public static VendorRequest cancel(RefundRequest refund) {
        String paymentKey = refund.vendorPaymentRef();
        if (paymentKey == null || !PATH_KEY.matcher(paymentKey).matches()) {
            throw new IllegalArgumentException("A Toss refund needs the payment's paymentKey: " + refund.paymentId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        String reason = refund.reason() == null || refund.reason().isBlank() ? DEFAULT_CANCEL_REASON : refund.reason();
        body.put("cancelReason", reason.length() > 200 ? reason.substring(0, 200) : reason);
        body.put("cancelAmount", refund.amount());
        return VendorRequest.post("/v1/payments/" + paymentKey + "/cancel", VendorJson.write(body)).as("refund");
    }

    /** {@code GET /v1/payments/{paymentKey}}. */
    public static VendorRequest byPaymentKey(String paymentKey) {
        if (paymentKey == null || !PATH_KEY.matcher(paymentKey).matches()) {
            throw new IllegalArgumentException("Not a valid Toss paymentKey for a lookup");
        }
        return VendorRequest.get("/v1/payments/" + paymentKey).as("lookup");
    }

    /** {@code GET /v1/payments/orders/{orderId}}: the payment under our paymentId. */
    public static VendorRequest byOrderId(String orderId) {
        if (orderId == null || !ORDER_ID.matcher(orderId).matches()) {
            throw new IllegalArgumentException("Not a valid Toss orderId for a lookup");
        }
        return VendorRequest.get("/v1/payments/orders/" + orderId).as("lookup");
    }

    /** The headers of a call: the secret key, and the Idempotency-Key of a charge or a cancel. */
    static Map<String, String> headers(String authorization, String idempotencyKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", authorization);
        if (idempotencyKey != null) {
            if (idempotencyKey.length() > MAX_IDEMPOTENCY_KEY) {
                throw new IllegalArgumentException("Idempotency-Key longer than " + MAX_IDEMPOTENCY_KEY);
            }
            headers.put("Idempotency-Key", idempotencyKey);
        }
        return Map.copyOf(headers);
    }

    private static void putIfPresent(Map<String, Object> body, String key, String value) {
        if (value != null && !value.isBlank()) {
            body.put(key, value);
        }
    }
}
