package paybridge.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.openapi.RestOpenApiProcessor;
import org.apache.camel.support.service.ServiceHelper;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3 document a client is generated from. camel-openapi-java
 * writes it from the Rest DSL (paths, parameters, statuses, descriptions); this class then makes it
 * typed, from the same JSON Schemas that validate requests ({@code src/main/resources/schemas}):
 *
 * <ul>
 * <li>each Rest verb listed in {@code openapi/operations.properties} gets its request and 2xx answer
 *     schemas ({@code <verb id> = <request schema> -> <answer schema>}), so a new endpoint is typed by
 *     its schema file and one line;</li>
 * <li>each schema file becomes a component named by its {@code title}, converted from JSON Schema
 *     2020-12 to OpenAPI 3.0's dialect (nullable types, {@code const} as a one-value enum, {@code $defs}
 *     as components, {@code if}/{@code then} rules spelt out in the description); where the Rest DSL
 *     already produced the component from a Java record (with its examples), the schema's constraints
 *     ({@code required}, patterns, bounds, enums) are laid over it;</li>
 * <li>every 4xx/5xx answer is {@code application/problem+json} ({@code Problem}); every {@code /api}
 *     operation requires the bearer key ({@code bearerAuth}), and 401 is listed; state-changing ones take
 *     {@code X-Reason} (the audit trail) and list its 422;</li>
 * <li>the vendor-facing {@code /webhooks/{vendor}} ({@code openapi/webhooks.json}, a platform-http
 *     route, not Rest DSL) is added under its own tag, without the key.</li>
 * </ul>
 */
