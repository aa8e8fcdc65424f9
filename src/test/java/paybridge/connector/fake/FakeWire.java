package paybridge.connector.fake;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.RefundOutcome;
import paybridge.connector.RefundRequest;
import paybridge.connector.VendorPayment;
import paybridge.connector.VendorUnavailableException;
import paybridge.connector.http.SendFailures;

/** The fake vendor's wire format ↔ paybridge's canonical messages. */
final class FakeWire {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeWire() {
    }

    /** One request to the vendor: method, path, query (or null), JSON body (or null). */
    record Call(String method, String path, String query, String json) {
    }

    /** What came back: a status and body, or the error that prevented an answer. */
    record Reply(int status, String body, Throwable error) {
    }

    static Call charge(PaymentCommand command) {
        ObjectNode body = JSON.createObjectNode();
        body.put("orderId", command.paymentId());
        body.put("amount", command.amount());
        body.put("billingKey", command.billingKey());
        body.put("customerId", command.customer().id());
        return new Call("POST", "/v1/charges", null, body.toString());
    }

    static Call refund(RefundRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("amount", request.amount());
        body.put("reason", request.reason());
        return new Call("POST", "/v1/charges/" + request.vendorPaymentRef() + "/refunds", null, body.toString());
    }

    static Call lookupByOrder(String paymentId) {
        return new Call("GET", "/v1/charges", "orderId=" + paymentId, null);
    }

    static Call lookupByRef(String chargeId) {
        return new Call("GET", "/v1/charges/" + chargeId, null, null);
    }

    static ChargeOutcome chargeOutcome(Reply reply, String billingKey) {
        Failure transport = transportFailure(reply);
        if (transport != null) {
            return notSent(reply) ? ChargeOutcome.notAttempted(transport.code(), transport.message())
                    : ChargeOutcome.unknown(transport.code(), transport.message());
        }
        JsonNode body = read(reply.body());
        if (reply.status() == 409) {
            return ChargeOutcome.failed(null, billingKey, "DUPLICATE_ORDER", body.path("message").asText("refused"));
        }
        if (reply.status() == 200 && body.path("status").asText().equals("paid")) {
            return ChargeOutcome.paid(body.path("id").asText(), billingKey);
        }
        if (reply.status() == 200 && body.path("status").asText().equals("declined")) {
            return ChargeOutcome.failed(body.path("id").asText(), billingKey, body.path("reason").asText("declined"),
                    "declined by the card issuer");
        }
        return ChargeOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "unexpected answer HTTP " + reply.status());
    }

    static RefundOutcome refundOutcome(Reply reply) {
        Failure transport = transportFailure(reply);
        if (transport != null) {
            return notSent(reply) ? RefundOutcome.notAttempted(transport.code(), transport.message())
                    : RefundOutcome.unknown(transport.code(), transport.message());
        }
        JsonNode body = read(reply.body());
        if (reply.status() == 200) {
            return RefundOutcome.refunded(body.path("amount").asLong(), body.path("charge").path("refunded").asLong(),
                    body.path("refundId").asText());
        }
        if (reply.status() == 400 || reply.status() == 404) {
            return RefundOutcome.failed(body.path("error").asText("refused").toUpperCase(), body.path("message").asText(""));
        }
        return RefundOutcome.unknown(SendFailures.VENDOR_BAD_RESPONSE, "unexpected answer HTTP " + reply.status());
    }

    /** The charge as the vendor's lookup shows it; {@link VendorUnavailableException} without an answer. */
    static VendorPayment lookup(Reply reply) {
        if (transportFailure(reply) != null) {
            throw new VendorUnavailableException("the fake vendor's lookup gave no answer", reply.error());
        }
        if (reply.status() == 404) {
            return VendorPayment.notFound(FakeConnector.ID);
        }
        if (reply.status() != 200) {
            throw new VendorUnavailableException("the fake vendor's lookup answered HTTP " + reply.status(), null);
        }
        JsonNode c = read(reply.body());
        long amount = c.path("amount").asLong();
        long refunded = c.path("refunded").asLong();
        List<VendorPayment.Cancellation> cancellations = new ArrayList<>();
        for (JsonNode r : c.path("refunds")) {
            cancellations.add(new VendorPayment.Cancellation(r.path("id").asText(), r.path("amount").asLong(),
                    Instant.parse(r.path("at").asText())));
        }
        PaymentStatus status = "declined".equals(c.path("status").asText()) ? PaymentStatus.FAILED
                : refunded >= amount ? PaymentStatus.CANCELLED
                : refunded > 0 ? PaymentStatus.PARTIALLY_REFUNDED : PaymentStatus.PAID;
        return new VendorPayment(true, FakeConnector.ID, c.path("id").asText(), c.path("orderId").asText(), status,
                amount, refunded, cancellations, c.path("billingKey").asText(null), c.path("reason").asText(null),
                Instant.parse(c.path("createdAt").asText()));
    }

    /** No answer to read (an error, credentials refused, a 5xx), or null. */
    private static Failure transportFailure(Reply reply) {
        if (reply.error() != null) {
            return SendFailures.failureOf(reply.error());
        }
        if (reply.status() == 401 || reply.status() == 403) {
            return new Failure(SendFailures.VENDOR_AUTH_REJECTED, "the fake vendor refused paybridge's key");
        }
        if (reply.status() >= 500) {
            return new Failure(SendFailures.VENDOR_5XX, "the fake vendor answered HTTP " + reply.status());
        }
        return null;
    }

    /** The vendor certainly did not process it: never sent, or our credentials refused. */
    private static boolean notSent(Reply reply) {
        return reply.error() != null ? SendFailures.notSent(reply.error())
                : reply.status() == 401 || reply.status() == 403;
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
