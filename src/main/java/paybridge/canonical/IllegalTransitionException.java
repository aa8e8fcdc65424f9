package paybridge.canonical;

/**
 * A payment state change that {@link PaymentStates} does not allow, or a store statement handed a
 * transition it does not carry out. A programming error, never an answer to a caller: the paths
 * look a transition up before they write, and a racing writer is refused by the statement's own
 * {@code WHERE status ...} (update count 0), not by this.
 */
public final class IllegalTransitionException extends IllegalStateException {
    public IllegalTransitionException(String message) {
        super(message);
    }
}
