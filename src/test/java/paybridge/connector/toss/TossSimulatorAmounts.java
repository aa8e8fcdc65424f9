package paybridge.connector.toss;

/** The Toss simulator's test amounts the acceptance tests use beyond the shared ones. */
final class TossSimulatorAmounts {
    /** A HARD decline ({@code INVALID_STOPPED_CARD}). */
    static final long HARD = paybridge.sandbox.toss.TossSimulator.HARD_DECLINE;

    private TossSimulatorAmounts() {
    }
}
