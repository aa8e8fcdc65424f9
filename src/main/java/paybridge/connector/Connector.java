package paybridge.connector;

import java.time.Duration;
import java.util.List;

import org.apache.camel.RoutesBuilder;
import paybridge.canonical.Failure;
import paybridge.canonical.FieldError;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;

/**
 * One payment vendor, as everything outside its package sees it. A connector lives in one package
 * ({@code paybridge.connector.<id>}) with its wire formats; the registry finds it there, and only
 * enabled ones ({@code paybridge.vendors}) get their routes and have their settings checked.
 * <p>
 * Operations are {@code direct:} routes the connector's {@link #routes()} add; each takes a
 * canonical body and answers a canonical one: charge ({@code PaymentCommand} → {@link ChargeOutcome}),
 * refund ({@link RefundRequest} → {@link RefundOutcome}), lookups (a String key → {@link VendorPayment},
 * {@link VendorUnavailableException} when the vendor gave no answer). routes/dispatch.camel.yaml names
 * the charge and refund routes in its branches (the one route file that names vendors); reconcile and
 * webhook processing route to the lookups through the registry.
 * <p>
 * An implementation declares {@code public static final String ID} (its {@link #id()}) and a public
 * constructor taking {@link paybridge.Settings}; README, "Add a vendor", lists what else a vendor brings.
 */
public interface Connector {

    /** The vendor's id as callers name it ({@code PaymentCommand.vendor}, {@code /webhooks/{vendor}}). */
    String id();

    Capabilities capabilities();

    /** Adds the operation routes; called once, only when the connector is enabled. */
    RoutesBuilder routes();

    // ---- operations: direct: endpoint URIs

    /** The charge route for a method, or null when the connector does not support it. */
    String chargeRoute(PaymentMethod method);

    String refundRoute();

    /**
     * Whether its refund names the payment by the vendor's reference (a paymentKey, an idKey) and cannot be
     * asked by our paymentId: such a payment recorded without its reference (an operator's {@code /resolve}
     * that gave none) is refused a refund before anything is reserved.
     */
    default boolean refundsByVendorRef() {
        return true;
    }

    /** Looks a payment up by the vendor's reference (a String body). */
    String lookupByVendorRefRoute();

    /** Looks a payment up by our paymentId (the vendor's order id); null when the vendor cannot. */
    String lookupByPaymentIdRoute();

    /**
     * Issues a billing key from a customer's authorization ({@link BillingKeyRequest} →
     * {@link BillingKeyOutcome}); null when the vendor's keys come from elsewhere
     * ({@link #billingKeyOrigin()}). Declared by {@link Capabilities#billingKeyIssuance()}.
     */
    default String issueBillingKeyRoute() {
        return null;
    }

    /** Where this vendor's billing keys come from: the answer to a caller asking paybridge to issue one. */
    default String billingKeyOrigin() {
        return id() + " billing keys are not issued through paybridge";
    }

    /**
     * What this vendor cannot take in a command that is canonically valid (e.g. an order id shorter
     * than the vendor allows): each a field and why, answered 422 before anything is recorded.
     */
    default List<FieldError> refuse(PaymentCommand command) {
        return List.of();
    }

    /**
     * What this vendor cannot take in a billing-key issuance that is canonically valid (e.g. a customer
     * id the vendor's customer key rule refuses): answered 422 before anything is recorded.
     */
    default List<FieldError> refuse(paybridge.canonical.BillingKeyCommand command) {
        return List.of();
    }

    // ---- lookup semantics

    /**
     * Whether "no record" from {@link #lookupByPaymentIdRoute()} proves the charge never happened
     * (once the attempt can no longer be in flight): true only where the vendor keys every charge
     * attempt by our paymentId.
     */
    boolean notFoundMeansNeverCharged();

    /** Past a refund's in-flight bound, how long until "not refunded" may be concluded (the vendor may apply cancels late). */
    Duration notRefundedAfter();

    // ---- webhooks

    /** How this vendor's webhooks are read, checked and admitted. */
    WebhookRules webhooks();

    // ---- declines and settings

    /** Whether trying this card again can succeed; a code the connector's table does not list is SOFT. */
    DeclineCategory declineCategory(Failure failure);

    /** The environment variables prod requires for this connector and does not find set. */
    List<String> missingForProduction();

    /**
     * What prod starts with but an operator should know (a protection left off): each one a warning the
     * start-up logs; it never refuses to start.
     */
    default List<String> productionWarnings() {
        return List.of();
    }

    /**
     * The settings that hold the vendor's addresses (its base URL): prod refuses to start when one of
     * them points at the sandbox.
     */
    List<String> addressSettings();
}
