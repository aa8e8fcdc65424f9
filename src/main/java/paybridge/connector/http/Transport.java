package paybridge.connector.http;

import paybridge.canonical.Failure;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;

/**
 * The outcomes every vendor shares, decided before a vendor's body is read (CONTRACT §2):
 * <ul>
 *   <li>no answer and certainly not sent, or HTTP 401/403 (our credentials rejected, nothing
 *       processed): NOT_ATTEMPTED;</li>
 *   <li>no answer after the request may have left, or HTTP 5xx: UNKNOWN.</li>
 * </ul>
 * Anything else is the vendor's answer, read by its own mapping.
 */
public final class Transport {
    private Transport() {
    }

    /** How a reply ended without a vendor answer to read; null when there is one. */
    public record Verdict(boolean notSent, Failure failure) {
    }

    public static Verdict verdict(VendorReply reply) {
        if (reply == null) {
            return new Verdict(false, new Failure(SendFailures.VENDOR_CONNECTION_LOST, "No reply was recorded"));
        }
        if (reply.failed()) {
            return new Verdict(reply.notSent(), SendFailures.failureOf(reply.error()));
        }
        if (reply.status() == 401 || reply.status() == 403) {
            return new Verdict(true, new Failure(SendFailures.VENDOR_AUTH_REJECTED,
                    "The vendor rejected paybridge's credentials (HTTP " + reply.status() + "); nothing was processed"));
        }
        if (reply.status() >= 500) {
            return new Verdict(false, new Failure(SendFailures.VENDOR_5XX,
                    "The vendor answered HTTP " + reply.status() + "; the request may have been processed"));
        }
        return null;
    }

    public static ChargeOutcome charge(Verdict v) {
        return v.notSent() ? ChargeOutcome.notAttempted(v.failure().code(), v.failure().message())
                : ChargeOutcome.unknown(v.failure().code(), v.failure().message());
    }

    public static RefundOutcome refund(Verdict v) {
        return v.notSent() ? RefundOutcome.notAttempted(v.failure().code(), v.failure().message())
                : RefundOutcome.unknown(v.failure().code(), v.failure().message());
    }
}
