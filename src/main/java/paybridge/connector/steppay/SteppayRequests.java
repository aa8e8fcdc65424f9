package paybridge.connector.steppay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.connector.RefundRequest;
import paybridge.connector.http.VendorJson;
import paybridge.connector.http.VendorRequest;

/** Canonical commands → Steppay "Self" payment calls, as VENDORS.md describes them. */
public final class SteppayRequests {
    /** An idKey in a URL path: 13 digits + 16 letters/digits at the vendor; anything path-safe accepted. */
    /** An idKey as Steppay's receipt lookup takes it in its URL path. */
    static final Pattern ID_KEY = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private SteppayRequests() {
    }

    /**
     * {@code POST /api/payment/billing}: charges the billing key (the idKey of the payment that
     * issued it). {@code product.amount} is the total; {@code quantity} is informative.
     * taxFreeAmount 0, discount 0 and isMobile false are in the vendor's schema and harmless.
     */
    public static VendorRequest billing(PaymentCommand cmd) {
        if (cmd.billingKey() == null || cmd.billingKey().isBlank()) {
            throw new IllegalArgumentException("A Steppay BILLING_KEY payment needs the idKey: " + cmd.paymentId());
        }
        Customer c = cmd.customer();
        Map<String, Object> partner = new LinkedHashMap<>();
        partner.put("partnerOrderId", cmd.paymentId());
        partner.put("partnerUserId", c == null ? null : c.id());
        Map<String, Object> product = new LinkedHashMap<>();
        product.put("itemName", cmd.orderName());
        product.put("amount", cmd.amount());
        product.put("quantity", cmd.quantity());
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("userName", c == null ? null : c.name());
        customer.put("phone", c == null ? null : c.phone());
        customer.put("email", c == null ? null : c.email());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("idKey", cmd.billingKey());
        body.put("partner", partner);
        body.put("product", product);
        body.put("customer", customer);
        body.put("taxFreeAmount", 0);
        body.put("discount", 0);
        body.put("isMobile", false);
        return VendorRequest.post("/api/payment/billing", VendorJson.write(body)).as("charge");
    }

    /** {@code POST /api/internal/payment/cancel}; the amount as a JSON number (the schema's type). */
    public static VendorRequest cancel(RefundRequest refund) {
        if (refund.vendorPaymentRef() == null || refund.vendorPaymentRef().isBlank()) {
            throw new IllegalArgumentException("A Steppay refund needs the payment's idKey: " + refund.paymentId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("idKey", refund.vendorPaymentRef());
        body.put("requestPrice", refund.amount());
        return VendorRequest.post("/api/internal/payment/cancel", VendorJson.write(body)).as("refund");
    }

    public static VendorRequest receipt(String idKey) {
        if (idKey == null || !ID_KEY.matcher(idKey).matches()) {
            throw new IllegalArgumentException("Not a valid Steppay idKey for a lookup");
        }
        return VendorRequest.get("/api/payment/receipt/" + idKey).as("lookup");
    }
}
