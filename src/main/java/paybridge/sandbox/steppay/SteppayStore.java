package paybridge.sandbox.steppay;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's memory: payments by idKey, orderId and orderCode, and the generators of
 * Steppay-looking identifiers. Thread-safe; forgotten on restart like a fresh test account.
 */
final class SteppayStore {
    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    // idKeys are billing keys: not guessable, so SecureRandom (non-blocking on Linux).
    private final SecureRandom random = new SecureRandom();
    private final Map<String, SteppayPayment> byIdKey = new ConcurrentHashMap<>();
    private final Map<Long, SteppayPayment> byOrderId = new ConcurrentHashMap<>();
    private final Map<String, SteppayPayment> byOrderCode = new ConcurrentHashMap<>();
    // orderId 1 is the seeded payment, matching the vendor's webhook example {"orderId": 1, ...}.
    private final AtomicLong nextOrderId = new AtomicLong(1);

    /** Current time in Korea, ISO-8601 with offset and milliseconds. */
    static String now() {
        return OffsetDateTime.now(SEOUL).format(ISO);
    }

    /**
     * Stores a new payment. {@code idKey} null means "generate one": 13 epoch-millisecond digits
     * plus 16 letters/digits, as Steppay's look.
     */
    SteppayPayment create(String idKey, String partnerOrderId, String partnerUserId, String itemName,
            SteppayPayment.Method method, long amount, SteppayPayment.Status status) {
        long orderId = nextOrderId.getAndIncrement();
        String paymentDate = status == SteppayPayment.Status.COMPLETE ? now() : null;
        while (true) {
            String key = idKey != null ? idKey : System.currentTimeMillis() + randomAlnum(16);
            SteppayPayment payment = new SteppayPayment(key, orderId, "order_" + randomAlnum(20), partnerOrderId,
                    partnerUserId, itemName, method, amount, newTid(), status, paymentDate);
            if (byIdKey.putIfAbsent(key, payment) == null) {
                byOrderId.put(orderId, payment);
                byOrderCode.put(payment.orderCode, payment);
                return payment;
            }
            if (idKey != null) {
                throw new IllegalStateException("idKey already exists");
            }
        }
    }

    /** Every payment's receipt, for test audits. */
    io.vertx.core.json.JsonArray records() {
        io.vertx.core.json.JsonArray all = new io.vertx.core.json.JsonArray();
        byIdKey.values().forEach(p -> all.add(p.receipt()));
        return all;
    }

    SteppayPayment byIdKey(String idKey) {
        return idKey == null ? null : byIdKey.get(idKey);
    }

    /** All digits: Steppay's numeric order id; anything else: its order code. */
    SteppayPayment byOrderIdOrCode(String value) {
        if (value.matches("\\d{1,18}")) {
            return byOrderId.get(Long.parseLong(value));
        }
        return byOrderCode.get(value);
    }

    /** A PG transaction id, as the card company would hand one back. */
    String newTid() {
        return "StdpayCARD" + System.currentTimeMillis() + randomAlnum(8);
    }

    String traceId() {
        return randomAlnum(32).toLowerCase();
    }

    private String randomAlnum(int length) {
        // one SecureRandom call per string, not per character: each call takes the generator's lock
        // (three ids per simulated payment were 44 calls). The modulo bias (256 % 62) is immaterial here.
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(length);
        for (byte b : bytes) {
            sb.append(ALNUM.charAt((b & 0xff) % ALNUM.length()));
        }
        return sb.toString();
    }
}
