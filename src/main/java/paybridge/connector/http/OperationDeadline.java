package paybridge.connector.http;

import paybridge.canonical.ExchangeProperties;
import java.time.Duration;

import org.apache.camel.Exchange;
import paybridge.Settings;

/**
 * How long one vendor operation (a charge, a refund: its token fetch, the request, the one re-send
 * after a 401, each waiting for a pooled connection, connecting, writing and reading) may take, and
 * from that, when it can certainly no longer be in flight at the vendor.
 * <ul>
 *   <li>{@code timeout} ({@code paybridge.vendor.timeout}): one HTTP call, connect to last byte;</li>
 *   <li>{@code budget} ({@code paybridge.vendor.operation-timeout}, default 3 x timeout): the whole
 *       operation. No request of the operation is started after it;</li>
 *   <li>{@code horizon} = budget + timeout + {@code paybridge.vendor.in-flight-margin}: a request
 *       started at the last moment of the budget has reached the vendor or died within one timeout;
 *       the margin covers the vendor's own processing after that. Only after the horizon, measured
 *       from when the attempt was recorded and on the database's clock, may a lookup that finds
 *       nothing be read as "never charged" (or "never refunded").</li>
 * </ul>
 */
public final class OperationDeadline {

    private final Duration timeout;
    private final Duration budget;
    private final Duration margin;

    public OperationDeadline(Duration timeout, Duration budget, Duration margin) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("paybridge.vendor.timeout must be positive: " + timeout);
        }
        if (budget.compareTo(timeout) < 0) {
            throw new IllegalArgumentException("paybridge.vendor.operation-timeout (" + budget
                    + ") must be at least paybridge.vendor.timeout (" + timeout + ")");
        }
        if (margin.isNegative()) {
            throw new IllegalArgumentException("paybridge.vendor.in-flight-margin must not be negative: " + margin);
        }
        this.timeout = timeout;
        this.budget = budget;
        this.margin = margin;
    }

    /** From {@code paybridge.vendor.timeout}, {@code .operation-timeout} and {@code .in-flight-margin}. */
    public static OperationDeadline of(Settings settings) {
        Duration timeout = VendorHttp.timeout(settings.get("paybridge.vendor.timeout", "PT10S"));
        Duration budget = settings.duration("paybridge.vendor.operation-timeout", timeout.multipliedBy(3).toString());
        Duration margin = settings.duration("paybridge.vendor.in-flight-margin", "PT30S");
        return new OperationDeadline(timeout, budget, margin);
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration budget() {
        return budget;
    }

    /** After this long from the attempt's record (database clock), the operation cannot be in flight. */
    public Duration horizon() {
        return budget.plus(timeout).plus(margin);
    }

    /** Starts the operation's budget on this exchange (before its attempt is recorded). */
    public void start(Exchange exchange) {
        exchange.setProperty(ExchangeProperties.OPERATION_DEADLINE, System.nanoTime() + budget.toNanos());
    }

    /** The failure code of a request not sent because its operation's budget was spent. */
    public static final String OPERATION_DEADLINE = "OPERATION_DEADLINE";

    // the deadline of the operation whose work runs on this thread in another exchange (the iamport
    // token fetch is its own exchange, started from inside the charge's)
    private static final ThreadLocal<Long> CARRIED = new ThreadLocal<>();

    /** Runs {@code work} with this exchange's operation deadline carried to exchanges it starts ({@link #inherit}). */
    public static <T> T carry(Exchange exchange, java.util.function.Supplier<T> work) {
        Long deadline = exchange.getProperty(ExchangeProperties.OPERATION_DEADLINE, Long.class);
        Long previous = CARRIED.get();
        if (deadline == null) {
            CARRIED.remove();
        } else {
            CARRIED.set(deadline);
        }
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CARRIED.remove();
            } else {
                CARRIED.set(previous);
            }
        }
    }

    /** Gives an exchange started inside {@link #carry} the carried operation's deadline. */
    public static void inherit(Exchange exchange) {
        Long deadline = CARRIED.get();
        if (deadline != null) {
            exchange.setProperty(ExchangeProperties.OPERATION_DEADLINE, deadline);
        }
    }

    /** The operation's deadline ({@link System#nanoTime()}), or null when none was started on the exchange. */
    public static Long deadlineNanos(Exchange exchange) {
        return exchange.getProperty(ExchangeProperties.OPERATION_DEADLINE, Long.class);
    }

    /** What is left of the operation's budget; {@code null} when no operation was started on the exchange. */
    public static Duration remaining(Exchange exchange) {
        Long deadline = exchange.getProperty(ExchangeProperties.OPERATION_DEADLINE, Long.class);
        return deadline == null ? null : Duration.ofNanos(deadline - System.nanoTime());
    }
}
