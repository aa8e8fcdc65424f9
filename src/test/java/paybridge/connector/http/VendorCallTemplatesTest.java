package paybridge.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Route;
import org.apache.camel.builder.NoErrorHandlerBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import paybridge.connector.VendorHarness;
import paybridge.connector.VendorPayment;
import paybridge.observe.PaybridgeMeters;

/** The connectors' send and safe-call routes, made from {@link VendorCallTemplates}, over real HTTP. */
class VendorCallTemplatesTest {
    private static VendorHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new VendorHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void eachConnectorsCallRoutesAreMadeFromTheSharedTemplatesUnderTheirOwnIds() {
        Map<String, String> templateOf = Map.of(
                "iamport-send", VendorCallTemplates.SEND,
                "iamport-call-safe", VendorCallTemplates.SAFE_CALL,
                "iamport-token", VendorCallTemplates.SAFE_CALL,
                "steppay-send", VendorCallTemplates.SEND,
                "steppay-call-safe", VendorCallTemplates.SAFE_CALL);
        templateOf.forEach((id, template) -> {
            Route route = h.camel.getRoute(id);
            assertThat(route).as(id).isNotNull();
            assertThat(route.isCreatedByRouteTemplate()).as(id).isTrue();
            RouteDefinition definition = ((ModelCamelContext) h.camel).getRouteDefinition(id);
            assertThat(definition.getTemplateParameters()).as(id)
                    .containsOnlyKeys(template.equals(VendorCallTemplates.SEND)
                            ? new String[] {VendorCallTemplates.NAME, VendorCallTemplates.VENDOR, VendorCallTemplates.ENDPOINT}
                            : new String[] {VendorCallTemplates.NAME, VendorCallTemplates.CALL})
                    .containsEntry(VendorCallTemplates.NAME, id);
            assertThat(route.getEndpoint().getEndpointUri()).as(id).isEqualTo("direct://" + id);
            // a failure travels back to the calling route: no error handler logs or swallows it on the way
            assertThat(definition.getErrorHandlerFactory()).as(id).isInstanceOf(NoErrorHandlerBuilder.class);
        });
    }

    @Test
    void eachSendIsTimedAsACallToItsOwnVendor() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // its own sandbox and context: no iamport token cached yet; a timeout long enough that a busy
        // machine does not turn a call into a retried one (the counts below are of calls made)
        try (VendorHarness h = new VendorHarness(s -> s, p -> p.setProperty("paybridge.vendor.timeout", "PT10S"))) {
            h.camel.getRegistry().bind(PaybridgeMeters.BEAN, new PaybridgeMeters(registry, Set.of("iamport", "steppay")));
            assertThat(h.call("direct:iamport-lookup-ref", "imp_000000000000", VendorPayment.class).found()).isFalse();
            assertThat(h.call("direct:steppay-lookup-ref", "never-charged", VendorPayment.class).found()).isFalse();

            // iamport: its token, then the lookup; steppay: the lookup
            assertThat(registry.find("paybridge.vendor.call").tags("vendor", "iamport", "operation", "lookup")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.find("paybridge.vendor.call").tags("vendor", "iamport").timers()
                    .stream().mapToLong(t -> t.count()).sum()).isEqualTo(2);
            assertThat(registry.find("paybridge.vendor.call").tags("vendor", "steppay", "operation", "lookup")
                    .timer().count()).isEqualTo(1);
        }
    }
}
