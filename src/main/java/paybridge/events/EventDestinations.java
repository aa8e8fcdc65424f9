package paybridge.events;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import paybridge.Settings;

/**
 * The configured event destinations (CONTRACT §6, §8): {@code paybridge.events.destinations} names
 * them; each has {@code paybridge.events.destination.<name>.uri} (any Camel endpoint URI),
 * {@code .secret} (whsec_ secrets, comma-separated: several for rotation), {@code .types} (type
 * patterns such as {@code payment.*,refund.refunded}; default all) and {@code .concurrency} (deliveries
 * in flight at once to it, default 4). Each key may instead come from its environment variable,
 * {@code PAYBRIDGE_EVENTS_DESTINATION_<NAME>_URI} (name upper-cased, {@code -} as {@code _}).
 * A malformed destination stops start-up naming the key.
 */
public final class EventDestinations {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String PREFIX = "paybridge.events.destination.";

    /** One destination. {@code keys}: the HMAC keys of its secrets (empty: its messages are not signed). */
    public record Destination(String name, String uri, List<byte[]> keys, List<String> types, int concurrency) {
        /** Whether the URI is an HTTP endpoint (POSTed as JSON, signed as Standard Webhooks). */
        public boolean http() {
            String u = uri.toLowerCase(Locale.ROOT);
            return u.startsWith("http:") || u.startsWith("https:");
        }

        /** Whether it takes events of {@code type}. */
        public boolean takes(String type) {
            if (types.isEmpty()) {
                return true;
            }
            for (String pattern : types) {
                if (pattern.equals("*") || pattern.equals(type)
                        || pattern.endsWith(".*") && type.startsWith(pattern.substring(0, pattern.length() - 1))) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            // never the URI (it may carry credentials) nor the secrets
            return name;
        }
    }

    private final Map<String, Destination> byName;

    private EventDestinations(Map<String, Destination> byName) {
        this.byName = byName;
    }

    public static EventDestinations from(Settings settings) {
        return from(settings::find, System::getenv);
    }

    /** @param property a setting by key (empty when absent); @param env an environment variable by name (null when absent) */
    static EventDestinations from(Function<String, Optional<String>> property, Function<String, String> env) {
        Map<String, Destination> out = new LinkedHashMap<>();
        String names = property.apply("paybridge.events.destinations").orElse("");
        for (String raw : names.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalStateException("paybridge.events.destinations: '" + name
                        + "' is not a destination name (1-64 of A-Z a-z 0-9 _ -)");
            }
            String uri = value(property, env, name, "uri")
                    .orElseThrow(() -> new IllegalStateException("Missing setting " + PREFIX + name + ".uri (or "
                            + envName(name, "uri") + ") for event destination " + name));
            List<byte[]> keys = new ArrayList<>();
            for (String secret : value(property, env, name, "secret").orElse("").split(",")) {
                if (!secret.isBlank()) {
                    keys.add(key(secret.trim(), name));
                }
            }
            List<String> types = new ArrayList<>();
            for (String t : value(property, env, name, "types").orElse("").split(",")) {
                if (!t.isBlank()) {
                    types.add(t.trim());
                }
            }
            int concurrency;
            try {
                concurrency = Integer.parseInt(value(property, env, name, "concurrency").orElse("4"));
            } catch (NumberFormatException e) {
                concurrency = 0;
            }
            if (concurrency < 1 || concurrency > 64) {
                throw new IllegalStateException(PREFIX + name + ".concurrency must be a whole number from 1 to 64");
            }
            out.put(name, new Destination(name, uri, List.copyOf(keys), List.copyOf(types), concurrency));
        }
        return new EventDestinations(out);
    }

    /** A whsec_ secret's HMAC key: the base64 text after the prefix. */
    static byte[] key(String secret, String destination) {
        String text = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : null;
        try {
            if (text != null && !text.isEmpty()) {
                return Base64.getDecoder().decode(text);
            }
        } catch (IllegalArgumentException e) {
            // named below, without the secret
        }
        throw new IllegalStateException(PREFIX + destination + ".secret: each secret must be whsec_ followed by "
                + "base64 (Standard Webhooks)");
    }

    private static Optional<String> value(Function<String, Optional<String>> property, Function<String, String> env,
                                          String name, String key) {
        Optional<String> configured = property.apply(PREFIX + name + "." + key);
        if (configured.isPresent()) {
            return configured;
        }
        String fromEnv = env.apply(envName(name, key));
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(fromEnv.trim());
    }

    static String envName(String name, String key) {
        return "PAYBRIDGE_EVENTS_DESTINATION_" + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_"
                + key.toUpperCase(Locale.ROOT);
    }

    public List<Destination> all() {
        return List.copyOf(byName.values());
    }

    public Optional<Destination> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Each destination's type filter, for the outbox. */
    public Map<String, Predicate<String>> filters() {
        Map<String, Predicate<String>> out = new LinkedHashMap<>();
        byName.values().forEach(d -> out.put(d.name(), d::takes));
        return out;
    }
}
