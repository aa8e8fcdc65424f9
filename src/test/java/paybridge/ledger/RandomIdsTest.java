package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void randomIdsAreVersion4UuidsWithoutRepeats() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            UUID id = RandomIds.uuid();
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void timeOrderedIdsAreVersion7AndSortByTheMillisecondTheyWereMade() throws Exception {
        List<String> made = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long before = System.currentTimeMillis();
        for (int ms = 0; ms < 5; ms++) {
            for (int i = 0; i < 1000; i++) {
                UUID id = RandomIds.timeOrdered();
                assertThat(id.version()).isEqualTo(7);
                assertThat(id.variant()).isEqualTo(2);
                assertThat(seen.add(id.toString())).isTrue();
                made.add(id.toString());
            }
            Thread.sleep(2);
        }
        long after = System.currentTimeMillis();
        // the first 48 bits are the milliseconds of creation
        long stamped = UUID.fromString(made.get(0)).getMostSignificantBits() >>> 16;
        assertThat(stamped).isBetween(before, after);
        // ids of a later millisecond sort after every id of an earlier one (as text, as the database orders them)
        for (int ms = 1; ms < 5; ms++) {
            String lastOfEarlier = made.subList(0, ms * 1000).stream().max(String::compareTo).orElseThrow();
            String firstOfLater = made.subList(ms * 1000, (ms + 1) * 1000).stream().min(String::compareTo).orElseThrow();
            assertThat(firstOfLater).isGreaterThan(lastOfEarlier);
        }
    }
}
