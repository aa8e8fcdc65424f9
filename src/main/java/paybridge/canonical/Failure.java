package paybridge.canonical;

/** Why a charge or refund failed: the vendor's code and message, or one of paybridge's (e.g. NOT_CHARGED). */
public record Failure(String code, String message) {
}
