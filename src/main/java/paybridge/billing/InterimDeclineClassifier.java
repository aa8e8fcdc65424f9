package paybridge.billing;

import org.apache.camel.CamelContext;
import paybridge.Settings;
import paybridge.canonical.Failure;
import paybridge.connector.DeclineCategory;
import paybridge.connector.DeclineTable;
import paybridge.connector.iamport.IamportDeclines;
import paybridge.connector.steppay.SteppayDeclines;
import paybridge.connector.toss.TossDeclines;

/**
 * INTERIM: picks the vendor's decline table by a switch on the vendor id, until the connector registry
 * exists. The registry replaces this class: {@code registry.require(vendor).declineCategory(failure)}
 * (each connector owning its table, built with its {@code hard-decline-codes}). Nothing else depends on
 * this class: callers see {@link DeclineClassifier} only.
 */
public final class InterimDeclineClassifier implements DeclineClassifier {
    public static final String BEAN = "declineClassifier";

    private final IamportDeclines iamport;
    private final SteppayDeclines steppay;
    private final TossDeclines toss;

    public InterimDeclineClassifier(IamportDeclines iamport, SteppayDeclines steppay, TossDeclines toss) {
        this.iamport = iamport;
        this.steppay = steppay;
        this.toss = toss;
    }

    /** From {@code paybridge.<vendor>.hard-decline-codes}. */
    public static InterimDeclineClassifier of(Settings settings) {
        return new InterimDeclineClassifier(
                new IamportDeclines(DeclineTable.parseCodes(settings.get("paybridge.iamport.hard-decline-codes", ""))),
                new SteppayDeclines(DeclineTable.parseCodes(settings.get("paybridge.steppay.hard-decline-codes", ""))),
                new TossDeclines(DeclineTable.parseCodes(settings.get("paybridge.toss.hard-decline-codes", ""))));
    }

    /**
     * The {@code declineClassifier} bean: the one already bound, else a new one bound now. Both
     * configurations that need it (payments' PaymentView, billing) call this, in whichever order
     * camel-main runs them, and share one instance.
     */
    public static synchronized DeclineClassifier bound(CamelContext context, Settings settings) {
        DeclineClassifier existing = context.getRegistry().lookupByNameAndType(BEAN, DeclineClassifier.class);
        if (existing != null) {
            return existing;
        }
        DeclineClassifier created = of(settings);
        context.getRegistry().bind(BEAN, DeclineClassifier.class, created);
        return created;
    }

    @Override
    public DeclineCategory categorize(String vendor, Failure failure) {
        if (vendor == null) {
            return DeclineCategory.SOFT;
        }
        return switch (vendor) {
            case "iamport" -> iamport.category(failure);
            case "steppay" -> steppay.category(failure);
            case "toss" -> toss.category(failure);
            default -> DeclineCategory.SOFT;
        };
    }
}
