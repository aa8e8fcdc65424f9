package paybridge.payments;

/** Canonical command bodies for the API tests. */
final class Commands {
    static final String STEPPAY_KEY = "16057932413479698c8vqQG0kMix9";

    private Commands() {
    }

    static String keyIn(String paymentId, long amount, boolean saveBillingKey) {
        return """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": %d,
                 "orderName": "Premium plan", "customer": {"id": "user-42", "name": "홍길동", "phone": "010-1234-5678",
                 "email": "gildong@example.kr"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"},
                 "saveBillingKey": %s}""".formatted(paymentId, amount, saveBillingKey);
    }

    static String billingKey(String paymentId, String vendor, long amount, String key) {
        return """
                {"paymentId": "%s", "vendor": "%s", "method": "BILLING_KEY", "amount": %d, "orderName": "Premium plan",
                 "customer": {"id": "user-42", "name": "홍길동"}, "billingKey": "%s"}""".formatted(paymentId, vendor, amount, key);
    }

    static String refund(String refundId, String paymentId, Long amount) {
        return amount == null
                ? "{\"refundId\": \"%s\", \"paymentId\": \"%s\", \"reason\": \"test\"}".formatted(refundId, paymentId)
                : "{\"refundId\": \"%s\", \"paymentId\": \"%s\", \"amount\": %d, \"reason\": \"test\"}"
                        .formatted(refundId, paymentId, amount);
    }
}
