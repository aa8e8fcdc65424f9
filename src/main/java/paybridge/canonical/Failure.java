package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/** Why a charge or refund failed: the vendor's code and message, or one of paybridge's (e.g. NOT_CHARGED). */
public record Failure(
        @Schema(example = "IAMPORT_FAILED") String code,
        @Schema(example = "[4004] 잔액부족") String message) {
}
