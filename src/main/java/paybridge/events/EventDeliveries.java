package paybridge.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.ExchangeProperties;
import paybridge.events.EventDestinations.Destination;
import paybridge.events.EventStore.Claimed;
import paybridge.observe.Tracing;

/**
 * What routes/events.camel.yaml calls for each destination: {@link #claim} the due deliveries (leased to
 * this node), {@link #prepare} one as the destination's message (the envelope of CONTRACT §8, signed as
 * Standard Webhooks), then its outcome: {@link #answered} after the send, {@link #failed} when it
 * threw; {@link #record} writes a poll's outcomes together. A failed send is retried after
 * {@code paybridge.events.retry-delays} (counted from the first attempt, or from a redeliver), and is
 * FAILED after the last. One INFO line per decision, without the
 * payload.
 */
public final class EventDeliveries {
    private static final Logger LOG = LoggerFactory.getLogger(EventDeliveries.class);
    private static final String CLAIM = ExchangeProperties.EVENT_CLAIM;
    private static final String URI = ExchangeProperties.EVENT_URI;
    /** The open span of the delivery in progress (tracing on), ended with its outcome. */
    private static final String SPAN = "paybridgeEventDeliverySpan";

    /**
     * How deliveries are scheduled: a poll to an HTTP destination claims up to {@code sendsPerSender}
     * deliveries per sender (the destination's concurrency), all sent within {@code lease}.
     */
    public record Schedule(Duration timeout, List<Duration> retryDelays, Duration lease, int sendsPerSender, String node,
                           Duration retention) {
    }

    private final EventStore store;
    private final EventDestinations destinations;
    private final Schedule schedule;
    private final Map<String, String> endpointUris;
    private volatile MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Tracing tracing = Tracing.OFF;

    /** @param endpointUris each destination's endpoint as sent to (HTTP ones on their own camel-http component) */
    public EventDeliveries(EventStore store, EventDestinations destinations, Schedule schedule,
                           Map<String, String> endpointUris) {
        this.store = store;
        this.destinations = destinations;
        this.schedule = schedule;
        this.endpointUris = Map.copyOf(endpointUris);
    }

    /** Counts outcomes in {@code paybridge_event_deliveries_total{destination, outcome}}. */
    public void observe(MeterRegistry registry) {
        this.meters = registry;
        for (String name : destinations.names()) {
            for (String outcome : List.of("delivered", "retry", "failed")) {
                counter(name, outcome);
            }
        }
    }

    /** Each delivery a trace of its own when tracing is on ({@link Tracing#startEventDelivery}). */
    public void trace(Tracing tracing) {
        this.tracing = tracing;
    }

    private Counter counter(String destination, String outcome) {
        return counters.computeIfAbsent(destination + "/" + outcome, k -> Counter.builder("paybridge.event.deliveries")
                .description("Event deliveries by destination and outcome (delivered, retry, failed)")
                .tags("destination", destination, "outcome", outcome).register(meters));
    }

    /** Due deliveries to {@code destination}, at most a batch (see {@link #batch}), each leased to this node. */
    public List<Claimed> claim(String destination) {
        return claim(destinations.find(destination).orElseThrow());
    }

    private List<Claimed> claim(Destination d) {
        return store.claim(d.name(), batch(d), schedule.lease(), schedule.node());
    }

    /** A poll's batch to {@code d}: see {@link #batch(Destination, int)}. */
    private int batch(Destination d) {
        return batch(d, schedule.sendsPerSender());
    }

    /**
     * A poll's batch: {@code sendsPerSender} for each of the destination's senders when it is HTTP, whose
     * every send ends within the timeout; one each otherwise (a broker's send has no such bound, so only
     * one of them is sure to fit in the lease).
     */
    static int batch(Destination d, int sendsPerSender) {
        return d.concurrency() * (d.http() ? sendsPerSender : 1);
    }

    /**
     * The next batch of the same poll, claimed only when the last one was full: a partial batch means
     * every due delivery was taken, and the next tick of the poll gathers those that fall due meanwhile
     * into full batches, rather than a batch (two transactions and a split) for each delivery as it arrives.
     */
    public List<Claimed> claimIfFull(String destination, List<?> sent) {
        Destination d = destinations.find(destination).orElseThrow();
        return sent.size() < batch(d) ? List.of() : claim(d);
    }

