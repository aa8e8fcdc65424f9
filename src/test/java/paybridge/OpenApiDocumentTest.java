package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/**
 * /api/openapi.json is a valid OpenAPI 3 document (swagger-parser, the validator behind the Swagger
 * editor) that a client can be generated from: bearer security, every answer typed (problem+json for
 * errors), and every field of the request and answer JSON Schemas with its constraint.
 */
class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String json;
    private static JsonNode doc;
    private static OpenAPI api;

    @BeforeAll
    static void fetch() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.api.key", "doc-test-key"))) {
            RunningPaybridge.Response r = app.get("/api/openapi.json");
            assertThat(r.status()).as("served without the key").isEqualTo(200);
            json = r.body();
        }
        doc = JSON.readTree(json);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json, null, options);
        assertThat(parsed.getMessages()).as("validator messages").isEmpty();
        api = parsed.getOpenAPI();
    }

    @Test
    void documentIsValidAndDescribesTheContract() {
        assertThat(api.getOpenapi()).startsWith("3.0");
        assertThat(api.getPaths()).containsKeys("/api/payments", "/api/payments/{paymentId}",
                "/api/payments/{paymentId}/resolve", "/api/refunds", "/api/subscriptions",
                "/api/subscriptions/{subscriptionId}", "/api/subscriptions/{subscriptionId}/resume", "/api/billing-runs",
                "/api/billing-runs/{runId}", "/api/ledger", "/api/webhooks", "/api/webhooks/{inboxId}/replay", "/api/audit",
                "/webhooks/{vendor}");
        assertThat(api.getPaths()).doesNotContainKey("/api/openapi.json");
        Operation charge = api.getPaths().get("/api/payments").getPost();
        assertThat(charge.getResponses()).containsKeys("200", "202", "400", "401", "409", "422", "502", "503");
        assertThat(charge.getRequestBody().getContent().get("application/json").getSchema().get$ref()).endsWith("PaymentCommand");
        assertThat(charge.getRequestBody().getRequired()).isTrue();
        io.swagger.v3.oas.models.media.Schema<?> paymentId = (io.swagger.v3.oas.models.media.Schema<?>)
                api.getComponents().getSchemas().get("PaymentCommand").getProperties().get("paymentId");
        assertThat(paymentId.getExample()).as("the records' examples are kept").isEqualTo("ord-20261122-0001");
        assertThat(paymentId.getPattern()).isEqualTo("^[A-Za-z0-9_-]{1,40}$");
        assertThat(api.getPaths().get("/api/subscriptions").getGet().getParameters())
                .extracting(io.swagger.v3.oas.models.parameters.Parameter::getName)
                .contains("state", "customerId", "vendor", "after", "limit");
        assertThat(api.getPaths().get("/api/audit").getGet().getParameters())
                .extracting(io.swagger.v3.oas.models.parameters.Parameter::getName)
                .contains("from", "to", "actor", "after", "limit");
        assertThat(api.getPaths().get("/api/subscriptions/{subscriptionId}").getPatch().getRequestBody().getContent())
                .containsKeys("application/json", "application/merge-patch+json");
        assertThat(api.getComponents().getSchemas().get("Failure").getProperties()).containsKeys("code", "message", "category");
    }

    @Test
    void theBearerKeyIsDeclaredAndAppliedToEveryApiOperationButNotToWebhooks() {
        SecurityScheme bearer = api.getComponents().getSecuritySchemes().get("bearerAuth");
        assertThat(bearer.getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(bearer.getScheme()).isEqualTo("bearer");
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            if (path.startsWith("/api/")) {
                assertThat(op.getSecurity()).as(method + " " + path).hasSize(1);
                assertThat(op.getSecurity().get(0)).containsKey("bearerAuth");
                assertThat(op.getResponses()).as(method + " " + path).containsKey("401");
                assertThat(op.getTags()).containsExactly("api");
            } else {
                assertThat(op.getSecurity()).as(method + " " + path).isEmpty();
                assertThat(op.getTags()).containsExactly("webhooks");
            }
        }));
        assertThat(api.getSecurity()).as("not document-wide: openapi.json itself is open").isNull();
    }

    @Test
    void everyAnswerIsTypedAndErrorsAreProblemJson() {
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            if (path.equals("/api/ping")) {
                return;
            }
            op.getResponses().forEach((code, response) -> {
                int status = Integer.parseInt(code);
                String what = method + " " + path + " " + code;
                if (status >= 400) {
                    assertThat(response.getContent()).as(what).containsOnlyKeys("application/problem+json");
                    assertThat(response.getContent().get("application/problem+json").getSchema().get$ref()).endsWith("/Problem");
                } else {
                    assertThat(response.getContent()).as(what).isNotNull();
                    assertThat(response.getContent().values().iterator().next().getSchema()).as(what).isNotNull();
                }
            });
        }));
        assertThat(ref("/api/subscriptions", "get", "200")).endsWith("/SubscriptionPage");
        assertThat(ref("/api/subscriptions/{subscriptionId}", "delete", "200")).endsWith("/SubscriptionView");
        assertThat(ref("/api/billing-runs/{runId}", "get", "200")).endsWith("/BillingRun");
        assertThat(ref("/api/ledger", "get", "200")).endsWith("/LedgerPage");
        assertThat(ref("/api/webhooks", "get", "200")).endsWith("/WebhookPage");
        assertThat(ref("/api/audit", "get", "200")).endsWith("/AuditPage");
        JsonNode schemas = doc.path("components").path("schemas");
        assertThat(schemas.path("AuditEntry").path("required").toString()).contains("auditId", "at", "actor", "action");
        assertThat(schemas.path("AuditEntry").path("properties").path("reason").path("maxLength").asInt()).isEqualTo(500);
        assertThat(schemas.path("LedgerEntry").path("properties").fieldNames()).toIterable().contains("entryId", "recordedAt",
                "occurredAt", "vendor", "paymentId", "vendorPaymentRef", "subscriptionId", "type", "amount", "currency", "source", "eventKey");
        assertThat(schemas.path("WebhookEntry").path("properties").path("status").path("enum").toString())
                .contains("RECEIVED", "PENDING", "PROCESSED", "REJECTED");
        assertThat(schemas.path("BillingRun").path("properties").path("counts").path("required").toString())
                .contains("due", "paid", "declined", "pending", "unknown", "skipped");
        assertThat(schemas.path("SubscriptionView").path("properties").path("state").path("enum").toString())
                .contains("ACTIVE", "PAST_DUE", "CANCELLED");
        // a state-changing call documents X-Reason with its bound
        assertThat(api.getPaths().get("/api/payments/{paymentId}/resolve").getPost().getParameters())
                .anySatisfy(p -> {
                    assertThat(p.getName()).isEqualTo("X-Reason");
                    assertThat(p.getSchema().getMaxLength()).isEqualTo(500);
                });
    }

    /**
     * Each field of each JSON Schema that validates or describes the wire (src/main/resources/schemas)
     * appears in its component with the same constraints: required list, pattern, bounds, lengths, enums.
     */
    @Test
    void everySchemaFieldAppearsWithItsConstraint() throws Exception {
        JsonNode schemas = doc.path("components").path("schemas");
        List<String> checked = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/resources/schemas"))) {
            for (Path file : files.sorted().toList()) {
                JsonNode source = JSON.readTree(file.toFile());
                String title = source.path("title").asText();
                checkSame(title, source, schemas.path(title), checked);
                source.path("$defs").fields().forEachRemaining(d -> {
                    String name = d.getValue().has("title") ? d.getValue().get("title").asText()
                            : Character.toUpperCase(d.getKey().charAt(0)) + d.getKey().substring(1);
                    checkSame(name, d.getValue(), schemas.path(name), checked);
                });
            }
        }
        assertThat(checked).contains("PaymentCommand.paymentId", "PaymentCommand.amount", "Card.number",
                "RefundCommand.refundId", "Subscription.subscriptionId", "Subscription.interval", "ResolveCommand.status",
                "SubscriptionPatch.billingKey", "Customer.id", "AuditEntry.reason", "Problem.status");
        JsonNode amount = schemas.path("PaymentCommand").path("properties").path("amount");
        assertThat(amount.path("minimum").asLong()).isEqualTo(1);
        assertThat(amount.path("maximum").asLong()).isEqualTo(10_000_000_000L);
        assertThat(schemas.path("PaymentCommand").path("description").asText())
                .as("the if/then rules in words").contains("when method is KEY_IN, card is required");
        assertThat(schemas.path("PaymentCommand").path("properties").path("billingKey").path("nullable").asBoolean()).isTrue();
    }

    private static void checkSame(String name, JsonNode source, JsonNode component, List<String> checked) {
        assertThat(component.isMissingNode()).as("component " + name).isFalse();
        for (JsonNode required : source.path("required")) {
            assertThat(component.path("required").toString()).as(name + " required").contains("\"" + required.asText() + "\"");
        }
        JsonNode props = component.path("properties");
        source.path("properties").fields().forEachRemaining(p -> {
            String field = name + "." + p.getKey();
            JsonNode in = p.getValue();
            JsonNode out = props.path(p.getKey());
            if (out.has("$ref")) {
                // the constraints live on the referenced component
                String target = out.get("$ref").asText().replace("#/components/schemas/", "");
                out = doc.path("components").path("schemas").path(target);
                if (in.has("properties")) {
                    checkSame(target, in, out, checked);
                }
                checked.add(field);
                return;
            }
            assertThat(out.isMissingNode()).as(field).isFalse();
            for (String keyword : List.of("pattern", "minimum", "maximum", "minLength", "maxLength", "enum")) {
                if (in.has(keyword)) {
                    assertThat(out.path(keyword)).as(field + " " + keyword).isEqualTo(in.get(keyword));
                }
            }
            if (in.has("const")) {
                assertThat(out.path("enum").get(0)).as(field + " const").isEqualTo(in.get("const"));
            }
            if (in.has("properties")) {
                checkSame(field, in, out, checked);
            }
            checked.add(field);
        });
    }

    private static String ref(String path, String method, String code) {
        return doc.path("paths").path(path).path(method).path("responses").path(code).path("content")
                .path("application/json").path("schema").path("$ref").asText();
    }
}
