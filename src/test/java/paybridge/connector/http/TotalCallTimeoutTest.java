package paybridge.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import paybridge.canonical.Card;
import paybridge.canonical.Customer;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentMethod;
import paybridge.testing.ScriptedIamport;
import paybridge.testing.ScriptedIamport.Step;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.VendorHarness;

/**
 * paybridge enforces its own deadlines on vendor calls, over real HTTP against a scripted vendor:
 * one total per call (connect to last byte), and one budget per operation after which no request of
 * it is started.
 */
class TotalCallTimeoutTest {

    private static PaymentCommand keyIn(String paymentId, long amount, String customerUid) {
        return new PaymentCommand(paymentId, "iamport", PaymentMethod.KEY_IN, amount, "KRW", "Premium plan", 1,
                new Customer("user-42", "홍길동", null, null), new Card("4111222233334444", "2028-01", "900101", "12"),
                customerUid != null, customerUid, null);
    }

    private static VendorHarness harness(ScriptedIamport vendor, String timeout) throws Exception {
        return new VendorHarness(s -> s, p -> {
            p.setProperty("paybridge.iamport.base-url", vendor.baseUrl());
            p.setProperty("paybridge.vendor.timeout", timeout);
        });
    }

    /**
     * The vendor answers at once but drips its body a byte every 100 ms (about 20 s for the whole
     * answer): each read is well within the per-phase timeouts, so only a total per call ends it. The
     * charge is cut at paybridge.vendor.timeout and is UNKNOWN (it may have been processed), not PAID
     * after the drip, and paybridge closed the connection under the vendor's answer.
     */
    @Test
    void aDrippingAnswerIsCutAtTheCallTimeout() throws Exception {
        String paid = ScriptedIamport.envelope(ScriptedIamport.paid("imp_drip", "t-drip-1", 3000));
        try (ScriptedIamport vendor = ScriptedIamport.start().charge(Step.drip(200, paid, Duration.ofMillis(100)));
             VendorHarness h = harness(vendor, "PT1S")) {
            ChargeOutcome outcome = h.call("direct:iamport-keyin", keyIn("t-drip-1", 3000, null),
                    ChargeOutcome.class);
            assertThat(outcome.status()).isEqualTo(ChargeStatus.UNKNOWN);
            assertThat(outcome.failure().code()).isEqualTo(SendFailures.VENDOR_TIMEOUT);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> vendor.abandonedAnswers.get() == 1);
        }
    }

    /**
     * The operation's budget (1 s) is spent by two slow token tries (0.45 s each, 0.2 s apart; the
     * second cut at the budget): the
     * third token try is not started, so the charge is never sent and is NOT_ATTEMPTED.
     */
    @Test
    void noRequestStartsAfterTheOperationBudget() throws Exception {
        Duration slow = Duration.ofMillis(450);
        String err = "{\"code\":-1,\"message\":\"server error\",\"response\":null}";
        try (ScriptedIamport vendor = ScriptedIamport.start()
                .token(Step.after(slow, 500, err), Step.after(slow, 500, err), Step.slow(slow));
             VendorHarness h = harness(vendor, "PT1S")) {
            OperationDeadline deadline = new OperationDeadline(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
            Exchange done = h.template.send("direct:iamport-keyin", e -> {
                deadline.start(e);
                e.getMessage().setBody(keyIn("t-budget-1", 3000, null));
            });
            ChargeOutcome outcome = done.getMessage().getBody(ChargeOutcome.class);
            assertThat(outcome.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(vendor.tokenRequests.get()).isEqualTo(2);
            assertThat(vendor.chargeRequests.get()).isZero();
        }
    }

    /**
     * After a 401 the one re-send is not started once the budget is spent (here by the slow first
     * charge answer, 0.4 s, and a new token that would take 0.9 s, cut at the budget): NOT_ATTEMPTED,
     * one charge request at the vendor.
     */
    @Test
    void theResendAfterA401IsNotStartedAfterTheBudget() throws Exception {
        String unauthorized = "{\"code\":-1,\"message\":\"Unauthorized\",\"response\":null}";
        try (ScriptedIamport vendor = ScriptedIamport.start()
                .token(Step.slow(Duration.ZERO), Step.slow(Duration.ofMillis(900)))
                .charge(Step.after(Duration.ofMillis(400), 401, unauthorized));
             VendorHarness h = harness(vendor, "PT1S")) {
            OperationDeadline deadline = new OperationDeadline(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
            Exchange done = h.template.send("direct:iamport-keyin", e -> {
                deadline.start(e);
                e.getMessage().setBody(keyIn("t-budget-2", 3000, null));
            });
            ChargeOutcome outcome = done.getMessage().getBody(ChargeOutcome.class);
            assertThat(outcome.status()).isEqualTo(ChargeStatus.NOT_ATTEMPTED);
            assertThat(vendor.chargeRequests.get()).isEqualTo(1);
        }
    }
}