    /**
     * Body: a {@link Claimed} delivery. Out: the envelope JSON as the body, the Standard Webhooks headers
     * (for HTTP also the JSON content type and, tracing on, the delivery span's traceparent), nothing else;
     * {@link ExchangeProperties#EVENT_URI} the destination's endpoint.
     */
    public void prepare(Exchange exchange) throws Exception {
        Claimed c = exchange.getMessage().getBody(Claimed.class);
        // first: a delivery that cannot be prepared is a failed try of its own (failed reads it)
        exchange.setProperty(CLAIM, c);
        Destination d = destinations.find(c.destination()).orElseThrow();
        String body = envelope(c);
        long timestamp = System.currentTimeMillis() / 1000;
        exchange.setProperty(URI, endpointUris.get(d.name()));
        exchange.setPattern(ExchangePattern.InOnly);
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(StandardWebhooks.ID, c.eventId());
        message.setHeader(StandardWebhooks.TIMESTAMP, String.valueOf(timestamp));
        if (!d.keys().isEmpty()) {
            message.setHeader(StandardWebhooks.SIGNATURE, StandardWebhooks.signature(d.keys(), c.eventId(), timestamp, body));
        }
        if (d.http()) {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        message.setBody(body);
        // started last: nothing between here and answered/failed can leave it open
        Span span = tracing.startEventDelivery(d.name(), c.type(), d.http(), message);
        if (span != null) {
            exchange.setProperty(SPAN, span);
        }
    }

    /**
     * The envelope of CONTRACT §8, {@code {"id","type","createdAt","data"}}: the stored data is JSON that
     * CanonicalJson wrote, put in as it is rather than parsed and written again.
     */
    static String envelope(Claimed c) throws Exception {
        var json = CanonicalJson.MAPPER;
        return "{\"id\":" + json.writeValueAsString(c.eventId()) + ",\"type\":" + json.writeValueAsString(c.type())
                + ",\"createdAt\":" + json.writeValueAsString(c.createdAt().toString()) + ",\"data\":" + c.data() + "}";
    }

    /** A send's result, recorded with the rest of its poll by {@link #record}. */
    public record Outcome(Claimed claimed, boolean ok, String lastStatus, Span span) {
    }

    /**
     * After the send: an HTTP destination's 2xx is delivered, any other status a failed try; a broker's
     * send is delivered. The body becomes the {@link Outcome}.
     */
    public Outcome answered(Exchange exchange) {
        Claimed c = exchange.getProperty(CLAIM, Claimed.class);
        Destination d = destinations.find(c.destination()).orElseThrow();
        if (!d.http()) {
            return outcome(exchange, c, true, "sent");
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return outcome(exchange, c, status != null && status >= 200 && status < 300, "HTTP " + status);
    }

    /** The send threw (timeout, connection refused, broker unavailable): a failed try. */
    public Outcome failed(Exchange exchange) {
        Claimed c = exchange.getProperty(CLAIM, Claimed.class);
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = e == null ? "failed" : e.getClass().getSimpleName();
        return outcome(exchange, c, false, reason);
    }

    private static Outcome outcome(Exchange exchange, Claimed c, boolean ok, String lastStatus) {
        Span span = exchange.getProperty(SPAN, Span.class);
        exchange.removeProperty(SPAN);
        return new Outcome(c, ok, lastStatus, span);
    }

    /**
     * Records a poll's outcomes: the deliveries answered alike in one transaction (one by one if any
     * lease was lost meanwhile), retries and failures one by one; then per delivery its counter, its INFO line
     * and the end of its span (tracing on) with the outcome. A recording that throws ends the open spans
     * as errors; the rows keep their leases, which run out, and the deliveries are sent again.
     */
    public void record(List<Outcome> outcomes) {
        try {
            // one poll's outcomes: one claim, one token; those delivered grouped by the status they answered
            Map<String, List<Outcome>> deliveredAlike = outcomes.stream().filter(Outcome::ok)
                    .collect(java.util.stream.Collectors.groupingBy(Outcome::lastStatus));
            for (List<Outcome> alike : deliveredAlike.values()) {
                if (store.deliveredAll(alike.stream().map(Outcome::claimed).toList(), alike.get(0).lastStatus())) {
                    alike.forEach(o -> decided(o, "delivered", null));
                } else {
                    alike.forEach(this::decide);
                }
            }
            outcomes.stream().filter(o -> !o.ok()).forEach(this::decide);
        } catch (RuntimeException e) {
            for (Outcome o : outcomes) {
                if (o.span() != null && o.span().isRecording()) {
                    o.span().setStatus(StatusCode.ERROR);
                    o.span().end();
                }
            }
            throw e;
        }
    }

    /** Records one outcome by itself. */
    private void decide(Outcome o) {
        Claimed c = o.claimed();
        if (o.ok()) {
            if (store.delivered(c, o.lastStatus())) {
                decided(o, "delivered", null);
            } else {
                leaseLost(o, "delivered");
            }
            return;
        }
        int tries = c.attempts() - c.retriesFrom();
        List<Duration> delays = schedule.retryDelays();
        if (tries <= delays.size()) {
            Duration delay = delays.get(tries - 1);
            if (store.retry(c, o.lastStatus(), delay)) {
                decided(o, "retry", delay);
            } else {
                leaseLost(o, "retry");
            }
        } else if (store.failed(c, o.lastStatus())) {
            decided(o, "failed", null);
        } else {
            leaseLost(o, "failed");
        }
    }

    private void leaseLost(Outcome o, String outcome) {
        // the lease ran out and another node took the delivery: its outcome is the one kept
        Claimed c = o.claimed();
        LOG.warn("event delivery eventId={} destination={} attempt={}: lease lost, outcome {} ({}) not recorded",
                c.eventId(), c.destination(), c.attempts(), outcome, o.lastStatus());
        if (o.span() != null) {
            Tracing.endEventDelivery(o.span(), outcome);
        }
    }

    private void decided(Outcome o, String outcome, Duration delay) {
        Claimed c = o.claimed();
        if (meters != null) {
            counter(c.destination(), outcome).increment();
        }
        LOG.info("event delivery eventId={} type={} destination={} attempt={} outcome={} status={}{}", c.eventId(),
                c.type(), c.destination(), c.attempts(), outcome.toUpperCase(java.util.Locale.ROOT), o.lastStatus(),
                delay == null ? "" : " nextAttemptIn=" + delay);
        if (o.span() != null) {
            Tracing.endEventDelivery(o.span(), outcome);
        }
    }

    /** The retention job: deletes events past {@code paybridge.events.retention} that nothing waits to deliver. */
    public void purge() {
        Duration retention = schedule.retention();
        int total = 0;
        int deleted;
        do {
            deleted = store.purge(retention, 1000);
            total += deleted;
        } while (deleted == 1000);
        if (total > 0) {
            LOG.info("events retention: {} event(s) older than {} deleted", total, retention);
        }
    }
}
