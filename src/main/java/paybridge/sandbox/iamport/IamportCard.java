package paybridge.sandbox.iamport;

/**
 * What the simulator keeps of a card: only its masked number and issuer name, never the full
 * number, expiry, birth date or password (the real vendor keeps those at the PG, out of reach).
 */
record IamportCard(String maskedNumber, String cardName) {

    /** Keeps at most the first 6 and the last 4 digits, and the caller's hyphens: 1234-12**-****-1234. */
    static IamportCard of(String cardNumber) {
        int digits = (int) cardNumber.chars().filter(Character::isDigit).count();
        StringBuilder masked = new StringBuilder(cardNumber.length());
        int seen = 0;
        for (char c : cardNumber.toCharArray()) {
            if (!Character.isDigit(c)) {
                masked.append(c);
                continue;
            }
            masked.append(seen < 6 || seen >= digits - 4 ? c : '*');
            seen++;
        }
        return new IamportCard(masked.toString(), issuer(cardNumber.charAt(0)));
    }

    /** A plausible issuer by the first digit: enough for a sandbox, where any card number works. */
    private static String issuer(char first) {
        return switch (first) {
            case '3' -> "현대카드";
            case '4' -> "신한카드";
            case '5' -> "KB국민카드";
            case '9' -> "BC카드";
            default -> "삼성카드";
        };
    }
}
