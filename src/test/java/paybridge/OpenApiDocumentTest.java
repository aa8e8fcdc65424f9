package paybridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;

/** /api/openapi.json is a valid OpenAPI 3 document describing every path and status of CONTRACT §2. */
class OpenApiDocumentTest {

    @Test
    void documentParsesAndDescribesTheContract() {
        String json;
        try (RunningPaybridge app = RunningPaybridge.start()) {
            json = app.get("/api/openapi.json").body();
        }
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json);
        assertThat(parsed.getMessages()).as("parser messages").isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getOpenapi()).startsWith("3.");
        assertThat(api.getPaths()).containsKeys("/api/payments", "/api/payments/{paymentId}",
                "/api/payments/{paymentId}/resolve", "/api/refunds", "/api/subscriptions",
                "/api/subscriptions/{subscriptionId}", "/api/billing-runs", "/api/billing-runs/{runId}", "/api/ledger",
                "/api/webhooks", "/api/webhooks/{inboxId}/replay");
        Operation charge = api.getPaths().get("/api/payments").getPost();
        assertThat(charge.getResponses()).containsKeys("200", "202", "400", "409", "422", "502", "503");
        assertThat(charge.getRequestBody().getContent().get("application/json").getSchema().get$ref())
                .endsWith("PaymentCommand");
        assertThat(api.getComponents().getSchemas().get("PaymentCommand").getProperties())
                .containsKeys("paymentId", "vendor", "method", "amount", "orderName", "customer", "card", "billingKey");
        io.swagger.v3.oas.models.media.Schema<?> paymentId = (io.swagger.v3.oas.models.media.Schema<?>)
                api.getComponents().getSchemas().get("PaymentCommand").getProperties().get("paymentId");
        assertThat(paymentId.getExample())
                .as("fields carry examples").isEqualTo("ord-20261122-0001");
        assertThat(api.getPaths().get("/api/refunds").getPost().getResponses()).containsKeys("200", "202", "409", "422");
        assertThat(api.getPaths().get("/api/payments/{paymentId}").getGet().getResponses()).containsKeys("200", "202", "404");
        // the subscription lifecycle: list, PATCH, resume; a decline's category
        assertThat(api.getPaths().get("/api/subscriptions").getGet().getParameters())
                .extracting(io.swagger.v3.oas.models.parameters.Parameter::getName)
                .contains("state", "customerId", "vendor", "after", "limit");
        assertThat(api.getPaths().get("/api/subscriptions/{subscriptionId}").getPatch().getResponses())
                .containsKeys("200", "400", "404", "409", "422");
        assertThat(api.getPaths().get("/api/subscriptions/{subscriptionId}/resume").getPost().getResponses())
                .containsKeys("200", "400", "404", "409", "422");
        assertThat(api.getComponents().getSchemas().get("Failure").getProperties()).containsKeys("code", "message", "category");
    }
}
