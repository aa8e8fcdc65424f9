package paybridge.canonical;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;

/** The answer of {@code POST /api/billing-keys}: 201 when issued now, 200 for the same authKey again. */
public record BillingKeyResult(
        @Schema(example = "toss") String vendor,
        @Schema(example = "Z_t5vOvQxrj4499PeiJcjen28-V2RyqgYTwN44Rdzk0=") String billingKey,
        CustomerRef customer,
        CardRef card,
        Instant createdAt) {

    /** The customer the key was issued to (Toss's {@code customerKey}): charges on the key must name it. */
    public record CustomerRef(@Schema(example = "user-42") String id) {
    }

    /** The card as the vendor masks it, and its issuer (a code or a name, as the vendor gives it). */
    public record CardRef(@Schema(example = "43301234****123*") String number, @Schema(example = "61") String issuer) {
    }
}
