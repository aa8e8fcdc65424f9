package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Anchor-day arithmetic in the billing zone (CONTRACT §3). */
class BillingCalendarTest {
    private final BillingCalendar seoul = BillingCalendar.of("Asia/Seoul", "P1D,P3D,P7D");

    private List<LocalDate> dates(String anchor, String interval, int n) {
        OffsetDateTime a = OffsetDateTime.parse(anchor);
        Period p = BillingCalendar.interval(interval);
        return java.util.stream.IntStream.range(0, n).mapToObj(k -> seoul.periodDate(seoul.due(a, p, k))).toList();
    }

    @Test
    void monthlyFromJanuary31KeepsTheAnchorDay() {
        assertThat(dates("2026-01-31T10:00:00+09:00", "P1M", 5)).containsExactly(
                LocalDate.of(2026, 1, 31), LocalDate.of(2026, 2, 28), LocalDate.of(2026, 3, 31),
                LocalDate.of(2026, 4, 30), LocalDate.of(2026, 5, 31));
        // a leap year: Feb 29
        assertThat(dates("2028-01-31T10:00:00+09:00", "P1M", 3)).containsExactly(
                LocalDate.of(2028, 1, 31), LocalDate.of(2028, 2, 29), LocalDate.of(2028, 3, 31));
    }

    @Test
    void yearlyFromFebruary29() {
        assertThat(dates("2028-02-29T00:00:00+09:00", "P1Y", 5)).containsExactly(
                LocalDate.of(2028, 2, 29), LocalDate.of(2029, 2, 28), LocalDate.of(2030, 2, 28),
                LocalDate.of(2031, 2, 28), LocalDate.of(2032, 2, 29));
    }

    @Test
    void weeklyAndDaily() {
        assertThat(dates("2026-12-28T09:00:00+09:00", "P7D", 3)).containsExactly(
                LocalDate.of(2026, 12, 28), LocalDate.of(2027, 1, 4), LocalDate.of(2027, 1, 11));
        assertThat(dates("2026-12-28T09:00:00+09:00", "P2W", 2)).containsExactly(
                LocalDate.of(2026, 12, 28), LocalDate.of(2027, 1, 11));
    }

    @Test
    void arithmeticHappensInTheBillingZoneNotInTheGivenOffset() {
        // 2026-01-31T00:00 Seoul is 2026-01-30T15:00Z: the period is Jan 31 in Seoul, and +1M is Feb 28 00:00 Seoul
        OffsetDateTime anchor = OffsetDateTime.parse("2026-01-30T15:00:00Z");
        Instant feb = seoul.due(anchor, Period.ofMonths(1), 1);
        assertThat(feb).isEqualTo(Instant.parse("2026-02-27T15:00:00Z"));
        assertThat(seoul.periodDate(feb)).isEqualTo(LocalDate.of(2026, 2, 28));
        BillingCalendar utc = new BillingCalendar(ZoneId.of("UTC"), List.of());
        assertThat(utc.periodDate(utc.due(anchor, Period.ofMonths(1), 1))).isEqualTo(LocalDate.of(2026, 2, 28));
        assertThat(utc.due(anchor, Period.ofMonths(1), 1)).isEqualTo(Instant.parse("2026-02-28T15:00:00Z"));
    }

    @Test
    void attemptIdsAndRetryTimes() {
        assertThat(BillingCalendar.attemptId("sub-42", LocalDate.of(2026, 12, 1), 0)).isEqualTo("sub-42-20261201");
        assertThat(BillingCalendar.attemptId("sub-42", LocalDate.of(2026, 12, 1), 3)).isEqualTo("sub-42-20261201-r3");
        Instant due = Instant.parse("2026-11-30T15:00:00Z");
        assertThat(seoul.retries()).isEqualTo(3);
        assertThat(seoul.retryAt(due, 1)).isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
        assertThat(seoul.retryAt(due, 3)).isEqualTo(Instant.parse("2026-12-07T15:00:00Z"));
    }

    @Test
    void intervalsMustMoveForward() {
        assertThatThrownBy(() -> BillingCalendar.interval("P0D")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BillingCalendar.interval("PT1H")).isInstanceOf(IllegalArgumentException.class);
        assertThat(BillingCalendar.interval("P1M")).isEqualTo(Period.ofMonths(1));
        // a new one at most ten years: every period's due date stays a date
        assertThat(BillingCalendar.newInterval("P10Y")).isEqualTo(Period.ofYears(10));
        assertThat(BillingCalendar.newInterval("P119M30D")).isEqualTo(Period.of(0, 119, 30));
        for (String tooLong : new String[] {"P10Y1D", "P121M", "P999999999Y", "P10000Y10000M10000W10000D", "P99999999999D"}) {
            assertThatThrownBy(() -> BillingCalendar.newInterval(tooLong)).as(tooLong).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BillingCalendar.newInterval("P0D")).isInstanceOf(IllegalArgumentException.class);
        // one stored before the bound keeps working
        assertThat(BillingCalendar.interval("P20Y")).isEqualTo(Period.ofYears(20));
    }
}
