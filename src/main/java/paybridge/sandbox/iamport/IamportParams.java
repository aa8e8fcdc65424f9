package paybridge.sandbox.iamport;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.ext.web.RoutingContext;

/**
 * A request's parameters, from a JSON or a form-urlencoded body (iamport accepts both on every
 * POST). Form values are strings and JSON values may be numbers, so each getter parses either;
 * amounts become longs without ever passing through floating point. An empty string counts as absent,
 * as form encoders send empty fields.
 */
final class IamportParams {
    // decimals as BigDecimal, so 1000.5 is seen as a fraction and not rounded through a double
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final Map<String, Object> values;

    private IamportParams(Map<String, Object> values) {
        this.values = values;
    }

    static IamportParams of(Map<String, Object> values) {
        return new IamportParams(values);
    }

    @SuppressWarnings("unchecked")
    static IamportParams parse(RoutingContext ctx) {
        String contentType = String.valueOf(ctx.request().getHeader("Content-Type")).toLowerCase();
        String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString(StandardCharsets.UTF_8.name());
        Map<String, Object> values = new HashMap<>();
        if (contentType.startsWith("application/x-www-form-urlencoded") || contentType.startsWith("multipart/form-data")) {
            ctx.request().formAttributes().forEach(e -> values.putIfAbsent(e.getKey(), e.getValue()));
            if (values.isEmpty() && !body.isBlank()) {
                new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters()
                        .forEach((k, v) -> values.put(k, v.isEmpty() ? "" : v.get(0)));
            }
        } else if (!body.isBlank()) {
            try {
                Object parsed = JSON.readValue(body, Object.class);
                if (!(parsed instanceof Map)) {
                    throw new IamportBadRequest("요청 본문은 JSON 객체여야 합니다. (body must be a JSON object)");
                }
                values.putAll((Map<String, Object>) parsed);
            } catch (IOException e) {
                throw new IamportBadRequest("요청 본문을 해석할 수 없습니다. (malformed JSON body)");
            }
        }
        return new IamportParams(values);
    }

    /** A scalar as a string; null when absent or empty. Objects and arrays are not parameters. */
    String string(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw IamportBadRequest.invalid(name);
        }
        String s = v instanceof BigDecimal d ? d.toPlainString() : v.toString();
        return s.isEmpty() ? null : s;
    }

    String string(String name, boolean required, int maxLength) {
        String s = string(name);
        if (s == null) {
            if (required) {
                throw IamportBadRequest.missing(name);
            }
            return null;
        }
        if (s.isBlank() || s.length() > maxLength) {
            throw IamportBadRequest.invalid(name);
        }
        return s;
    }

    String matching(String name, boolean required, Pattern pattern) {
        String s = string(name, required, 1000);
        if (s != null && !pattern.matcher(s).matches()) {
            throw IamportBadRequest.invalid(name);
        }
        return s;
    }

    /** An absolute http(s) URL, or null. */
    String url(String name) {
        String s = string(name, false, 2000);
        if (s == null) {
            return null;
        }
        try {
            URI uri = URI.create(s);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return s;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 400
        }
        throw IamportBadRequest.invalid(name);
    }

    /**
     * A whole, non-negative KRW amount, from a JSON integer, a JSON number without fraction, or a
     * string of digits; null when absent. Fractions, signs, words and overflow are a 400.
     */
    Long amount(String name, boolean required) {
        Object v = values.get(name);
        if (v == null || "".equals(v)) {
            if (required) {
                throw IamportBadRequest.missing(name);
            }
            return null;
        }
        try {
            if (v instanceof Integer || v instanceof Long) {
                long n = ((Number) v).longValue();
                if (n >= 0) {
                    return n;
                }
            } else if (v instanceof BigInteger b) {
                return b.longValueExact();
            } else if (v instanceof BigDecimal d && d.signum() >= 0) {
                return d.longValueExact(); // throws on a fraction
            } else if (v instanceof String s && DIGITS.matcher(s.trim()).matches()) {
                return Long.parseLong(s.trim());
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // falls through to the 400
        }
        throw IamportBadRequest.invalid(name);
    }

    /** A JSON boolean or the strings true/false; {@code fallback} when absent. */
    boolean bool(String name, boolean fallback) {
        Object v = values.get(name);
        if (v == null || "".equals(v)) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equalsIgnoreCase(v.toString())) {
            return true;
        }
        if ("false".equalsIgnoreCase(v.toString())) {
            return false;
        }
        throw IamportBadRequest.invalid(name);
    }
}
