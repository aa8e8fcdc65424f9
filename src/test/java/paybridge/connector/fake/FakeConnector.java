package paybridge.connector.fake;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.apache.camel.RoutesBuilder;
import paybridge.Settings;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentMethod;
import paybridge.connector.Capabilities;
import paybridge.connector.Connector;
import paybridge.connector.DeclineCategory;
import paybridge.connector.WebhookRules;

/**
 * A third vendor, in test sources only: what adding a vendor takes. Its package holds the connector,
 * its routes, its wire format and its webhook rules; beside it only its settings block
 * ({@code paybridge.fake.*}), its branches in dispatch.camel.yaml and its sandbox simulator
 * ({@code paybridge.sandbox.fake.FakeSimulator}). Charges on a billing key, refunds, lookups by our paymentId (the vendor keys
 * every charge by it, so "not found" proves a charge never happened) and by its charge id, signed
 * webhooks.
 */
public final class FakeConnector implements Connector {
    public static final String ID = "fake";

    private static final Capabilities CAPABILITIES = new Capabilities(Set.of(PaymentMethod.BILLING_KEY),
            true, false, false, true);

    private final Settings settings;
    private final FakeWebhooks webhooks;

    public FakeConnector(Settings settings) {
        this.settings = settings;
        this.webhooks = new FakeWebhooks(settings);
    }

    String apiKey() {
        return settings.get("paybridge.fake.api-key", "");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public RoutesBuilder routes() {
        return new FakeRoutes(this);
    }

    @Override
    public String chargeRoute(PaymentMethod method) {
        return method == PaymentMethod.BILLING_KEY ? "direct:fake-billing-key" : null;
    }

    @Override
    public String refundRoute() {
        return "direct:fake-refund";
    }

    @Override
    public String lookupByVendorRefRoute() {
        return "direct:fake-lookup-ref";
    }

    @Override
    public String lookupByPaymentIdRoute() {
        return "direct:fake-lookup-order";
    }

    @Override
    public boolean notFoundMeansNeverCharged() {
        return true;
    }

    @Override
    public Duration notRefundedAfter() {
        return Duration.ZERO;
    }

    @Override
    public WebhookRules webhooks() {
        return webhooks;
    }

    @Override
    public DeclineCategory declineCategory(Failure failure) {
        return "card_lost".equals(failure.code()) ? DeclineCategory.HARD : DeclineCategory.SOFT;
    }

    @Override
    public List<String> missingForProduction() {
        return settings.find("paybridge.fake.api-key").isEmpty() ? List.of("FAKE_API_KEY") : List.of();
    }

    @Override
    public List<String> addressSettings() {
        return List.of("paybridge.fake.base-url");
    }
}
