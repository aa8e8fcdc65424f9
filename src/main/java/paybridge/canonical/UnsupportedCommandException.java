package paybridge.canonical;

/** A command no vendor route serves (vendor and method pair): a 422 naming what is supported. */
public class UnsupportedCommandException extends ProblemException {
    public UnsupportedCommandException(String detail) {
        super(Problem.of(422, "Unsupported vendor and method", detail));
    }
}
