package paybridge.payments;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.ledger.LedgerStore;

/**
 * The money facts a vendor's looked-up record shows, as ledger events: one mapping for every path
 * that learns from a record (reconcile's lookup, a verified webhook), so both record the same facts
 * under the same event keys.
 */
public final class VendorRecordFacts {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VendorRecordFacts.class);
    private VendorRecordFacts() {
    }

    /**
     * The failure a move to FAILED records from the vendor's record (its reason, else that the vendor ended it
     * unpaid, as a virtual account closed or expired before its deposit); null for any other move. Billing reads
     * a FAILED payment's code: one without would be neither a decline nor a conclusion.
     */
    public static Failure failure(PaymentStates.Transition move, VendorPayment found) {
        if (move.to() != PaymentStatus.FAILED) {
            return null;
        }
        return new Failure("VENDOR_DECLINED", found.failureReason() != null ? found.failureReason()
                : "the vendor ended the payment unpaid (" + found.status() + ")");
    }

    /**
     * The ledger facts a looked-up record shows: PAID (+amount) for anything paid, then one return
     * per cancellation in the vendor's history, oldest first (negative, keyed by its cancellation id; the one
     * that returns the rest is CANCELLED, earlier ones PARTIALLY_REFUNDED). Without a history, one return
     * keyed by the cumulative amount. AWAITING_DEPOSIT, FAILED, ABANDONED: one entry of 0.
     * <p>
     * A vendor's record may show a payment's returns as a history at one time and only as their total at
     * another (Steppay's receipt, with and without {@code cancelHistory}). Once the ledger holds a return
     * under a total, some of the history's returns are in it without their ids: every one entered by its id
     * would count that money twice. Then the history's returns missing from the ledger are entered newest
     * first while they fit in what the ledger lacks of the history's total (the oldest are the ones a total
     * recorded earlier holds), and what is still lacking after them is one return under the history's total:
     * the ledger ends at what the vendor returned. {@code recorded} is read under the payment's lock.
     */
    public static List<PaymentEvent> events(String vendor, String paymentId, String subscriptionId, VendorPayment found,
                                     long amount, java.util.function.Supplier<LedgerStore.Returns> recorded) {
        List<PaymentEvent> out = new ArrayList<>();
        Instant at = found.occurredAt() == null ? Instant.now() : found.occurredAt();
        String ref = found.vendorPaymentRef();
        switch (found.status()) {
            case AWAITING_DEPOSIT, FAILED, ABANDONED -> out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                    EventType.valueOf(found.status().name()), 0, "KRW", null, 0, at));
            case PAID, PARTIALLY_REFUNDED, CANCELLED -> {
                if (amount > 0) {
                    out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId, EventType.PAID, amount, "KRW",
                            null, 0, at));
                }
                List<VendorPayment.Cancellation> listed = found.returnsOldestFirst();
                if (!listed.isEmpty()) {
                    LedgerStore.Returns held = recorded.get();
                    boolean[] skip = new boolean[listed.size()];
                    // a history with a return without an id keys that one by its running total: a total in the
                    // ledger may then be that very entry, and the rule below cannot tell; each is entered by its key
                    long lacking = held.largestTotalKey() > 0 && everyReturnNamed(listed)
                            ? lackingAfterNewest(paymentId, listed, held, skip) : 0;
                    long cumulative = 0;
                    for (int i = 0; i < listed.size(); i++) {
                        VendorPayment.Cancellation c = listed.get(i);
                        cumulative += c.amount();
                        if (!skip[i]) {
                            out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                                    PaymentStates.returned(cumulative, amount).ledgerEntry(), -c.amount(), "KRW",
                                    c.cancellationId(), cumulative, c.cancelledAt() == null ? at : c.cancelledAt()));
                        }
                    }
                    if (lacking > 0) {
                        out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                                PaymentStates.returned(cumulative, amount).ledgerEntry(), -lacking, "KRW", null,
                                cumulative, at));
                    }
                } else if (found.cancelledAmount() > 0) {
                    long missing = found.cancelledAmount() - recorded.get().returned();
                    if (missing > 0) {
                        out.add(new PaymentEvent(vendor, paymentId, ref, subscriptionId,
                                PaymentStates.returned(found.cancelledAmount(), amount).ledgerEntry(),
                                -missing, "KRW", null, found.cancelledAmount(), at));
                    }
                }
            }
            default -> {
            }
        }
        return out;
    }

    /**
     * Against a ledger holding a return under a total: marks in {@code skip} the history's returns not to
     * enter by their ids (those the total holds), and answers what the ledger still lacks of the history's
     * total after the others (entered under the total). A return already in the ledger by its id is counted
     * in what it holds and entered again harmlessly (the same key).
     */
    private static long lackingAfterNewest(String paymentId, List<VendorPayment.Cancellation> listed,
                                           LedgerStore.Returns held, boolean[] skip) {
        long lacking = listed.stream().mapToLong(VendorPayment.Cancellation::amount).sum() - held.returned();
        if (lacking < 0) {
            // the ledger shows more returned than the vendor's record: no return of the record is entered (a
            // later one too would count money twice); an operator compares
            LOG.warn("paymentId={}: the ledger shows {} KRW more returned than the vendor's record lists; no return of"
                    + " the record entered (compare the ledger with the vendor console)", paymentId, -lacking);
        }
        for (int i = listed.size() - 1; i >= 0; i--) {
            VendorPayment.Cancellation c = listed.get(i);
            if (c.cancellationId() != null && held.cancellationIds().contains(c.cancellationId())) {
                continue;
            }
            if (c.amount() <= lacking) {
                lacking -= c.amount();
            } else {
                skip[i] = true;
            }
        }
        return Math.max(0, lacking);
    }

    private static boolean everyReturnNamed(List<VendorPayment.Cancellation> listed) {
        return listed.stream().allMatch(c -> c.cancellationId() != null && !c.cancellationId().isBlank());
    }

    /**
     * The ids of the history's oldest returns that together come to no more than {@code total}: what the
     * vendor had returned when its record showed that cumulative total. Empty when the record cannot say
     * where that cut falls: a return without a time, or returns of one time on both sides of it.
     */
    public static java.util.Optional<java.util.Set<String>> returnedBy(VendorPayment found, long total) {
        List<VendorPayment.Cancellation> listed = found.returnsOldestFirst();
        if (listed.stream().anyMatch(c -> c.cancelledAt() == null)) {
            return java.util.Optional.empty();
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        long cumulative = 0;
        for (int i = 0; i < listed.size(); i++) {
            VendorPayment.Cancellation c = listed.get(i);
            cumulative += c.amount();
            if (cumulative > total) {
                if (i > 0 && listed.get(i - 1).cancelledAt().equals(c.cancelledAt())) {
                    return java.util.Optional.empty();
                }
                break;
            }
            if (c.cancellationId() != null && !c.cancellationId().isBlank()) {
                ids.add(c.cancellationId());
            }
        }
        return java.util.Optional.of(ids);
    }

}
