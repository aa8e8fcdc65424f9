package paybridge.canonical;

/** Thrown anywhere in a route to answer with a problem detail; errors.camel.yaml turns it into the response. */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
    }

    public static ProblemException of(int status, String title, String detail) {
        return new ProblemException(Problem.of(status, title, detail));
    }

    public Problem problem() {
        return problem;
    }
}
