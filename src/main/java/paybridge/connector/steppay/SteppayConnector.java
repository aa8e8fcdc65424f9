package paybridge.connector.steppay;

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
import paybridge.connector.DeclineTable;
import paybridge.connector.WebhookRules;

/**
 * Steppay "Self" payments: charges on a stored billing key, cancels, and receipt lookups by the
 * payment's {@code idKey}. Steppay cannot be asked by our paymentId, so an attempt whose answer
 * was lost is settled by its webhook (or an operator) until its idKey is known, and "not found"
 * never proves anything. Steppay may apply a cancel it answered nothing to a day later
 * ({@code paybridge.steppay.refund-settle-horizon}).
 */
public final class SteppayConnector implements Connector {
    public static final String ID = "steppay";

    private static final Capabilities CAPABILITIES = new Capabilities(
            Set.of(PaymentMethod.BILLING_KEY),
            true,   // refunds: the cancel API, full or partial
            false,  // billing keys are issued in Steppay's own checkout, not through us
            false,  // no idempotency key
            true);  // Steppay-Signature when paybridge.steppay.webhook-secret is set

    private final Settings settings;
    private final SteppayWebhooks webhooks;
    private final SteppayDeclines declines;
    private final Duration notRefundedAfter;

    public SteppayConnector(Settings settings) {
        this.settings = settings;
        this.webhooks = new SteppayWebhooks(settings);
        this.declines = new SteppayDeclines(DeclineTable.parseCodes(settings.get("paybridge.steppay.hard-decline-codes", "")));
        this.notRefundedAfter = settings.duration("paybridge.steppay.refund-settle-horizon", "P2D");
        if (notRefundedAfter.isNegative()) {
            throw new IllegalArgumentException("paybridge.steppay.refund-settle-horizon must not be negative: "
                    + notRefundedAfter);
        }
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
        return new SteppayRoutes(this);
    }

    @Override
    public String chargeRoute(PaymentMethod method) {
        return method == PaymentMethod.BILLING_KEY ? "direct:steppay-billing-key" : null;
    }

    @Override
    public String refundRoute() {
        return "direct:steppay-refund";
    }

    @Override
    public String lookupByVendorRefRoute() {
        return "direct:steppay-lookup-ref";
    }

    @Override
    public String lookupByPaymentIdRoute() {
        return null;
    }

    @Override
    public String billingKeyOrigin() {
        return "Steppay billing keys come from a *_BILL first payment in Steppay's checkout, learnt from its webhook (its idKey)";
    }

    @Override
    public boolean notFoundMeansNeverCharged() {
        return false;
    }

    @Override
    public Duration notRefundedAfter() {
        return notRefundedAfter;
    }

    @Override
    public WebhookRules webhooks() {
        return webhooks;
    }

    @Override
    public DeclineCategory declineCategory(Failure failure) {
        return declines.category(failure);
    }

    @Override
    public List<String> missingForProduction() {
        return settings.find("paybridge.steppay.secret-token").isEmpty() ? List.of("STEPPAY_SECRET_TOKEN") : List.of();
    }

    @Override
    public List<String> addressSettings() {
        return List.of("paybridge.steppay.base-url");
    }
}
