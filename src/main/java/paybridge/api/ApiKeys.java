package paybridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import paybridge.Settings;

/**
 * The API keys paybridge accepts, each with the name of the calling system it stands for (the actor of
 * the audit trail): {@code paybridge.api.key} ({@code PAYBRIDGE_API_KEY}) is the unnamed one, named
 * {@value #DEFAULT_NAME}; {@code paybridge.api.keys} ({@code PAYBRIDGE_API_KEYS}) adds {@code name:key}
 * pairs, comma-separated. Several keys are valid at once, so a key is rotated without downtime: add
 * the new one, move the caller, remove the old one.
 *
 * <p>Only SHA-256 digests of the keys are kept, and a key may be given as its digest
 * ({@code name:sha256:<64 hex digits>}) so that a file holding it never holds the key itself. A
 * presented key is hashed and compared with every digest in constant time ({@link MessageDigest#isEqual}
 * on equal-length digests, no early exit), so neither which key matched nor how much of it did shows
 * in the answer's timing.
 *
 * <p>A malformed setting stops start-up with a message naming the setting and the entry's position
 * (and its name, when it has one), never the key. The names {@value #DEFAULT_NAME} and
 * {@value #ANONYMOUS} (in any case) are reserved: as the actor of an audit row each already means
 * something else.
 */
public final class ApiKeys {
    public static final String DEFAULT_NAME = "default";
    /** The audit trail's actor for calls made while no key is configured (the API is open). */
    public static final String ANONYMOUS = "anonymous";

    /** Names a named key may not take (any case): the actors of the unnamed key and of the open API. */
    private static final java.util.Set<String> RESERVED = java.util.Set.of(DEFAULT_NAME, ANONYMOUS);
    private static final String KEY_SETTING = "paybridge.api.key (PAYBRIDGE_API_KEY)";
    private static final String KEYS_SETTING = "paybridge.api.keys (PAYBRIDGE_API_KEYS)";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");
    // visible ASCII without the list's separator: what an Authorization header carries unchanged
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x2B\\x2D-\\x7E]+");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-fA-F]{64}");

    private record Entry(String name, byte[] digest) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = entries;
    }

    /** The keys configured; none = the API is open. Throws naming the setting when one is malformed. */
    public static ApiKeys from(Settings settings) {
        return parse(settings.find("paybridge.api.key").orElse(null), settings.find("paybridge.api.keys").orElse(null));
    }

    static ApiKeys parse(String unnamedKey, String namedKeys) {
        Map<String, Entry> byName = new LinkedHashMap<>();
        if (unnamedKey != null && !unnamedKey.isBlank()) {
            String key = unnamedKey.trim();
            if (!KEY.matcher(key).matches()) {
                throw new IllegalStateException("Invalid " + KEY_SETTING
                        + ": the key must be visible ASCII characters other than ',' (no spaces)");
            }
            byName.put(DEFAULT_NAME, new Entry(DEFAULT_NAME, digestOf(key)));
        }
        if (namedKeys != null && !namedKeys.isBlank()) {
            String[] pairs = namedKeys.split(",", -1);
            for (int i = 0; i < pairs.length; i++) {
                Entry entry = pair(pairs[i].trim(), i + 1);
                if (byName.containsKey(entry.name())) {
                    throw new IllegalStateException("Invalid " + KEYS_SETTING + ": entry " + (i + 1) + " repeats the name '"
                            + entry.name() + "'; each name once");
                }
                for (Entry other : byName.values()) {
                    if (MessageDigest.isEqual(other.digest(), entry.digest())) {
                        throw new IllegalStateException("Invalid " + KEYS_SETTING + ": entry " + (i + 1) + " ('"
                                + entry.name() + "') has the same key as '" + other.name()
                                + "'; each calling system needs its own key");
                    }
                }
                byName.put(entry.name(), entry);
            }
        }
        return new ApiKeys(List.copyOf(byName.values()));
    }

    private static Entry pair(String text, int position) {
        String where = "Invalid " + KEYS_SETTING + ": entry " + position;
        int colon = text.indexOf(':');
        if (text.isEmpty()) {
            throw new IllegalStateException(where + " is empty; expected name:key pairs, comma-separated");
        }
        if (colon < 0) {
            throw new IllegalStateException(where + " has no ':'; expected name:key");
        }
        String name = text.substring(0, colon).trim();
        String key = text.substring(colon + 1).trim();
        if (name.isEmpty()) {
            throw new IllegalStateException(where + " has no name before ':'; expected name:key");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(where + ": the name must be 1-40 characters of [A-Za-z0-9_.-]"
                    + " starting with a letter or digit");
        }
        if (RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            // the audit trail's actor would not tell this caller from the unnamed key or the open API
            throw new IllegalStateException(where + ": the name '" + name + "' is reserved ('" + DEFAULT_NAME
                    + "' is PAYBRIDGE_API_KEY's, '" + ANONYMOUS + "' a call while no key is configured); choose another");
        }
        if (key.isEmpty()) {
            throw new IllegalStateException(where + " ('" + name + "') has no key after ':'");
        }
        if (DIGEST.matcher(key).matches()) {
            return new Entry(name, HexFormat.of().parseHex(key.substring("sha256:".length())));
        }
        if (!KEY.matcher(key).matches()) {
            throw new IllegalStateException(where + " ('" + name + "'): the key must be visible ASCII characters"
                    + " other than ',' (no spaces)");
        }
        return new Entry(name, digestOf(key));
    }

    /** True when no key is configured: the API is open (dev only; prod refuses to start). */
    public boolean none() {
        return entries.isEmpty();
    }

    /** The names, in the order configured. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        entries.forEach(e -> names.add(e.name()));
        return names;
    }

    /**
     * The name of the key an {@code Authorization} header carries ({@code Bearer <key>}), or empty.
     * Every configured digest is compared, whichever matches.
     */
    public Optional<String> actorOf(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = digestOf(authorization.substring(7));
        String match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), presented) && match == null) {
                match = entry.name();
            }
        }
        return Optional.ofNullable(match);
    }

    static byte[] digestOf(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
