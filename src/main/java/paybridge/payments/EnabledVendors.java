package paybridge.payments;

import java.util.Arrays;
import java.util.List;

import paybridge.canonical.ProblemException;

/** The vendors {@code PAYBRIDGE_VENDORS} enables; a command for another one is a 422. */
public final class EnabledVendors {
    private final List<String> enabled;

    public EnabledVendors(String commaSeparated) {
        this.enabled = Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public void require(String vendor) {
        if (!enabled.contains(vendor)) {
            throw ProblemException.of(422, "Vendor not enabled",
                    "Vendor '" + vendor + "' is not enabled here; enabled vendors: " + String.join(", ", enabled));
        }
    }

    public List<String> list() {
        return enabled;
    }
}
