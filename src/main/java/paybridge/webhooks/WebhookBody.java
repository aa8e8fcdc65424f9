package paybridge.webhooks;

import paybridge.connector.MalformedWebhookException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.CanonicalJson;

/**
 * A webhook body as flat fields: a JSON object or {@code application/x-www-form-urlencoded}, as the
 * vendor console is set. Read from the stored raw text, never from HTTP headers (a form field
 * must not be mistaken for a header, CAMEL-NOTES). A connector's {@code WebhookRules.parse} reads
 * these fields (with {@link paybridge.connector.WebhookFields}).
 */
public final class WebhookBody {
    private WebhookBody() {
    }

    public static Map<String, String> fields(String contentType, String body) {
        String type = contentType == null ? "" : contentType.toLowerCase();
        String text = body == null ? "" : body.trim();
        if (text.isEmpty()) {
            throw new MalformedWebhookException("empty body");
        }
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return form(text);
        }
        if (type.startsWith("application/json") || type.contains("+json") || type.isEmpty() && text.startsWith("{")) {
            return json(text);
        }
        throw new MalformedWebhookException("unsupported content type " + (type.isEmpty() ? "(none)" : type)
                + "; expected application/json or application/x-www-form-urlencoded");
    }

    static Map<String, String> json(String text) {
        JsonNode node;
        try {
            node = CanonicalJson.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new MalformedWebhookException("body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new MalformedWebhookException("body is not a JSON object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            fields.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
        }
        return fields;
    }

    static Map<String, String> form(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (key.isEmpty()) {
                    throw new MalformedWebhookException("form field without a name");
                }
                fields.putIfAbsent(key, value); // the first of repeated fields counts
            } catch (IllegalArgumentException e) {
                throw new MalformedWebhookException("body is not valid form-urlencoded text");
            }
        }
        if (fields.isEmpty()) {
            throw new MalformedWebhookException("form body without fields");
        }
        return fields;
    }
}
