package paybridge.sandbox.iamport;

/** A missing or malformed request parameter: answered with HTTP 400, envelope code -1. */
final class IamportBadRequest extends RuntimeException {
    IamportBadRequest(String message) {
        super(message, null, false, false);
    }

    static IamportBadRequest missing(String param) {
        return new IamportBadRequest("필수 파라미터 누락: " + param + " (missing parameter)");
    }

    static IamportBadRequest invalid(String param) {
        return new IamportBadRequest("잘못된 파라미터: " + param + " (invalid parameter)");
    }
}