public final class OpenApiDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF = "#/components/schemas/";
    private static final String PROBLEM = "application/problem+json";

    private final CamelContext context;
    private volatile RestOpenApiProcessor generator;
    private volatile Typing typing;

    public OpenApiDocument(CamelContext context) {
        this.context = context;
    }

    /** Answers the document (the Rest DSL as it is now, so a reloaded route file shows). */
    public void render(Exchange exchange) throws Exception {
        generator().process(exchange);
        String generated = exchange.getMessage().getBody(String.class);
        ObjectNode doc = (ObjectNode) JSON.readTree(generated);
        typing().apply(doc);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, JsonResponses.JSON);
        exchange.getMessage().setBody(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    }

    private RestOpenApiProcessor generator() {
        RestOpenApiProcessor g = generator;
        if (g == null) {
            synchronized (this) {
                if (generator == null) {
                    Map<String, Object> properties = context.getRestConfiguration().getApiProperties() == null
                            ? new LinkedHashMap<>() : context.getRestConfiguration().getApiProperties();
                    RestOpenApiProcessor created = new RestOpenApiProcessor(properties, context.getRestConfiguration());
                    created.setCamelContext(context);
                    ServiceHelper.startService(created);
                    generator = created;
                }
                g = generator;
            }
        }
        return g;
    }

    private Typing typing() throws IOException {
        Typing t = typing;
        if (t == null) {
            t = Typing.load();
            typing = t;
        }
        return t;
    }

    /** The schemas and the operation table, read once from the classpath. */
    static final class Typing {
        private final Map<String, ObjectNode> components = new LinkedHashMap<>();
        private final Map<String, String[]> operations = new LinkedHashMap<>();
        private final ObjectNode webhookPaths;
        private final Map<String, String> titles = new LinkedHashMap<>();

        private Typing(ObjectNode webhookPaths) {
            this.webhookPaths = webhookPaths;
        }

        static Typing load() throws IOException {
            Typing t = new Typing((ObjectNode) JSON.readTree(resource("openapi/webhooks.json")));
            Properties table = new Properties();
            table.load(new java.io.StringReader(resource("openapi/operations.properties")));
            List<String> files = new ArrayList<>();
            files.add("problem");
            for (String operation : table.stringPropertyNames()) {
                String line = table.getProperty(operation);
                int arrow = line.indexOf("->");
                if (arrow < 0) {
                    throw new IllegalStateException("openapi/operations.properties: " + operation + " needs '<request> -> <answer>'");
                }
                String request = line.substring(0, arrow).trim();
                String answer = line.substring(arrow + 2).trim();
                t.operations.put(operation, new String[] {request, answer});
                if (!request.isEmpty()) {
                    files.add(request.replace("?", ""));
                }
                if (!answer.isEmpty()) {
                    files.add(answer);
                }
            }
            // every schema a listed one refers to (other files) is loaded too
            for (int i = 0; i < files.size(); i++) {
                String name = files.get(i);
                if (t.titles.containsKey(name)) {
                    continue;
                }
                ObjectNode schema = (ObjectNode) JSON.readTree(resource("schemas/" + name + ".schema.json"));
                t.titles.put(name, schema.path("title").asText(name));
                schema.findValuesAsText("$ref").stream().filter(r -> r.endsWith(".schema.json"))
                        .map(r -> r.substring(0, r.length() - ".schema.json".length())).forEach(files::add);
                t.pending.put(name, schema);
            }
            t.pending.forEach((name, schema) -> t.convertFile(schema));
            return t;
        }

        private final Map<String, ObjectNode> pending = new LinkedHashMap<>();

        private void convertFile(ObjectNode schema) {
            String title = schema.path("title").asText();
            JsonNode defs = schema.remove("$defs");
            if (defs != null) {
                defs.fields().forEachRemaining(d -> {
                    ObjectNode def = (ObjectNode) d.getValue().deepCopy();
                    String defName = defName(d.getKey(), def);
                    mergeComponent(defName, convert(def));
                });
            }
            mergeComponent(title, convert(schema));
        }

        private static String defName(String key, JsonNode def) {
            return def.hasNonNull("title") ? def.get("title").asText()
                    : key.substring(0, 1).toUpperCase(Locale.ROOT) + key.substring(1);
        }

        private void mergeComponent(String name, ObjectNode schema) {
            mergeInto(components, name, schema);
        }

        private static void mergeInto(Map<String, ObjectNode> sink, String name, ObjectNode schema) {
            ObjectNode existing = sink.get(name);
            sink.put(name, existing == null ? schema.deepCopy() : overlay(existing, schema, sink));
        }

        /** JSON Schema 2020-12 → OpenAPI 3.0 schema object (recursively). */
        private ObjectNode convert(ObjectNode in) {
            ObjectNode out = JSON.createObjectNode();
            List<String> rules = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String key = f.getKey();
                JsonNode value = f.getValue();
                switch (key) {
                    case "$schema", "$id", "$defs" -> {
                        // not OpenAPI 3.0 schema keywords; $defs become components (convertFile)
                    }
                    case "$ref" -> out.put("$ref", ref(value.asText()));
                    case "const" -> {
                        out.set("enum", JSON.createArrayNode().add(value));
                        if (value.isTextual() && !in.has("type")) {
                            out.put("type", "string");
                        }
                    }
                    case "type" -> {
                        if (value.isArray()) {
                            for (JsonNode t : value) {
                                if ("null".equals(t.asText())) {
                                    out.put("nullable", true);
                                } else {
                                    out.put("type", t.asText());
                                }
                            }
                        } else {
                            out.set("type", value);
                        }
                    }
                    case "enum" -> {
                        out.set("enum", value);
                        if (!in.has("type") && value.size() > 0 && value.get(0).isTextual()) {
                            out.put("type", "string");
                        }
                    }
                    case "properties" -> {
                        ObjectNode props = JSON.createObjectNode();
                        value.fields().forEachRemaining(p -> props.set(p.getKey(), p.getValue().isObject()
                                ? convert((ObjectNode) p.getValue()) : p.getValue()));
                        out.set("properties", props);
                    }
                    case "items", "additionalProperties", "not" -> out.set(key, value.isObject() ? convert((ObjectNode) value) : value);
                    case "allOf", "anyOf", "oneOf" -> {
                        ArrayNode kept = JSON.createArrayNode();
                        for (JsonNode part : value) {
                            if (part.has("if")) {
                                rules.add(rule(part));
                            } else {
                                kept.add(convert((ObjectNode) part));
                            }
                        }
                        if (!kept.isEmpty()) {
                            out.set(key, kept);
                        }
                    }
                    case "if", "then", "else" -> rules.add(rule(in));
                    default -> out.set(key, value);
                }
            }
            if (out.has("enum") && out.path("nullable").asBoolean(false) == false) {
                // an enum listing null is a nullable one
                for (JsonNode v : out.get("enum")) {
                    if (v.isNull()) {
                        out.put("nullable", true);
                    }
                }
            }
            if (!rules.isEmpty()) {
                String text = String.join("; ", rules.stream().distinct().toList());
                out.put("description", (out.path("description").asText("") + " Also checked: " + text + ".").trim());
            }
            return out;
        }

        /** An if/then rule in words: "when method is KEY_IN, card is required". */
        private static String rule(JsonNode part) {
            List<String> when = new ArrayList<>();
            part.path("if").path("properties").fields().forEachRemaining(p -> when.add(p.getKey() + " is "
                    + p.getValue().path("const").asText(p.getValue().toString())));
            List<String> then = new ArrayList<>();
            part.path("then").path("required").forEach(r -> then.add(r.asText() + " is required"));
            part.path("then").path("properties").fields().forEachRemaining(p -> {
                if (p.getValue().isBoolean() && !p.getValue().asBoolean()) {
                    then.add(p.getKey() + " is not allowed");
                }
            });
            return "when " + String.join(" and ", when) + ", " + String.join(" and ", then);
        }

        private String ref(String jsonSchemaRef) {
            if (jsonSchemaRef.startsWith("#/$defs/")) {
                String key = jsonSchemaRef.substring("#/$defs/".length());
                return REF + key.substring(0, 1).toUpperCase(Locale.ROOT) + key.substring(1);
            }
            if (jsonSchemaRef.endsWith(".schema.json")) {
                String file = jsonSchemaRef.substring(0, jsonSchemaRef.length() - ".schema.json".length());
                return REF + titles.getOrDefault(file, file);
            }
            return jsonSchemaRef;
        }

        /**
         * The generated component (from a Java record: examples, formats) with the schema's constraints
         * laid over it: the schema wins on every keyword it has; a property the generator made a $ref
         * to another component keeps the $ref and the constraints go to that component (in {@code sink}).
         */
        private static ObjectNode overlay(ObjectNode generated, ObjectNode schema, Map<String, ObjectNode> sink) {
            ObjectNode out = generated.deepCopy();
            schema.fields().forEachRemaining(f -> {
                if (!"properties".equals(f.getKey())) {
                    out.set(f.getKey(), f.getValue());
                    return;
                }
                ObjectNode props = out.has("properties") ? (ObjectNode) out.get("properties") : out.putObject("properties");
                f.getValue().fields().forEachRemaining(p -> {
                    JsonNode before = props.get(p.getKey());
                    JsonNode constraint = p.getValue();
                    if (before != null && before.has("$ref") && !constraint.has("$ref") && constraint.has("properties")) {
                        String target = before.get("$ref").asText().substring(REF.length());
                        mergeInto(sink, target, (ObjectNode) constraint);
                    } else if (before != null && before.isObject() && !constraint.has("$ref") && !before.has("$ref")) {
                        ObjectNode merged = ((ObjectNode) before).deepCopy();
                        merged.setAll((ObjectNode) constraint);
                        props.set(p.getKey(), merged);
                    } else {
                        props.set(p.getKey(), constraint);
                    }
                });
            });
            return out;
        }

        /** Types the generated document in place. */
        void apply(ObjectNode doc) {
            ObjectNode schemas = doc.with("components").with("schemas");
            // the generated components first (from Java records), then the schemas laid over them
            Map<String, ObjectNode> merged = new LinkedHashMap<>();
            schemas.fields().forEachRemaining(f -> merged.put(f.getKey(), (ObjectNode) f.getValue()));
            components.forEach((name, schema) -> mergeInto(merged, name, schema));
            schemas.removeAll();
            merged.forEach(schemas::set);

            doc.with("components").with("securitySchemes").set("bearerAuth", JSON.createObjectNode()
                    .put("type", "http").put("scheme", "bearer")
                    .put("description", "Authorization: Bearer <an API key> (PAYBRIDGE_API_KEY or one of PAYBRIDGE_API_KEYS);"
                            + " the key's name is the actor of the audit trail"));
            // a relative server: the host that served this document
            doc.putArray("servers").addObject().put("url", "/");
            ArrayNode tags = doc.putArray("tags");
            tags.addObject().put("name", "api").put("description", "The API for other systems (CONTRACT §2); every call needs the bearer key");
            tags.addObject().put("name", "webhooks").put("description", "Vendor-facing: where each payment vendor posts its webhooks (CONTRACT §4); not for other systems");

            ObjectNode paths = doc.with("paths");
            paths.setAll(webhookPaths.deepCopy());
            paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                if (op.getValue().isObject()) {
                    typeOperation(path.getKey(), op.getKey(), (ObjectNode) op.getValue());
                }
            }));
        }

        private void typeOperation(String path, String method, ObjectNode op) {
            boolean api = path.startsWith("/api/");
            ObjectNode responses = op.with("responses");
            if (api) {
                op.putArray("tags").add("api");
                op.putArray("security").addObject().putArray("bearerAuth");
                if (!responses.has("401")) {
                    responses.putObject("401").put("description", "Missing or wrong API key");
                }
                if (!"get".equals(method)) {
                    ArrayNode params = op.has("parameters") ? (ArrayNode) op.get("parameters") : op.putArray("parameters");
                    params.addObject().put("name", "X-Reason").put("in", "header").put("required", false)
                            .put("description", "Why (recorded with the caller in the audit trail, GET /api/audit)")
                            .putObject("schema").put("type", "string").put("maxLength", 500);
                    if (!responses.has("422")) {
                        responses.putObject("422").put("description", "X-Reason too long or holding control characters");
                    }
                }
            }
            String[] typed = operations.get(op.path("operationId").asText());
            if (typed != null && !typed[0].isEmpty()) {
                boolean optional = typed[0].endsWith("?");
                String component = REF + titles.get(typed[0].replace("?", ""));
                ObjectNode body = op.putObject("requestBody");
                body.put("required", !optional);
                ObjectNode content = body.putObject("content");
                content.putObject("application/json").putObject("schema").put("$ref", component);
                if ("patch".equals(method)) {
                    content.putObject("application/merge-patch+json").putObject("schema").put("$ref", component);
                }
            }
            responses.fields().forEachRemaining(r -> {
                ObjectNode response = (ObjectNode) r.getValue();
                int status = r.getKey().matches("\\d{3}") ? Integer.parseInt(r.getKey()) : 0;
                if (status >= 400) {
                    response.putObject("content").putObject(PROBLEM).putObject("schema").put("$ref", REF + "Problem");
                } else if (status >= 200 && status < 300 && typed != null && !typed[1].isEmpty()) {
                    response.putObject("content").putObject("application/json").putObject("schema")
                            .put("$ref", REF + titles.get(typed[1]));
                }
            });
        }

        private static String resource(String name) throws IOException {
            try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + name);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
