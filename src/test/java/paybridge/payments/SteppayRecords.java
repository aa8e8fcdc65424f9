package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.testing.RunningPaybridge;

/** Payments as the simulated Steppay holds them: what an operator finds in the vendor's console. */
final class SteppayRecords {
    private SteppayRecords() {
    }

    /** The idKey of Steppay's newest payment under our paymentId (its {@code partnerOrderId}). */
    static String idKeyOf(RunningPaybridge app, String paymentId) {
        String idKey = null;
        for (JsonNode record : app.get(app.sandboxUrl() + "/steppay/_records").json().path("records")) {
            if (paymentId.equals(record.path("partnerOrderId").asText())) {
                idKey = record.path("idKey").asText();
            }
        }
        assertThat(idKey).as("Steppay holds a payment under " + paymentId).isNotNull();
        return idKey;
    }

    /** A payment made in Steppay's own checkout (not through paybridge): its idKey. */
    static String paidElsewhere(RunningPaybridge app, String partnerOrderId, long amount) {
        RunningPaybridge.Response made = app.postJson(app.sandboxUrl() + "/steppay/_control/first-payment",
                "{\"partnerOrderId\": \"" + partnerOrderId + "\", \"amount\": " + amount + "}");
        assertThat(made.status()).as(made.body()).isEqualTo(200);
        return made.json().path("idKey").asText();
    }
}
