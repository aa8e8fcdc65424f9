package paybridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code prod} profile refuses to start without what real money needs (CONTRACT §6): the API
 * key, each enabled vendor's credentials, and no sandbox. One message names everything missing,
 * by its environment variable, so an operator fixes it in one go.
 */
public final class ProfileGuard {
    private ProfileGuard() {
    }

    public static void check(String profile, Settings settings) {
        if (!"prod".equals(profile)) {
            return;
        }
        List<String> missing = new ArrayList<>();
        if (settings.find("paybridge.api.key").isEmpty()) {
            missing.add("PAYBRIDGE_API_KEY");
        }
        List<String> vendors = Arrays.stream(settings.get("paybridge.vendors", "").split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (vendors.contains("steppay") && settings.find("paybridge.steppay.secret-token").isEmpty()) {
            missing.add("STEPPAY_SECRET_TOKEN");
        }
        if (vendors.contains("iamport")) {
            if (settings.find("paybridge.iamport.api-key").isEmpty()) {
                missing.add("IAMPORT_API_KEY");
            }
            if (settings.find("paybridge.iamport.api-secret").isEmpty()) {
                missing.add("IAMPORT_API_SECRET");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The prod profile refuses to start: missing " + String.join(", ", missing));
        }
        if (settings.bool("paybridge.sandbox.enabled", false)) {
            throw new IllegalStateException("The prod profile refuses to start: paybridge.sandbox.enabled is true"
                    + " (the vendor sandbox is never served in prod)");
        }
        for (String key : List.of("paybridge.steppay.base-url", "paybridge.iamport.base-url")) {
            if (settings.get(key, "").contains("/sandbox/")) {
                throw new IllegalStateException("The prod profile refuses to start: " + key + " points at the sandbox");
            }
        }
    }
}
