package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorPayment.Cancellation;
import paybridge.ledger.LedgerStore.Returns;

/**
 * The returns a vendor's history adds to a ledger that already holds some of them under a cumulative total
 * (a record that once showed no history): the ledger ends at what the vendor returned, never counting a
 * return twice nor leaving one out, whatever order the vendor lists them in.
 */
class VendorRecordFactsTest {
    private static final Instant T1 = Instant.parse("2026-12-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-02T00:00:00Z");
    private static final Instant T3 = Instant.parse("2026-12-03T00:00:00Z");

    private static VendorPayment record(Cancellation... history) {
        long total = List.of(history).stream().mapToLong(Cancellation::amount).sum();
        return new VendorPayment(true, "steppay", "idk-1", "p-1", PaymentStatus.PARTIALLY_REFUNDED, 9000, total,
                List.of(history), null, null, T1);
    }

    /** The returns the facts add: their event keys' tails and amounts, and what the ledger then holds. */
    private static List<String> returns(VendorPayment found, Returns held) {
        return VendorRecordFacts.events("steppay", "p-1", null, found, 9000, () -> held).stream()
                .filter(e -> e.amount() < 0)
                .map(e -> e.eventKey().substring(e.eventKey().indexOf("RETURN:") + 7) + " " + e.amount())
                .toList();
    }

    @Test
    void theOldestReturnsATotalHoldsAreNotEnteredAgainByTheirIds() {
        // t=5000 holds A and B; C is new
        VendorPayment found = record(new Cancellation("A", 3000, T1), new Cancellation("B", 2000, T2),
                new Cancellation("C", 1000, T3));
        assertThat(returns(found, new Returns(5000, 5000, Set.of()))).containsExactly("c=C -1000");
        // listed newest first: the same
        VendorPayment newestFirst = record(new Cancellation("C", 1000, T3), new Cancellation("B", 2000, T2),
                new Cancellation("A", 3000, T1));
        assertThat(returns(newestFirst, new Returns(5000, 5000, Set.of()))).containsExactly("c=C -1000");
    }

    @Test
    void aTotalThatHoldsLessThanItNamesIsToppedUpToTheVendorsTotal() {
        // a webhook read a receipt showing 1000 returned (A); before it recorded it, C (500) was recorded by its id,
        // so its entry under t=1000 holds only 500: the ledger reads 1000 against the vendor's 1500
        VendorPayment found = record(new Cancellation("A", 1000, T1), new Cancellation("C", 500, T2));
        assertThat(returns(found, new Returns(1000, 1000, Set.of("C"))))
                .containsExactlyInAnyOrder("c=C -500", "t=1500 -500");
    }

    @Test
    void withoutATotalEveryReturnIsEnteredByItsId() {
        VendorPayment found = record(new Cancellation("A", 1000, T1), new Cancellation("C", 500, T2));
        assertThat(returns(found, new Returns(500, 0, Set.of("C")))).containsExactly("c=A -1000", "c=C -500");
    }

    @Test
    void theReturnsAVendorHadMadeWhenItShowedATotalAreItsOldest() {
        VendorPayment found = record(new Cancellation("C", 1000, T3), new Cancellation("A", 3000, T1),
                new Cancellation("B", 2000, T2));
        assertThat(VendorRecordFacts.returnedBy(found, 5000)).contains(Set.of("A", "B"));
        assertThat(VendorRecordFacts.returnedBy(found, 4000)).contains(Set.of("A"));
        assertThat(VendorRecordFacts.returnedBy(found, 0)).contains(Set.of());
        // where the cut falls cannot be told: a return without a time, or two of one time on both sides of it
        assertThat(VendorRecordFacts.returnedBy(record(new Cancellation("A", 3000, T1), new Cancellation("B", 2000, null)),
                3000)).isEmpty();
        assertThat(VendorRecordFacts.returnedBy(record(new Cancellation("A", 3000, T1), new Cancellation("B", 2000, T1)),
                3000)).isEmpty();
        // two of one time both within the total, or both beyond it, are told apart from the rest
        assertThat(VendorRecordFacts.returnedBy(record(new Cancellation("A", 3000, T1), new Cancellation("B", 2000, T1),
                new Cancellation("C", 1000, T2)), 5000)).contains(Set.of("A", "B"));
        assertThat(VendorRecordFacts.returnedBy(record(new Cancellation("A", 3000, T1), new Cancellation("B", 2000, T2),
                new Cancellation("C", 1000, T2)), 3000)).contains(Set.of("A"));
    }

    @Test
    void aHistoryWithAReturnWithoutAnIdIsEnteredKeyByKey() {
        // iamport's history may list a cancel without its id, keyed by its running total: a total in the ledger
        // may be that very entry, so every return is entered under its own key (the ledger keeps the first)
        VendorPayment found = record(new Cancellation(null, 100, T1), new Cancellation(null, 50, T2));
        assertThat(returns(found, new Returns(50, 150, Set.of()))).containsExactly("t=100 -100", "t=150 -50");
    }

    @Test
    void aLedgerShowingMoreThanTheVendorEntersNoReturnOfTheRecord() {
        VendorPayment found = record(new Cancellation("A", 1000, T1), new Cancellation("B", 500, T2));
        assertThat(returns(found, new Returns(2000, 2000, Set.of()))).isEmpty();
    }
}
