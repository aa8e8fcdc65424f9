package paybridge.connector.iamport;

import java.time.Duration;
import java.util.ArrayList;
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
 * iamport (PortOne v1) with Settlebank: key-in charges ({@code onetime}), charges on a stored
 * {@code customer_uid} ({@code again}), cancels, and lookups by {@code imp_uid} or by our paymentId
 * ({@code merchant_uid}). iamport keys every charge attempt by {@code merchant_uid}, so its
 * "no such payment" proves a charge never happened once the attempt cannot be in flight.
 */
public final class IamportConnector implements Connector {
    public static final String ID = "iamport";

    private static final Capabilities CAPABILITIES = new Capabilities(
            Set.of(PaymentMethod.KEY_IN, PaymentMethod.BILLING_KEY),
            true,   // refunds: POST /payments/cancel, full or partial
            false,  // a billing key is saved as a side effect of a key-in charge, not issued on its own
            false,  // no idempotency key: merchant_uid makes a repeated charge fail, it is not an answer replay
            false); // webhooks are unsigned: the lookup decides

    private final Settings settings;
    private final IamportWebhooks webhooks;
    private final IamportDeclines declines;

    public IamportConnector(Settings settings) {
        this.settings = settings;
        this.webhooks = new IamportWebhooks(settings);
        this.declines = new IamportDeclines(DeclineTable.parseCodes(settings.get("paybridge.iamport.hard-decline-codes", "")));
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
    public boolean refundsByVendorRef() {
        return false; // cancelled by merchant_uid (our paymentId) when the imp_uid is not known
    }

    @Override
    public RoutesBuilder routes() {
        return new IamportRoutes(this);
    }

    @Override
    public String chargeRoute(PaymentMethod method) {
        return switch (method) {
            case KEY_IN -> "direct:iamport-keyin";
            case BILLING_KEY -> "direct:iamport-billing-key";
        };
    }

    @Override
    public String refundRoute() {
        return "direct:iamport-refund";
    }

    @Override
    public String lookupByVendorRefRoute() {
        return "direct:iamport-lookup-ref";
    }

    @Override
    public String lookupByPaymentIdRoute() {
        return "direct:iamport-lookup-order";
    }

    @Override
    public String billingKeyOrigin() {
        return "iamport billing keys come from a KEY_IN charge with saveBillingKey (its customer_uid)";
    }

    @Override
    public boolean notFoundMeansNeverCharged() {
        return true;
    }

    @Override
    public Duration notRefundedAfter() {
        return Duration.ZERO; // a cancel iamport answered nothing to is not applied later
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
        List<String> missing = new ArrayList<>();
        if (settings.find("paybridge.iamport.api-key").isEmpty()) {
            missing.add("IAMPORT_API_KEY");
        }
        if (settings.find("paybridge.iamport.api-secret").isEmpty()) {
            missing.add("IAMPORT_API_SECRET");
        }
        return missing;
    }

    @Override
    public List<String> addressSettings() {
        return List.of("paybridge.iamport.base-url");
    }
}
