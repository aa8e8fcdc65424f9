package paybridge.connector;

import java.util.Set;

import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStatus;

/**
 * "The category of this failure for this vendor" (CONTRACT §2 {@code failure.category}, §3 HARD
 * declines): each connector keeps its vendor's decline table; billing and the API's
 * {@code PaymentResult} ask through this; the {@link ConnectorRegistry} answers it from the connector.
 */
@FunctionalInterface
public interface DeclineClassifier {

    /** paybridge's own failure codes: conclusions and operators' decisions, not a vendor's decline. */
    Set<String> OWN_CODES = Set.of(paybridge.canonical.PaymentStates.NOT_CHARGED, paybridge.canonical.PaymentStates.OPERATOR,
            paybridge.canonical.PaymentStates.ORDER_ID_IN_USE);

    /** Whether charging the same card again can succeed; a code the vendor's table does not list is SOFT. */
    DeclineCategory categorize(String vendor, Failure failure);

    /**
     * The category a payment's failure shows: only a FAILED payment declined by its vendor has one;
     * {@code NOT_CHARGED} and paybridge's other own codes have none (null), nor has an open outcome.
     */
    default DeclineCategory categoryOf(PaymentStatus status, String vendor, Failure failure) {
        if (status != PaymentStatus.FAILED || failure == null || failure.code() == null
                || OWN_CODES.contains(failure.code())) {
            return null;
        }
        return categorize(vendor, failure);
    }

    /** The failure with its category, as {@link #categoryOf} decides. */
    default Failure classified(PaymentStatus status, String vendor, Failure failure) {
        DeclineCategory category = categoryOf(status, vendor, failure);
        return failure == null || category == null ? failure : failure.withCategory(category);
    }
}
