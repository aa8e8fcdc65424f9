package paybridge.connector.toss;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.camel.RoutesBuilder;
import paybridge.Settings;
import paybridge.canonical.BillingKeyCommand;
import paybridge.canonical.Customer;
import paybridge.canonical.Failure;
import paybridge.canonical.FieldError;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.connector.Capabilities;
import paybridge.connector.Connector;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;
import paybridge.connector.WebhookRules;

/**
 * Toss Payments: charges on a billing key issued from the customer's browser authorization
 * ({@code authKey} → {@code billingKey}), cancels, and lookups by paymentKey or by our paymentId
 * (Toss's {@code orderId}). Toss honours an {@code Idempotency-Key} for 15 days, so a lost answer is
 * settled by asking again with the same key ({@link TossRoutes}), and keys every charge by orderId
 * (a reused one is {@code DUPLICATED_ORDER_ID}), so "no payment under this orderId", once the attempt
 * can no longer be in flight, proves it was never charged.
 */
public final class TossConnector implements Connector {
    public static final String ID = "toss";

    private static final Capabilities CAPABILITIES = new Capabilities(
            Set.of(PaymentMethod.BILLING_KEY),
            true,   // refunds: POST /v1/payments/{paymentKey}/cancel, full or partial
            true,   // billing keys issued from the billing window's authKey
            true,   // Idempotency-Key on every POST, honoured 15 days
            false); // payment webhooks are unsigned: the lookup decides

    private final Settings settings;
    private final TossWebhooks webhooks;
    private final TossDeclines declines;

    public TossConnector(Settings settings) {
        this.settings = settings;
        this.webhooks = new TossWebhooks(settings);
        this.declines = new TossDeclines(DeclineTable.parseCodes(settings.get("paybridge.toss.hard-decline-codes", "")));
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
        return new TossRoutes(this);
    }

    @Override
    public String chargeRoute(PaymentMethod method) {
        return method == PaymentMethod.BILLING_KEY ? "direct:toss-billing-key" : null;
    }

    @Override
    public String refundRoute() {
        return "direct:toss-refund";
    }

    @Override
    public String lookupByVendorRefRoute() {
        return "direct:toss-lookup-ref";
    }

    @Override
    public String lookupByPaymentIdRoute() {
        return "direct:toss-lookup-order";
    }

    @Override
    public String issueBillingKeyRoute() {
        return "direct:toss-issue-billing-key";
    }

    @Override
    public String billingKeyOrigin() {
        return "Toss billing keys are issued from the authKey of Toss's billing window (POST /api/billing-keys)";
    }

    /** Toss's orderId is 6–64 characters (our paymentId 1–40), its customerKey 2–300 of {@code [A-Za-z0-9-_=.@]}. */
    @Override
    public List<FieldError> refuse(PaymentCommand command) {
        List<FieldError> refused = new ArrayList<>();
        if (command.paymentId() != null && !TossRequests.ORDER_ID.matcher(command.paymentId()).matches()) {
            refused.add(new FieldError("paymentId", "toss takes an orderId of 6 to 64 characters of [A-Za-z0-9_-]"));
        }
        refused.addAll(refuseCustomer(command.customer()));
        return refused;
    }

    /** The billing key is issued to {@code customer.id} as Toss's customerKey: the same rule as for charges. */
    @Override
    public List<FieldError> refuse(BillingKeyCommand command) {
        return refuseCustomer(command.customer());
    }

    private static List<FieldError> refuseCustomer(Customer customer) {
        if (customer != null && customer.id() != null && !TossRequests.CUSTOMER_KEY.matcher(customer.id()).matches()) {
            return List.of(new FieldError("customer.id", "toss takes a customerKey of 2 to 300 letters, digits or -_=.@"));
        }
        return List.of();
    }

    @Override
    public boolean notFoundMeansNeverCharged() {
        return true;
    }

    @Override
    public Duration notRefundedAfter() {
        // no settle delay past the in-flight bound: Toss applies a cancel while answering it, and one it has
        // not finished is listed in cancels[] with a cancelStatus other than DONE, which the record reports
        // as a cancel in progress (reconcile then concludes nothing). Reconcile never asks a cancel again:
        // it looks the payment up.
        return Duration.ZERO;
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
        String key = settings.find("paybridge.toss.secret-key").orElse("");
        if (key.isEmpty()) {
            return List.of("TOSS_SECRET_KEY");
        }
        // Toss answers a test key's charges DONE and moves no money: paybridge would record them PAID
        return key.startsWith("test_") ? List.of("TOSS_SECRET_KEY (a live key: a test_ key's charges move no money)")
                : List.of();
    }

    /** Toss's payment webhooks are unsigned: without the source allow list anyone may deliver one (the lookup still decides). */
    @Override
    public List<String> productionWarnings() {
        return settings.find("paybridge.toss.webhook-ips").isEmpty()
                ? List.of("PAYBRIDGE_TOSS_WEBHOOK_IPS is unset: Toss webhooks are accepted from any address (Toss's"
                        + " payment webhooks are unsigned; set it to " + TossWebhooks.DOCUMENTED_SOURCES + ")")
                : List.of();
    }

    @Override
    public List<String> addressSettings() {
        return List.of("paybridge.toss.base-url");
    }
}
