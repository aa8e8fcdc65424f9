package paybridge.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import paybridge.api.JsonResponses;
import paybridge.api.TimeCursor;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.events.EventStore.Event;

/**
 * {@code GET /api/events} (the feed: oldest first after a cursor, {@code next} never null),
 * {@code GET /api/events/{eventId}} (with its deliveries) and {@code POST /api/events/{eventId}/redeliver}
 * (202: due now at each destination, or the one named).
 */
public final class EventsApi {
    static final int LIMIT_DEFAULT = 100;
    static final int LIMIT_MAX = 1000;
    private static final Pattern EVENT_ID = Pattern.compile("evt_[0-9a-f]{32}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern TYPE = Pattern.compile("[a-z_]{1,20}\\.[a-z_]{1,20}");

    private final EventStore store;
    private final EventDestinations destinations;

    public EventsApi(EventStore store, EventDestinations destinations) {
        this.store = store;
        this.destinations = destinations;
    }

    public void list(Exchange exchange) throws Exception {
        var m = exchange.getMessage();
        String type = blankToNull(m.getHeader("type", String.class));
        String paymentId = blankToNull(m.getHeader("paymentId", String.class));
        String subscriptionId = blankToNull(m.getHeader("subscriptionId", String.class));
        String afterText = blankToNull(m.getHeader("after", String.class));
        String limitText = blankToNull(m.getHeader("limit", String.class));
        List<FieldError> errors = new ArrayList<>();
        if (type != null && !TYPE.matcher(type).matches()) {
            errors.add(new FieldError("type", "an event type such as payment.paid"));
        }
        if (paymentId != null && !ID.matcher(paymentId).matches()) {
            errors.add(new FieldError("paymentId", "1-40 characters of A-Z a-z 0-9 _ -"));
        }
        if (subscriptionId != null && !subscriptionId.matches("[A-Za-z0-9_-]{1,24}")) {
            errors.add(new FieldError("subscriptionId", "1-24 characters of A-Z a-z 0-9 _ -"));
        }
        EventStore.Position after = EventStore.Position.START;
        if (afterText != null && afterText.matches("\\d{1,18}")) {
            // a cursor of the feed before it was ordered by time (a bare seq): the position of that event
            after = store.positionOf(Long.parseLong(afterText));
        } else if (afterText != null) {
            TimeCursor cursor = TimeCursor.parse(afterText);
            if (cursor == null || cursor.numericKey() == null) {
                errors.add(new FieldError("after", "not a cursor this feed returned (use its \"next\")"));
            } else {
                after = new EventStore.Position(cursor.at(), cursor.numericKey());
            }
        }
        int limit = LIMIT_DEFAULT;
        if (limitText != null) {
            if (!limitText.matches("\\d{1,4}") || Integer.parseInt(limitText) < 1
                    || Integer.parseInt(limitText) > LIMIT_MAX) {
                errors.add(new FieldError("limit", "a whole number from 1 to " + LIMIT_MAX));
            } else {
                limit = Integer.parseInt(limitText);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid("Invalid query parameters", errors));
        }
        EventStore.Page page = store.feed(after, type, paymentId, subscriptionId, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", page.events().stream().map(EventsApi::envelope).toList());
        body.put("next", new TimeCursor(page.next().at(), String.valueOf(page.next().seq())).encode());
        JsonResponses.write(exchange, 200, body);
    }

    public void get(Exchange exchange) throws Exception {
        JsonResponses.write(exchange, 200, withDeliveries(find(exchange.getMessage().getHeader("eventId", String.class))));
    }

    /** Body (optional): {@code {"destination": "<name>"}}. */
    public void redeliver(Exchange exchange) throws Exception {
        Event event = find(exchange.getMessage().getHeader("eventId", String.class));
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        String destination = null;
        if (raw != null && raw.length > 0 && !new String(raw, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            JsonNode body;
            try {
                body = CanonicalJson.MAPPER.readTree(raw);
            } catch (Exception e) {
                throw new ProblemException(Problem.invalid("Body is not JSON",
                        List.of(new FieldError("destination", "send {\"destination\": \"<name>\"} or no body"))));
            }
            JsonNode d = body == null ? null : body.get("destination");
            if (body == null || !body.isObject() || d != null && !d.isNull() && !d.isTextual()) {
                throw new ProblemException(Problem.invalid("Invalid body",
                        List.of(new FieldError("destination", "a destination name (text)"))));
            }
            destination = d == null || d.isNull() ? null : d.asText();
        }
        List<String> targets;
        if (destination != null) {
            if (destinations.find(destination).isEmpty()) {
                throw new ProblemException(new Problem("https://paybridge.dev/problems/invalid-request",
                        "Unknown destination", 422, "No event destination named " + destination,
                        List.of(new FieldError("destination", "one of the configured destinations: "
                                + String.join(", ", destinations.names())))));
            }
            targets = List.of(destination);
        } else {
            // every destination it has a delivery to; else (made before they were configured) those that take it
            targets = store.deliveries(event.eventId()).stream().map(EventStore.Delivery::destination)
                    .filter(n -> destinations.find(n).isPresent()).toList();
            if (targets.isEmpty()) {
                targets = destinations.all().stream().filter(d -> d.takes(event.type()))
                        .map(EventDestinations.Destination::name).toList();
            }
        }
        store.redeliver(event.eventId(), targets);
        JsonResponses.write(exchange, 202, withDeliveries(event));
    }

    private Event find(String eventId) {
        if (eventId == null || !EVENT_ID.matcher(eventId).matches()) {
            throw ProblemException.of(404, "Event not found", "No event " + eventId);
        }
        return store.find(eventId).orElseThrow(() -> ProblemException.of(404, "Event not found", "No event " + eventId));
    }

    private Map<String, Object> withDeliveries(Event event) {
        Map<String, Object> out = envelope(event);
        out.put("deliveries", store.deliveries(event.eventId()).stream().map(d -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("destination", d.destination());
            row.put("status", d.status());
            row.put("attempts", d.attempts());
            row.put("lastStatus", d.lastStatus());
            row.put("nextAttemptAt", d.nextAttemptAt());
            row.put("deliveredAt", d.deliveredAt());
            return row;
        }).toList());
        return out;
    }

    /** The envelope of CONTRACT §8, as delivered. */
    static Map<String, Object> envelope(Event e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.eventId());
        out.put("type", e.type());
        out.put("createdAt", e.createdAt());
        try {
            out.put("data", CanonicalJson.MAPPER.readTree(e.data()));
        } catch (Exception ex) {
            throw new IllegalStateException("unreadable data of event " + e.eventId(), ex);
        }
        return out;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
