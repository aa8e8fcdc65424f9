package paybridge.canonical;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Key-in card details. Passed through to the vendor and never stored or logged: {@link #toString()}
 * shows only the last four digits, so an accidental log line leaks nothing.
 */
public record Card(
        @Schema(example = "1234-1234-1234-1234") String number,
        @Schema(example = "2028-01") String expiry,
        @Schema(example = "900101") String birth,
        @Schema(example = "12") String pwd2digit) {

    /** The card number's digits, without the dashes or spaces the caller may have used. */
    public String digits() {
        return number == null ? "" : number.replaceAll("[^0-9]", "");
    }

    /** The last four digits: the most the ledger keeps. */
    public String last4() {
        String d = digits();
        return d.length() < 4 ? null : d.substring(d.length() - 4);
    }

    @Override
    public String toString() {
        return "Card[****" + (last4() == null ? "" : last4()) + "]";
    }
}
