package paybridge.payments;

import java.util.Arrays;
import java.util.List;

import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/** The vendors {@code PAYBRIDGE_VENDORS} enables; a command for another one is a 422 naming {@code vendor}. */
public final class EnabledVendors {
    private final List<String> enabled;

    public EnabledVendors(String commaSeparated) {
        this.enabled = Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public void require(String vendor) {
        if (!enabled.contains(vendor)) {
            String detail = "Vendor '" + vendor + "' is not enabled here; enabled vendors: " + String.join(", ", enabled);
            throw new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-enabled",
                    "Vendor not enabled", 422, detail,
                    List.of(new FieldError("vendor", "not enabled here; one of " + String.join(", ", enabled)))));
        }
    }

    public List<String> list() {
        return enabled;
    }
}
