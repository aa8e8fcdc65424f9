package paybridge.billing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

/**
 * Calendar arithmetic of billing, always in the billing time zone ({@code PAYBRIDGE_BILLING_TIMEZONE}).
 *
 * <p>A period's due time is computed from the subscription's anchor (its first {@code nextBillingAt}),
 * never from the previous due time: period k is due at {@code anchor + k x interval}. So a subscription
 * anchored on Jan 31 with {@code P1M} bills Feb 28 (29 in a leap year), then Mar 31 again, and one
 * anchored on Feb 29 with {@code P1Y} bills Feb 28 in common years and Feb 29 in leap years.
 */
public final class BillingCalendar {
    private static final DateTimeFormatter PERIOD_ID = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final ZoneId zone;
    private final List<Period> retryDelays;

    public BillingCalendar(ZoneId zone, List<Period> retryDelays) {
        this.zone = zone;
        this.retryDelays = List.copyOf(retryDelays);
    }

    /** From settings: a zone id and comma-separated ISO-8601 periods (e.g. {@code P1D,P3D,P7D}). */
    public static BillingCalendar of(String zone, String retryDelays) {
        List<Period> delays = Arrays.stream(retryDelays.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Period::parse).toList();
        return new BillingCalendar(ZoneId.of(zone), delays);
    }

    public ZoneId zone() {
        return zone;
    }

    /** Parses an ISO-8601 interval ({@code P1M}, {@code P1Y}, {@code P7D}, {@code P2W}); it must move time forward. */
    /** The longest interval a new subscription may have. */
    public static final Period LONGEST = Period.ofYears(10);
    private static final java.time.LocalDate LONGEST_FROM = java.time.LocalDate.of(2000, 1, 1);
    private static final int MAX_INTERVAL_TEXT = 20;

    /** A subscription's interval as stored: a positive ISO-8601 period. */
    public static Period interval(String iso) {
        try {
            Period p = Period.parse(iso);
            if (p.isNegative() || p.isZero()) {
                throw new IllegalArgumentException("interval must be positive: " + iso);
            }
            return p;
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("not an ISO-8601 period: " + iso, e);
        }
    }

    /**
     * A new subscription's interval: as {@link #interval}, and at most {@link #LONGEST}, so every period's due
     * date is a date (a subscription whose next period cannot be computed would stop after its first
     * charge) and the text fits its column. Subscriptions stored before the bound keep their interval.
     */
    public static Period newInterval(String iso) {
        Period p = interval(iso);
        try {
            if (iso.length() > MAX_INTERVAL_TEXT || LONGEST_FROM.plus(p).isAfter(LONGEST_FROM.plus(LONGEST))) {
                throw new IllegalArgumentException("interval longer than " + LONGEST + ": " + iso);
            }
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("interval longer than " + LONGEST + ": " + iso, e);
        }
        return p;
    }

    /** When period {@code index} (0 = the anchor itself) is due. */
    public Instant due(OffsetDateTime anchor, Period interval, int index) {
        ZonedDateTime start = anchor.atZoneSameInstant(zone);
        return start.plus(interval.multipliedBy(index)).toInstant();
    }

    /** The period's date in the billing zone: the {@code yyyyMMdd} of its attempt ids. */
    public LocalDate periodDate(Instant due) {
        return due.atZone(zone).toLocalDate();
    }

    /** {@code <subscriptionId>-<yyyyMMdd>} for attempt 0, {@code <subscriptionId>-<yyyyMMdd>-r<n>} for retry n. */
    public static String attemptId(String subscriptionId, LocalDate periodDate, int attemptNo) {
        String base = subscriptionId + "-" + PERIOD_ID.format(periodDate);
        return attemptNo == 0 ? base : base + "-r" + attemptNo;
    }

    /** How many dunning retries follow a declined period. */
    public int retries() {
        return retryDelays.size();
    }

    /** When dunning retry {@code n} (1-based) of a period due at {@code due} is due: due + the n-th delay, in the zone. */
    public Instant retryAt(Instant due, int n) {
        return due.atZone(zone).plus(retryDelays.get(n - 1)).toInstant();
    }

    /** A time rendered in the billing zone's offset, as the API shows it. */
    public OffsetDateTime inZone(Instant instant) {
        return instant == null ? null : instant.atZone(zone).toOffsetDateTime();
    }

    /** For logs and documents: how long ago. */
    public static Duration since(Instant then, Instant now) {
        return Duration.between(then, now);
    }
}
