package paybridge.sandbox.iamport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's memory: payments by imp_uid, the merchant_uid each one used, billing keys, and
 * the identifiers it hands out. Thread-safe without long locks: a merchant_uid is claimed with one
 * {@code putIfAbsent}, so of two concurrent charges with the same merchant_uid exactly one wins.
 */
final class IamportStore {
    private final Map<String, IamportPayment> payments = new ConcurrentHashMap<>();
    /** merchant_uid → imp_uid. iamport never reuses a merchant_uid, so there is at most one. */
    private final Map<String, String> byMerchantUid = new ConcurrentHashMap<>();
    private final Map<String, IamportCustomer> customers = new ConcurrentHashMap<>();

    // a random start, so imp_uids differ between sandbox runs as they would between real payments
    private final AtomicLong impSeq = new AtomicLong(100_000_000_000L + ThreadLocalRandom.current().nextLong(800_000_000_000L));
    private final AtomicLong pgSeq = new AtomicLong();
    private final AtomicLong cancelSeq = new AtomicLong();

    String newImpUid() {
        return String.format("imp_%012d", impSeq.incrementAndGet());
    }

    String newPgTid(long now) {
        return String.format("STPG%d%06d", now, pgSeq.incrementAndGet() % 1_000_000);
    }

    static String newApplyNum() {
        return String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    /** 20 upper-case letters and digits, like the vendor's; unique because it starts with a counter. */
    String newCancellationId() {
        String counter = Long.toString(cancelSeq.incrementAndGet(), 36).toUpperCase();
        StringBuilder id = new StringBuilder("0".repeat(Math.max(0, 8 - counter.length()))).append(counter);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        while (id.length() < 20) {
            id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return id.toString();
    }

    /**
     * Publishes a settled payment unless its merchant_uid was already used by any payment.
     *
     * @return false for a duplicate merchant_uid: nothing is stored
     */
    boolean publish(IamportPayment payment) {
        // stored by imp_uid first, so a find by merchant_uid never sees an index entry without its payment
        payments.put(payment.impUid, payment);
        if (byMerchantUid.putIfAbsent(payment.merchantUid, payment.impUid) != null) {
            payments.remove(payment.impUid);
            return false;
        }
        return true;
    }

    /** Every payment in iamport's Payment shape (its cancel_history included), for test audits. */
    java.util.List<Map<String, Object>> records() {
        return payments.values().stream().map(IamportPayment::toJson).toList();
    }

    IamportPayment byImpUid(String impUid) {
        return payments.get(impUid);
    }

    IamportPayment byMerchantUid(String merchantUid) {
        String impUid = byMerchantUid.get(merchantUid);
        return impUid == null ? null : payments.get(impUid);
    }

    /** Stores or replaces the billing key of {@code customerUid}. */
    void saveCustomer(IamportCustomer customer) {
        customers.put(customer.customerUid(), customer);
    }

    IamportCustomer customer(String customerUid) {
        return customers.get(customerUid);
    }
}
