package paybridge.canonical;

/**
 * Every exchange property paybridge's routes and beans pass between steps, in one place and one
 * naming style ({@code paybridge} + what it holds, camel case, so a YAML route reads it as
 * {@code ${exchangeProperty.paybridgeVendor}}). The README ("The exchange contract") lists who writes
 * and who reads each. A bean that needs only the message body takes and returns the body instead.
 */
public final class ExchangeProperties {

    // ---- read by the YAML routes

    /** The vendor id (a connector's id) of the command, payment, refund or webhook in hand. */
    public static final String VENDOR = "paybridgeVendor";
    /**
     * The charge command's payment method ({@code KEY_IN}, {@code BILLING_KEY}), for dispatch's choice: a
     * property compares as text, where {@code ${body.method().name()}} had Camel build a bean
     * introspection of the command on every evaluation.
     */
    public static final String METHOD = "paybridgeMethod";
    /** The connector's charge route dispatch.camel.yaml chose for the command. */
    public static final String VENDOR_ROUTE = "paybridgeVendorRoute";
    /** True when a charge or refund is a repeat of one already recorded: its stored answer is replayed. */
    public static final String REPLAY = "paybridgeReplay";
    /** The connector's lookup route reconcile or a webhook calls (null: the vendor cannot be asked yet). */
    public static final String LOOKUP_ROUTE = "paybridgeLookupRoute";
    /** What that lookup is given: our paymentId or the vendor's reference. */
    public static final String LOOKUP_KEY = "paybridgeLookupKey";
    /** The open payment reconcile is looking at (a {@code PaymentRecord}); also a charge's recorded attempt. */
    public static final String ATTEMPT = "paybridgeAttempt";
    /** The open refund refund-reconcile is looking at (a {@code RefundRecord}). */
    public static final String REFUND = "paybridgeRefund";
    /** The billing run in progress (a {@code BillingRun}). */
    public static final String BILLING_RUN = "paybridgeBillingRun";
    /** Who learnt a charge's outcome, for its ledger entry ({@link LedgerSource}; API unless set). */
    public static final String LEDGER_SOURCE = "paybridgeLedgerSource";
    /** When the charge's work began (a {@code java.util.Date}), for the decision log's duration. */
    public static final String STARTED_AT = "paybridgeStartedAt";
    /** The claimed webhook inbox entry being processed (a {@code WebhookInbox.Claim}). */
    public static final String WEBHOOK_CLAIM = "paybridgeWebhookClaim";
    /** True when the claimed entry needs no lookup (unreadable body, vendor not enabled): already settled. */
    public static final String WEBHOOK_SKIP = "paybridgeWebhookSkip";
    /** True when a delivery was stored and should be taken up by the fast path. */
    public static final String WEBHOOK_QUEUED = "paybridgeWebhookQueued";

    // ---- between the beans of one flow

    /** The canonical command being charged ({@code PaymentCommand}). */
    public static final String COMMAND = "paybridgeCommand";
    /** True when this charge re-opened a payment concluded NOT_CHARGED. */
    public static final String REOPENED = "paybridgeReopened";
    /** The refund being sent ({@code RefundRequest}). */
    public static final String REFUND_REQUEST = "paybridgeRefundRequest";
    /** The payment a looked-at refund belongs to ({@code PaymentRecord}). */
    public static final String PAYMENT = "paybridgePayment";
    /** Past a refund's in-flight bound, how long before "not refunded" may be concluded (its connector's). */
    public static final String NOT_REFUNDED_AFTER = "paybridgeNotRefundedAfter";
    /** The database's time before a refund's payment was looked up at the vendor (an {@link java.time.Instant}). */
    public static final String LOOKED_UP_AT = "paybridgeLookedUpAt";
    /** Why reconcile cannot ask the vendor about the payment in hand (an {@code unsettled_reason}). */
    public static final String CANNOT_LOOK = "paybridgeCannotLook";
    /** The webhook claim read from the stored body ({@code VendorWebhook}). */
    public static final String WEBHOOK = "paybridgeWebhook";
    /** The id of the inbox entry just stored, and the entry itself when its body is small. */
    public static final String INBOX_ID = "paybridgeInboxId";
    public static final String INBOX_ENTRY = "paybridgeInboxEntry";
    /** The billing item being charged ({@code DueItem}) and whether this node works the list from its end. */
    public static final String BILLING_ITEM = "paybridgeBillingItem";
    public static final String BILLING_DESCENDING = "paybridgeBillingDescending";
    /** The event delivery being sent (a claimed {@code EventStore.Claimed}) and its destination's endpoint URI. */
    public static final String EVENT_CLAIM = "paybridgeEventClaim";
    public static final String EVENT_URI = "paybridgeEventUri";

    // ---- one vendor call (the connector routes and paybridge.connector.http)

    /** What to send ({@code VendorRequest}), extra headers for it (a Map), iamport's bearer token. */
    public static final String VENDOR_REQUEST = "paybridgeVendorRequest";
    public static final String VENDOR_HEADERS = "paybridgeVendorHeaders";
    public static final String VENDOR_BEARER = "paybridgeVendorBearer";
    /** What came back ({@code VendorReply}) and how many tries a safe call has made. */
    public static final String VENDOR_REPLY = "paybridgeVendorReply";
    public static final String VENDOR_TRIES = "paybridgeVendorTries";
    /** When the call in flight started ({@link System#nanoTime()}), for the call timer. */
    public static final String VENDOR_CALL_STARTED = "paybridgeVendorCallStarted";
    /** The connector's own command and outcome while its operation route runs. */
    public static final String VENDOR_COMMAND = "paybridgeVendorCommand";
    public static final String VENDOR_OUTCOME = "paybridgeVendorOutcome";
    /** The operation's deadline ({@link System#nanoTime()} based): no request starts after it. */
    public static final String OPERATION_DEADLINE = "paybridgeOperationDeadline";

    private ExchangeProperties() {
    }
}
