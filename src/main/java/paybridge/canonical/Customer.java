package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/** The paying customer, as the caller knows them. {@code id} is required; the rest goes to the vendor as given. */
public record Customer(
        @Schema(example = "user-42") String id,
        @Schema(example = "홍길동") String name,
        @Schema(example = "010-1234-5678") String phone,
        @Schema(example = "gildong@example.kr") String email) {
}
