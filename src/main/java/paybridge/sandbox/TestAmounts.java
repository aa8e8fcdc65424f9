package paybridge.sandbox;

/**
 * Documented test values (README, "Sandbox test values"): the charge amount alone decides how a
 * simulated vendor answers, so the same values work for every vendor and every charge operation.
 * Any other amount succeeds.
 */
public final class TestAmounts {
    /** The issuer declines: iamport {@code onetime} code -1, {@code again} code 0 + status failed; Steppay 400. */
    public static final long DECLINE = 4001;
    /** Charged, but the answer comes only after {@link SandboxSettings#hang()}: the caller's timeout fires first. */
    public static final long HANG = 4002;
    /** The vendor answers 5xx and charges nothing. */
    public static final long SERVER_ERROR = 4003;
    /** A virtual account is issued: iamport status {@code ready}, Steppay {@code VIRTUAL_BANK_STANDBY}. */
    public static final long VIRTUAL_ACCOUNT = 4004;

    private TestAmounts() {
    }
}
