package paybridge.canonical;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Turns a request body into a canonical record: parse, validate against its JSON Schema in
 * {@code src/main/resources/schemas}, then map. Every failure is a 400 problem listing each bad
 * field, so a caller fixes everything in one round trip.
 */
public final class CommandReader {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private CommandReader() {
    }

    /**
     * @param body   the raw request body (may be null or empty)
     * @param schema the schema's file name without {@code .schema.json}, e.g. {@code payment-command}
     * @param type   the record to map to
     */
    public static <T> T read(byte[] body, String schema, Class<T> type) {
        JsonNode node = parse(body);
        List<FieldError> errors = validate(node, schema);
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors.size() + " invalid field(s)", errors));
        }
        try {
            return CanonicalJson.MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            // the schema accepted it, so this is a bug in a schema or a record: say which field
            throw new ProblemException(Problem.invalid("The body does not map to " + type.getSimpleName(),
                    List.of(new FieldError("$", e.getOriginalMessage()))));
        }
    }

    /** Parses a body, answering 400 for anything that is not one JSON value. */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ProblemException(Problem.invalid("The request body is empty; a JSON object is expected", List.of()));
        }
        try {
            JsonNode node = CanonicalJson.MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ProblemException(Problem.invalid("The request body is empty; a JSON object is expected", List.of()));
            }
            return node;
        } catch (IOException e) {
            String where = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                    ? " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() : "";
            throw new ProblemException(Problem.invalid("The request body is not valid JSON" + where, List.of()));
        }
    }

    /** Validates a parsed body; an empty list means valid. */
    public static List<FieldError> validate(JsonNode node, String schema) {
        Set<ValidationMessage> messages = schema(schema).validate(node);
        List<FieldError> errors = new ArrayList<>();
        for (ValidationMessage m : messages) {
            errors.add(new FieldError(fieldOf(m), m.getMessage().replaceFirst("^[$/]?[^:\\s]*: ", "")));
        }
        nulCharacters(node, "", errors);
        errors.sort(Comparator.comparing(FieldError::field).thenComparing(FieldError::message));
        return errors.stream().distinct().toList();
    }

    /**
     * Text holding U+0000 anywhere in the body: valid JSON, but no PostgreSQL text column can store it, so it
     * is refused here naming the field, never a database error (a 500) after the schema let it through.
     */
    private static void nulCharacters(JsonNode node, String path, List<FieldError> errors) {
        if (node.isTextual() && node.textValue().indexOf('\u0000') >= 0) {
            errors.add(new FieldError(path.isEmpty() ? "$" : path, "must not contain the NUL character (U+0000)"));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(f -> nulCharacters(f.getValue(), path.isEmpty() ? f.getKey()
                    : path + "." + f.getKey(), errors));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nulCharacters(node.get(i), path + "[" + i + "]", errors);
            }
        }
    }

    private static String fieldOf(ValidationMessage m) {
        // "/customer/id" (JSON Pointer) or "$.customer.id" (JSONPath), depending on the validator's setting
        String location = m.getInstanceLocation().toString();
        String field = location.startsWith("$") ? location.substring(1) : location.replace('/', '.');
        field = field.startsWith(".") ? field.substring(1) : field;
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            field = field.isEmpty() ? m.getProperty() : field + "." + m.getProperty();
        } else if ("additionalProperties".equals(m.getType()) && m.getProperty() != null) {
            field = field.isEmpty() ? m.getProperty() : field + "." + m.getProperty();
        }
        return field.isEmpty() ? "$" : field;
    }

    private static JsonSchema schema(String name) {
        return SCHEMAS.computeIfAbsent(name, n -> {
            InputStream in = CommandReader.class.getResourceAsStream("/schemas/" + n + ".schema.json");
            if (in == null) {
                throw new IllegalArgumentException("No schema schemas/" + n + ".schema.json");
            }
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            try (in) {
                return FACTORY.getSchema(in, config);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
