package paybridge.billing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import paybridge.canonical.CommandReader;
import paybridge.canonical.Customer;
import paybridge.canonical.FieldError;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;

/**
 * A JSON merge patch (RFC 7396) of a subscription's terms, validated (CONTRACT §2 PATCH, and the optional
 * body of a resume): {@code billingKey} (with {@code vendor} when the key is another vendor's),
 * {@code amount}, {@code orderName}, {@code customer.name/phone/email} (null removes one of these three).
 * Every other field is a 400 naming it: the Subscription's fixed ones ({@code subscriptionId},
 * {@code customer.id}, {@code interval}, {@code nextBillingAt}, {@code state}, ...) "cannot be patched",
 * a field the Subscription does not have is unknown; so is a value of the wrong type or range
 * ({@code schemas/subscription-patch.schema.json}), and {@code vendor} without {@code billingKey}.
 */
final class SubscriptionPatch {
    /** Fields of the Subscription (as answered) that no patch may change. */
    private static final Set<String> FIXED = Set.of("subscriptionId", "interval", "nextBillingAt", "state", "currency",
            "createdAt", "lastPaymentId", "retry", "pastDue");
    static final SubscriptionPatch EMPTY = new SubscriptionPatch(null);

    private final JsonNode patch; // an object, or null for "no change"

    private SubscriptionPatch(JsonNode patch) {
        this.patch = patch;
    }

    /**
     * @param optional true for a resume: an empty body is no change; a PATCH needs a body
     */
    static SubscriptionPatch read(byte[] body, boolean optional) {
        if (optional && (body == null || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank())) {
            return EMPTY;
        }
        JsonNode node = CommandReader.parse(body);
        if (!node.isObject()) {
            throw invalid(List.of(new FieldError("$", "a JSON object (merge patch) is expected")));
        }
        Set<String> reported = new LinkedHashSet<>();
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (FIXED.contains(field)) {
                errors.add(new FieldError(field, "cannot be patched"));
                reported.add(field);
            }
        }
        if (node.path("customer").isObject() && node.path("customer").has("id")) {
            errors.add(new FieldError("customer.id", "cannot be patched (a subscription belongs to one customer)"));
            reported.add("customer.id");
        }
        for (FieldError e : CommandReader.validate(node, "subscription-patch")) {
            if (!reported.contains(e.field())) {
                errors.add(e);
            }
        }
        if (node.has("vendor") && !node.has("billingKey")) {
            errors.add(new FieldError("billingKey", "required with vendor: the billing key of that vendor"));
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return new SubscriptionPatch(node);
    }

    boolean empty() {
        return patch == null || patch.isEmpty();
    }

    /** Whether the patch names a billing key (the customer gave a new card). */
    boolean givesBillingKey() {
        return patch != null && patch.has("billingKey");
    }

    /** The subscription with the patch's terms merged in. */
    Subscription applyTo(Subscription s) {
        if (empty()) {
            return s;
        }
        String vendor = patch.has("vendor") ? patch.get("vendor").asText() : s.vendor();
        String billingKey = patch.has("billingKey") ? patch.get("billingKey").asText() : s.billingKey();
        long amount = patch.has("amount") ? patch.get("amount").asLong() : s.amount();
        String orderName = patch.has("orderName") ? patch.get("orderName").asText() : s.orderName();
        Customer c = s.customer();
        JsonNode customer = patch.get("customer");
        if (customer != null && customer.isObject()) {
            c = new Customer(c.id(), merged(customer, "name", c.name()), merged(customer, "phone", c.phone()),
                    merged(customer, "email", c.email()));
        }
        return s.withTerms(vendor, billingKey, c, orderName, amount);
    }

    private static String merged(JsonNode object, String field, String current) {
        if (!object.has(field)) {
            return current;
        }
        JsonNode value = object.get(field);
        return value.isNull() ? null : value.asText();
    }

    static ProblemException invalid(List<FieldError> errors) {
        return new ProblemException(Problem.invalid(errors.size() + " invalid field(s)", errors));
    }

    static ProblemException unprocessable(String field, String message, String detail) {
        return new ProblemException(new Problem("https://paybridge.dev/problems/invalid-request", "Unprocessable request",
                422, detail, List.of(new FieldError(field, message))));
    }

    @Override
    public String toString() {
        return "SubscriptionPatch" + (patch == null ? "{}" : Map.of("fields", patch.size()));
    }
}
