package paybridge.canonical;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import paybridge.connector.DeclineCategory;

/**
 * Why a charge or refund failed: the vendor's code and message, or one of paybridge's (e.g. NOT_CHARGED).
 * {@code category} (a declined charge only): whether trying the same card again can succeed, from the
 * vendor's decline table; absent for paybridge's own codes, for refunds and for open outcomes.
 */
public record Failure(
        @Schema(example = "IAMPORT_FAILED") String code,
        @Schema(example = "[4004] 잔액부족") String message,
        @Schema(example = "SOFT", description = "SOFT: trying the same card again may succeed; HARD: it cannot"
                + " (lost, stolen, expired or closed card, billing key unknown). Only on a FAILED payment's"
                + " vendor decline.")
        @JsonInclude(JsonInclude.Include.NON_NULL) DeclineCategory category) {

    public Failure(String code, String message) {
        this(code, message, null);
    }

    public Failure withCategory(DeclineCategory category) {
        return new Failure(code, message, category);
    }
}
