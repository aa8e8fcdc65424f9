package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * Steppay refunds and the ledger, against the sandbox: a return learnt both from the API's answer and
 * from the vendor's webhook is one entry whichever comes first, also when the receipt carries no
 * {@code cancelHistory}; a console cancel learnt from its webhook counts against what remains; a 403
 * with a business errorCode is a decline. Webhook processing is off here: each webhook is processed
 * by a replay exactly when the test wants it, so the order of the two learners is built, not hoped for.
 * Subclasses run it on H2 and PostgreSQL.
 */
abstract class SteppayRefundLedgerTest {
    static Map<String, Object> settings() {
        Map<String, Object> s = new java.util.HashMap<>();
        s.put("paybridge.webhook.processing-enabled", "false");
        return s;
    }

    abstract RunningPaybridge app();

    @AfterEach
    void vendorDefaults() {
        sandbox("/_control/cancel-answers/release");
        sandbox("/_control/cancel-history/on");
        sandbox("/_control/receipts/ok");
    }

    private Response sandbox(String path) {
        return sandbox(path, "{}");
    }

    private Response sandbox(String path, String body) {
        Response r = app().postJson(app().sandboxUrl() + "/steppay" + path, body);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return r;
    }

    private long stat(String counter) {
        return app().get(app().sandboxUrl() + "/steppay/_stats").json().path(counter).asLong();
    }

    /** A PAID Steppay payment; answers its idKey. */
    private String paid(String paymentId, long amount) {
        Response r = app().postJson("/api/payments", Commands.billingKey(paymentId, "steppay", amount, Commands.STEPPAY_KEY));
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("PAID");
        return r.json().path("vendorPaymentRef").asText();
    }

    /** The stored CANCELED webhooks of the payment, oldest first. */
    private List<String> cancelWebhooks(String idKey) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : app().get("/api/webhooks?vendor=steppay&limit=1000").json().path("entries")) {
            if (e.path("body").asText().contains(idKey) && e.path("body").asText().contains("CANCELED")) {
                ids.add(0, e.path("inboxId").asText());
            }
        }
        return ids;
    }

    private String awaitCancelWebhook(String idKey, int nth) {
        await().atMost(Duration.ofSeconds(15)).until(() -> cancelWebhooks(idKey).size() >= nth);
        return cancelWebhooks(idKey).get(nth - 1);
    }

    private void replay(String inboxId) {
        Response r = app().postJson("/api/webhooks/" + inboxId + "/replay", "");
        assertThat(r.json().path("status").asText()).as(r.body()).isEqualTo("PROCESSED");
    }

    private List<JsonNode> returns(String paymentId) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : app().get("/api/ledger?paymentId=" + paymentId).json().path("entries")) {
            if (e.path("amount").asLong() < 0) {
                out.add(e);
            }
        }
        return out;
    }

    private long sum(String paymentId) {
        long sum = 0;
        for (JsonNode e : app().get("/api/ledger?paymentId=" + paymentId).json().path("entries")) {
            sum += e.path("amount").asLong();
        }
        return sum;
    }

    @Test
    void aReturnTheApiLearnsFirstAndItsWebhookSecondIsOneEntryWithoutCancelHistory() {
        sandbox("/_control/cancel-history/off");
        String idKey = paid("sl-api-first", 9000);

        Response refund = app().postJson("/api/refunds", Commands.refund("sl-rf-1", "sl-api-first", 1000L));
        assertThat(refund.json().path("status").asText()).as(refund.body()).isEqualTo("REFUNDED");
        replay(awaitCancelWebhook(idKey, 1));

        assertThat(returns("sl-api-first")).as("one return").hasSize(1);
        assertThat(returns("sl-api-first").get(0).path("source").asText()).isEqualTo("API");
        assertThat(sum("sl-api-first")).as("what the merchant holds: 9000 - 1000").isEqualTo(8000);
        assertThat(app().get("/api/payments/sl-api-first").json().path("refundedAmount").asLong()).isEqualTo(1000);
    }

    /**
     * A return recorded under the cumulative total (the receipt after the cancel had no cancelHistory),
     * then a receipt that lists it by its tid (a later refund's webhook verified by it): the history's
     * return up to that total is the same money, not a second return, and what can still be refunded is
     * what Steppay says remains.
     */
    @Test
    void aReturnRecordedUnderItsTotalIsNotRecordedAgainWhenALaterReceiptListsItById() {
        sandbox("/_control/cancel-history/off");
        String idKey = paid("sl-history-later", 9000);
        Response first = app().postJson("/api/refunds", Commands.refund("sl-rf-h1", "sl-history-later", 1000L));
        assertThat(first.json().path("status").asText()).as(first.body()).isEqualTo("REFUNDED");
        sandbox("/_control/cancel-history/on");
        Response second = app().postJson("/api/refunds", Commands.refund("sl-rf-h2", "sl-history-later", 500L));
        assertThat(second.json().path("status").asText()).as(second.body()).isEqualTo("REFUNDED");
        // both webhooks verified by the receipt as it now stands: [first 1000, second 500] by tid
        replay(awaitCancelWebhook(idKey, 1));
        replay(awaitCancelWebhook(idKey, 2));

        assertThat(returns("sl-history-later")).as("the first under its total, the second under its tid").hasSize(2);
        assertThat(sum("sl-history-later")).as("what the merchant holds: 9000 - 1500").isEqualTo(7500);
        assertThat(app().get("/api/payments/sl-history-later").json().path("refundedAmount").asLong()).isEqualTo(1500);
        Response rest = app().postJson("/api/refunds", Commands.refund("sl-rf-h3", "sl-history-later", 7500L));
        assertThat(rest.json().path("status").asText()).as("the rest is refundable: " + rest.body()).isEqualTo("REFUNDED");
    }

    /**
     * A console cancel learnt from its webhook under the cumulative total (a receipt without cancelHistory),
     * then a refund of the same amount whose cancel never reached Steppay (its answer lost): once receipts list
     * returns by tid, reconcile does not credit the console's return to the refund (the ledger held it before
     * the refund was asked, under the total): never refunded, and the ledger counts the money once.
     */
    @Test
    void aReturnHeldUnderATotalBeforeARefundWasAskedIsNotCreditedToIt() {
        sandbox("/_control/cancel-history/off");
        String idKey = paid("sl-console-total", 9000);
        sandbox("/_control/console-cancel/" + idKey, "{\"amount\": 1000}");
        replay(awaitCancelWebhook(idKey, 1));
        assertThat(sum("sl-console-total")).as("the console's return under the total 1000").isEqualTo(8000);
        sandbox("/_control/cancel-history/on");
        // the refund's row and reservation as the API writes them, its cancel never sent, long past its bounds
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app().context());
        paybridge.ledger.RefundStore refunds = new paybridge.ledger.RefundStore(sql);
        assertThat(refunds.insert("sl-rf-never", "sl-console-total", "test", 1000, "test")).isTrue();
        assertThat(app().lookup("paymentStore", paybridge.ledger.PaymentStore.class).reserveRefund("sl-console-total", 1000))
                .isTrue();
        assertThat(sql.update("UPDATE refunds SET status = 'UNKNOWN', in_flight_until = CURRENT_TIMESTAMP - INTERVAL '3' DAY "
                + "WHERE refund_id = 'sl-rf-never'", Map.of())).isEqualTo(1);

        // a record in which another return shares the console return's time: which of the two the total 1000 held
        // cannot be told, so nothing is concluded (the refund stays open, its amount reserved)
        paybridge.connector.VendorPayment receipt = app().context().createProducerTemplate()
                .requestBody("direct:steppay-lookup-ref", idKey, paybridge.connector.VendorPayment.class);
        paybridge.connector.VendorPayment.Cancellation console = receipt.cancellations().get(0);
        paybridge.connector.VendorPayment tied = new paybridge.connector.VendorPayment(true, "steppay",
                receipt.vendorPaymentRef(), receipt.orderId(), receipt.status(), 9000, 2000, List.of(console,
                new paybridge.connector.VendorPayment.Cancellation("tid-same-second", 1000, console.cancelledAt())),
                null, null, receipt.occurredAt());
        paybridge.ledger.PaymentStore payments = app().lookup("paymentStore", paybridge.ledger.PaymentStore.class);
        assertThat(app().lookup("refundReconcileService", RefundReconcileService.class).settle(
                refunds.find("sl-rf-never").orElseThrow(), payments.find("sl-console-total").orElseThrow(), tied)).isFalse();
        assertThat(refunds.find("sl-rf-never").orElseThrow().status()).isEqualTo(paybridge.canonical.RefundState.UNKNOWN);
        assertThat(payments.find("sl-console-total").orElseThrow().refundReserved()).isEqualTo(1000);

        reconcileOnce("sl-rf-never");
        paybridge.ledger.RefundRecord after = refunds.find("sl-rf-never").orElseThrow();
        assertThat(after.status()).isEqualTo(paybridge.canonical.RefundState.FAILED);
        assertThat(after.failureCode()).isEqualTo("NOT_REFUNDED");
        assertThat(sum("sl-console-total")).as("the console's 1000, once").isEqualTo(8000);
        assertThat(returns("sl-console-total")).hasSize(1);
    }

    /**
     * What an answer that names its return checks before entering it: a total the ledger held returns up to.
     * A return without an id entered alone under its running total does not hold the earlier ones; a record
     * without a history that brought the ledger up to its total does.
     */
    @Test
    void aTotalCountsAsHeldOnlyWhenItsEntryBroughtTheLedgerUpToIt() {
        paid("sl-held-total", 9000);
        paybridge.ledger.LedgerStore ledger = app().lookup("ledgerStore", paybridge.ledger.LedgerStore.class);
        ledger.append(new paybridge.canonical.PaymentEvent("steppay", "sl-held-total", null, null,
                paybridge.canonical.EventType.REFUNDED, -500, "KRW", null, 1500, java.time.Instant.now()),
                paybridge.canonical.LedgerSource.API);
        assertThat(ledger.returns("sl-held-total").largestTotalKey()).isEqualTo(1500);
        assertThat(ledger.largestTotalHeld("sl-held-total")).as("500 entered under 1500").isZero();
        ledger.append(new paybridge.canonical.PaymentEvent("steppay", "sl-held-total", null, null,
                paybridge.canonical.EventType.PARTIALLY_REFUNDED, -1500, "KRW", null, 2000, java.time.Instant.now()),
                paybridge.canonical.LedgerSource.WEBHOOK);
        assertThat(ledger.largestTotalHeld("sl-held-total")).isEqualTo(2000);
    }

    /** A refund whose answer is held back at the vendor: the payment's idKey and the pending answer. */
    private record HeldRefund(String idKey, CompletableFuture<Response> answer) {
    }

    /**
     * A PAID payment of 9000 (receipts without cancelHistory) and a refund of 1000 applied by the vendor, its
     * answer held back while its webhook, verified by a history-less receipt, records its return under the
     * cumulative total.
     */
    private HeldRefund recordedFirstByItsWebhook(String paymentId, String refundId) {
        sandbox("/_control/cancel-history/off");
        String idKey = paid(paymentId, 9000);
        sandbox("/_control/cancel-answers/hold");
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() ->
                app().postJson("/api/refunds", Commands.refund(refundId, paymentId, 1000L)));
        replay(awaitCancelWebhook(idKey, 1));
        return new HeldRefund(idKey, answer);
    }

    /**
     * A refund's return recorded first by its webhook under the cumulative total (the receipt then had no
     * cancelHistory); by the time the cancel's answer comes, the receipt lists it by its tid: the answer
     * knows its id and total, and enters nothing again.
     */
    @Test
    void aReturnItsWebhookRecordedUnderATotalIsNotEnteredAgainByTheAnswersId() {
        HeldRefund refund = recordedFirstByItsWebhook("sl-answer-by-id", "sl-rf-abi");
        assertThat(sum("sl-answer-by-id")).as("the webhook's return under the total 1000").isEqualTo(8000);
        sandbox("/_control/cancel-history/on");
        sandbox("/_control/cancel-answers/release");

        Response answer = refund.answer().join();
        assertThat(answer.json().path("status").asText()).as(answer.body()).isEqualTo("REFUNDED");
        assertThat(returns("sl-answer-by-id")).as("one return").hasSize(1);
        assertThat(sum("sl-answer-by-id")).as("9000 - 1000").isEqualTo(8000);
        assertThat(app().get("/api/payments/sl-answer-by-id").json().path("refundedAmount").asLong()).isEqualTo(1000);
    }

    @Test
    void aReturnItsWebhookRecordsFirstAndTheApiSecondIsOneEntryWithoutCancelHistory() {
        HeldRefund refund = recordedFirstByItsWebhook("sl-webhook-first", "sl-rf-2");
        String idKey = refund.idKey();
        assertThat(returns("sl-webhook-first")).as("the webhook recorded the return").hasSize(1);
        sandbox("/_control/cancel-answers/release");

        Response answer = refund.answer().join();
        assertThat(answer.json().path("status").asText()).as(answer.body()).isEqualTo("REFUNDED");
        assertThat(answer.json().path("refundedAmount").asLong()).isEqualTo(1000);
        List<JsonNode> returns = returns("sl-webhook-first");
        assertThat(returns).as("one return, learnt first from the webhook").hasSize(1);
        assertThat(returns.get(0).path("source").asText()).isEqualTo("WEBHOOK");
        assertThat(returns.get(0).path("amount").asLong()).isEqualTo(-1000);
        assertThat(sum("sl-webhook-first")).as("what the merchant holds: 9000 - 1000").isEqualTo(8000);

        // and a second refund on top keys its return apart from the first
        Response second = app().postJson("/api/refunds", Commands.refund("sl-rf-3", "sl-webhook-first", 500L));
        assertThat(second.json().path("status").asText()).isEqualTo("REFUNDED");
        replay(awaitCancelWebhook(idKey, 2));
        assertThat(returns("sl-webhook-first")).hasSize(2);
        assertThat(sum("sl-webhook-first")).isEqualTo(7500);
    }

    @Test
    void aReturnItsWebhookRecordsFirstIsOneEntryWhenTheLookupAfterTheCancelFails() {
        // the webhook, verified by a history-less receipt, records the return under the cumulative total
        HeldRefund refund = recordedFirstByItsWebhook("sl-lookup-fails", "sl-rf-12");
        assertThat(returns("sl-lookup-fails")).hasSize(1);
        // then the cancel's answer comes, and the receipt lookup after it fails: the answer knows only its tid
        sandbox("/_control/receipts/fail");
        sandbox("/_control/cancel-answers/release");

        Response answer = refund.answer().join();
        assertThat(answer.json().path("status").asText()).as(answer.body()).isEqualTo("REFUNDED");
        sandbox("/_control/receipts/ok");
        assertThat(returns("sl-lookup-fails")).as("one return, not a second one under the tid").hasSize(1);
        assertThat(sum("sl-lookup-fails")).as("the vendor's paid - returned: 9000 - 1000").isEqualTo(8000);
        assertThat(app().get("/api/payments/sl-lookup-fails").json().path("refundedAmount").asLong()).isEqualTo(1000);
    }

    /**
     * Two refunds of one payment at once, their returns recorded first by a webhook under the cumulative
     * total of both (a history-less receipt after both cancels), then both answers come without a total
     * (the lookup after each cancel fails): neither can tell whether that entry holds its return, so
     * neither enters one by its id (which would count the money twice); both stay UNKNOWN, still
     * reserved, for reconcile or an operator, and the ledger shows what the vendor returned.
     */
    @Test
    void twoRefundsAnsweredWithoutATotalAfterAWebhookRecordedBothAreNotCountedAgain() {
        List<CompletableFuture<Response>> answers = twoRefundsRecordedUnderTheirTotal("sl-two-unplaced", "sl-rf-u1", "sl-rf-u2");
        answeredWithoutTotals();

        for (Response answer : List.of(answers.get(0).join(), answers.get(1).join())) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            assertThat(answer.json().path("status").asText()).isEqualTo("UNKNOWN");
            assertThat(answer.json().path("failure").path("code").asText()).isEqualTo(RefundService.RETURN_UNPLACED);
        }
        assertThat(sum("sl-two-unplaced")).as("what the merchant holds, as Steppay says: 9000 - 6000").isEqualTo(3000);
        assertThat(returns("sl-two-unplaced")).hasSize(1);
        assertThat(app().lookup("paymentStore", paybridge.ledger.PaymentStore.class).find("sl-two-unplaced").orElseThrow()
                .refundReserved()).as("both still reserved").isEqualTo(6000);

        // later the receipts list each return by its id: refund reconcile, past the refunds' bounds, still
        // does not credit them (the 6000 entry may hold them), and leaves them for an operator
        sandbox("/_control/receipts/ok");
        sandbox("/_control/cancel-history/on");
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app().context());
        assertThat(sql.update("UPDATE refunds SET in_flight_until = in_flight_until - INTERVAL '1' DAY "
                + "WHERE payment_id = :?id", Map.of("id", "sl-two-unplaced"))).isEqualTo(2);
        for (String refundId : List.of("sl-rf-u1", "sl-rf-u2")) {
            reconcileOnce(refundId);
        }
        paybridge.ledger.RefundStore refunds = new paybridge.ledger.RefundStore(sql);
        assertThat(List.of("sl-rf-u1", "sl-rf-u2")).allSatisfy(id ->
                assertThat(refunds.find(id).orElseThrow().status()).isEqualTo(paybridge.canonical.RefundState.UNKNOWN));
        assertThat(sum("sl-two-unplaced")).as("still 9000 - 6000").isEqualTo(3000);
        assertThat(returns("sl-two-unplaced")).hasSize(1);
    }

    /**
     * As above, after an earlier refund decided without naming its return: the receipt then cannot be
     * itemized by refund, and reconcile settles the two open refunds together. Their returns, listed by
     * id once the receipts carry cancelHistory again, pair one to one with them, yet neither is credited
     * by its id: the webhook's entry under the cumulative total may hold both (it does), and both entered
     * again would count the money twice. Both are left for an operator; the ledger shows what Steppay
     * returned.
     */
    @Test
    void twoRefundsSettledTogetherAreNotCreditedByTheirIdsBesideAReturnRecordedUnderATotal() {
        String idKey = paid("sl-joint-unplaced", 9000);
        assertThat(app().postJson("/api/refunds", Commands.refund("sl-rf-j0", "sl-joint-unplaced", 500L)).json()
                .path("status").asText()).isEqualTo("REFUNDED");
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app().context());
        // decided by an answer that named no return; the ledger holds its return by its id
        assertThat(sql.update("UPDATE refunds SET vendor_refund_ref = NULL WHERE refund_id = 'sl-rf-j0'", Map.of()))
                .isEqualTo(1);
        sandbox("/_control/cancel-history/off");
        sandbox("/_control/cancel-answers/hold");
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (String refundId : List.of("sl-rf-j1", "sl-rf-j2")) {
            answers.add(CompletableFuture.supplyAsync(() ->
                    app().postJson("/api/refunds", Commands.refund(refundId, "sl-joint-unplaced", 3000L))));
        }
        awaitCancelWebhook(idKey, 3);
        // verified by the receipt as it now stands (no cancelHistory): both returns under the total 6500
        replay(awaitCancelWebhook(idKey, 2));
        assertThat(sum("sl-joint-unplaced")).as("9000 - 6500").isEqualTo(2500);
        answeredWithoutTotals();
        for (CompletableFuture<Response> answer : answers) {
            assertThat(answer.join().json().path("failure").path("code").asText()).isEqualTo(RefundService.RETURN_UNPLACED);
        }

        sandbox("/_control/receipts/ok");
        sandbox("/_control/cancel-history/on");
        assertThat(sql.update("UPDATE refunds SET in_flight_until = in_flight_until - INTERVAL '1' DAY "
                + "WHERE refund_id IN ('sl-rf-j1', 'sl-rf-j2')", Map.of())).isEqualTo(2);
        reconcileOnce("sl-rf-j1");
        assertThat(sum("sl-joint-unplaced")).as("what the merchant holds, as Steppay says: 9000 - 6500").isEqualTo(2500);
        assertThat(returns("sl-joint-unplaced")).as("the first refund's return and the total of the two").hasSize(2);
        paybridge.ledger.RefundStore refunds = new paybridge.ledger.RefundStore(sql);
        assertThat(List.of("sl-rf-j1", "sl-rf-j2")).allSatisfy(id ->
                assertThat(refunds.find(id).orElseThrow().status()).isEqualTo(paybridge.canonical.RefundState.UNKNOWN));
    }

    /**
     * As above, but one of the two was concluded "never refunded" while its answer was on its way: the
     * answer overturns that conclusion (REFUNDED, reserved again) and enters no return by its id beside the
     * total the ledger already holds; an ERROR line says so.
     */
    @Test
    void anOverturnedNeverRefundedAnsweredWithoutATotalEntersNoSecondReturn() {
        List<CompletableFuture<Response>> answers =
                twoRefundsRecordedUnderTheirTotal("sl-overturn-unplaced", "sl-rf-o1", "sl-rf-o2");
        // what reconcile's "never refunded" leaves for the first (a node stalled past the bound)
        concludeNeverRefunded("sl-rf-o1", "sl-overturn-unplaced", 3000);
        answeredWithoutTotals();

        assertThat(answers.get(0).join().json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(answers.get(1).join().json().path("status").asText()).isEqualTo("UNKNOWN");
        assertThat(sum("sl-overturn-unplaced")).as("what the merchant holds, as Steppay says: 9000 - 6000").isEqualTo(3000);
        assertThat(returns("sl-overturn-unplaced")).hasSize(1);
    }

    /**
     * A Steppay payment of 9000 (receipts without cancelHistory) and two refunds of 3000 sent at once,
     * their answers held back; both cancels applied, and a webhook, verified by the receipt as it now
     * stands, recorded both returns under the total 6000. Answers the two refunds' pending answers.
     */
    private List<CompletableFuture<Response>> twoRefundsRecordedUnderTheirTotal(String paymentId, String first,
                                                                              String second) {
        sandbox("/_control/cancel-history/off");
        String idKey = paid(paymentId, 9000);
        sandbox("/_control/cancel-answers/hold");
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (String refundId : List.of(first, second)) {
            answers.add(CompletableFuture.supplyAsync(() ->
                    app().postJson("/api/refunds", Commands.refund(refundId, paymentId, 3000L))));
        }
        awaitCancelWebhook(idKey, 2);
        replay(awaitCancelWebhook(idKey, 1));
        assertThat(sum(paymentId)).as("the webhook recorded both returns: 9000 - 6000").isEqualTo(3000);
        return answers;
    }

    /** The held answers released, each without the payment's total (the receipt lookup after the cancel fails). */
    private void answeredWithoutTotals() {
        sandbox("/_control/receipts/fail");
        sandbox("/_control/cancel-answers/release");
    }

    /** One round of the reconcile-refunds route for one refund: looked up at the vendor, then settled. */
    private void reconcileOnce(String refundId) {
        OpenRefundReconcileTest.reconcileOnce(app(), new paybridge.ledger.RefundStore(new paybridge.ledger.Sql(app().context()))
                .find(refundId).orElseThrow());
    }

    /** A PENDING refund concluded "never refunded" by hand, as reconcile concludes it: FAILED, its amount unreserved. */
    private void concludeNeverRefunded(String refundId, String paymentId, long amount) {
        paybridge.ledger.Sql sql = new paybridge.ledger.Sql(app().context());
        sql.inTransaction(() -> {
            assertThat(sql.update("UPDATE refunds SET status = 'FAILED', failure_code = 'NOT_REFUNDED', "
                    + "failure_message = 'test' WHERE refund_id = :?id AND status = 'PENDING'", Map.of("id", refundId)))
                    .isEqualTo(1);
            assertThat(sql.update("UPDATE payments SET refund_reserved = refund_reserved - :?amount WHERE payment_id = :?id",
                    Map.of("id", paymentId, "amount", amount))).isEqualTo(1);
            return null;
        });
    }

    private double notRefundedOverturned() {
        io.micrometer.core.instrument.Counter c = app().lookup(paybridge.observe.PaybridgeMeters.BEAN,
                paybridge.observe.PaybridgeMeters.class).registry()
                .find("paybridge.not_refunded.overturned").tag("vendor", "steppay").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aRefundedAnswerOverturnsANotRefundedConclusionDrawnWhileItWasOnItsWay() {
        String idKey = paid("sl-overturn", 9000);
        sandbox("/_control/cancel-answers/hold");
        CompletableFuture<Response> refund = CompletableFuture.supplyAsync(() ->
                app().postJson("/api/refunds", Commands.refund("sl-rf-13", "sl-overturn", 1000L)));
        awaitCancelWebhook(idKey, 1); // the vendor applied the cancel; its answer is held
        // what reconcile's "never refunded" leaves (a node stalled past the bound, a lagging lookup)
        concludeNeverRefunded("sl-rf-13", "sl-overturn", 1000);
        double before = notRefundedOverturned();
        sandbox("/_control/cancel-answers/release");

        Response answer = refund.join();
        assertThat(answer.json().path("status").asText()).as(answer.body()).isEqualTo("REFUNDED");
        assertThat(new paybridge.ledger.Sql(app().context()).query("SELECT status FROM refunds WHERE refund_id = :?id",
                Map.of("id", "sl-rf-13")).get(0).get("status")).isEqualTo("REFUNDED");
        assertThat(app().lookup("paymentStore", paybridge.ledger.PaymentStore.class).find("sl-overturn").orElseThrow()
                .refundReserved()).as("reserved again").isEqualTo(1000);
        assertThat(returns("sl-overturn")).hasSize(1);
        assertThat(sum("sl-overturn")).isEqualTo(8000);
        assertThat(notRefundedOverturned()).isEqualTo(before + 1);
    }

    /**
     * Sends {@code refund} on another thread and runs {@code meanwhile} once, after the transaction that
     * writes refund {@code refundId}'s row (its ledger mark and its reservation) has committed and before
     * the refund's start reads the ledger again: another node's transaction committed in that gap.
     * Answers the refund's pending answer once {@code meanwhile} has committed.
     */
    abstract CompletableFuture<Response> sentWithWorkRightAfterItsRow(String refundId,
            java.util.function.Supplier<Response> refund, Runnable meanwhile) throws Exception;

    /**
     * A console cancel learnt from its webhook (on another node) right after a refund's row committed and
     * before its cancel is sent, under the cumulative total its history-less receipt shows; the refund's
     * own return then recorded by its webhook under the new total; then the refund's answer comes without
     * a total (the lookup after the cancel fails). The ledger's entry under that new total holds exactly
     * this refund on top of what was returned when its cancel was sent, so the refund is REFUNDED (not
     * left unplaced for an operator), enters nothing again, and the ledger and what remains refundable are
     * what Steppay says.
     */
    @Test
    void aReturnLearntRightAfterARefundsRowDoesNotLeaveItsAnswerWithoutATotalUnplaced() throws Exception {
        sandbox("/_control/cancel-history/off");
        String idKey = paid("sl-gap", 9000);
        // 2000 returned in Steppay's console before the refund is sent; its webhook not processed yet
        sandbox("/_control/console-cancel/" + idKey, "{\"amount\": 2000}");
        String consoleWebhook = awaitCancelWebhook(idKey, 1);
        paybridge.connector.VendorPayment receipt = app().context().createProducerTemplate()
                .requestBody("direct:steppay-lookup-ref", idKey, paybridge.connector.VendorPayment.class);
        assertThat(receipt.cancellations()).as("a receipt without cancelHistory").isEmpty();
        assertThat(receipt.cancelledAmount()).isEqualTo(2000);
        // what processing that webhook commits (WebhookProcessor): under the payment's row, every money fact
        // of the receipt, the return keyed by the cumulative total 2000
        paybridge.ledger.PaymentStore payments = app().lookup("paymentStore", paybridge.ledger.PaymentStore.class);
        paybridge.ledger.LedgerStore ledger = app().lookup("ledgerStore", paybridge.ledger.LedgerStore.class);
        Runnable consoleCancelLearnt = () -> payments.holding("sl-gap", () -> {
            for (paybridge.canonical.PaymentEvent event : VendorRecordFacts.events("steppay", "sl-gap", null, receipt,
                    9000, () -> ledger.returns("sl-gap"))) {
                ledger.append(event, paybridge.canonical.LedgerSource.WEBHOOK);
            }
            return null;
        });

        sandbox("/_control/cancel-answers/hold");
        CompletableFuture<Response> refund = sentWithWorkRightAfterItsRow("sl-rf-gap",
                () -> app().postJson("/api/refunds", Commands.refund("sl-rf-gap", "sl-gap", 1000L)), consoleCancelLearnt);
        assertThat(sum("sl-gap")).as("the console's return learnt: 9000 - 2000").isEqualTo(7000);
        // the refund's cancel applied after the console's; its webhook records it under the total 3000
        replay(awaitCancelWebhook(idKey, 2));
        assertThat(returns("sl-gap")).hasSize(2);
        answeredWithoutTotals();

        Response answer = refund.join();
        sandbox("/_control/receipts/ok");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).as(answer.body()).isEqualTo("REFUNDED");
        assertThat(answer.json().path("refundedAmount").asLong()).isEqualTo(3000);
        assertThat(new paybridge.ledger.RefundStore(new paybridge.ledger.Sql(app().context())).find("sl-rf-gap")
                .orElseThrow().status()).isEqualTo(paybridge.canonical.RefundState.REFUNDED);
        long returnedAtSteppay = app().context().createProducerTemplate()
                .requestBody("direct:steppay-lookup-ref", idKey, paybridge.connector.VendorPayment.class).cancelledAmount();
        assertThat(returnedAtSteppay).isEqualTo(3000);
        assertThat(returns("sl-gap")).as("the console's return and the refund's, once each").hasSize(2);
        assertThat(sum("sl-gap")).as("what the merchant holds, as Steppay says").isEqualTo(9000 - returnedAtSteppay);
        assertThat(payments.refundable("sl-gap")).as("what remains at Steppay").isEqualTo(9000 - returnedAtSteppay);

        // the console cancel's webhook itself, processed late, is the entry already there
        replay(consoleWebhook);
        assertThat(returns("sl-gap")).hasSize(2);
        assertThat(sum("sl-gap")).isEqualTo(6000);
    }

    @Test
    void withCancelHistoryBothOrdersAreOneEntryToo() {
        String idKey = paid("sl-history", 9000);
        sandbox("/_control/cancel-answers/hold");
        CompletableFuture<Response> refund = CompletableFuture.supplyAsync(() ->
                app().postJson("/api/refunds", Commands.refund("sl-rf-4", "sl-history", 1000L)));
        replay(awaitCancelWebhook(idKey, 1));
        sandbox("/_control/cancel-answers/release");
        assertThat(refund.join().json().path("status").asText()).isEqualTo("REFUNDED");
        assertThat(app().postJson("/api/refunds", Commands.refund("sl-rf-5", "sl-history", 2000L)).json()
                .path("status").asText()).isEqualTo("REFUNDED");
        replay(awaitCancelWebhook(idKey, 2));
        assertThat(returns("sl-history")).hasSize(2);
        assertThat(sum("sl-history")).isEqualTo(6000);
    }

    @Test
    void aConsoleCancelLearntFromItsWebhookCountsAgainstWhatRemains() {
        String idKey = paid("sl-console", 9900);
        assertThat(app().postJson("/api/refunds", Commands.refund("sl-rf-6", "sl-console", 900L)).json()
                .path("status").asText()).isEqualTo("REFUNDED");
        // 5000 returned in Steppay's console: paybridge learns it only from the webhook
        sandbox("/_control/console-cancel/" + idKey, "{\"amount\": 5000}");
        replay(awaitCancelWebhook(idKey, 2));
        replay(awaitCancelWebhook(idKey, 1));
        assertThat(app().get("/api/payments/sl-console").json().path("refundedAmount").asLong()).isEqualTo(5900);

        long requests = stat("requests");
        Response tooMuch = app().postJson("/api/refunds", Commands.refund("sl-rf-7", "sl-console", 4001L));
        assertThat(tooMuch.status()).as(tooMuch.body()).isEqualTo(422);
        assertThat(tooMuch.json().path("detail").asText()).contains("4000 KRW remains");
        assertThat(stat("requests")).as("nothing sent to the vendor").isEqualTo(requests);

        Response all = app().postJson("/api/refunds", Commands.refund("sl-rf-8", "sl-console", null));
        assertThat(all.json().path("status").asText()).as(all.body()).isEqualTo("REFUNDED");
        assertThat(all.json().path("amount").asLong()).as("all that truly remains").isEqualTo(4000);
        assertThat(all.json().path("remainingAmount").asLong()).isZero();
        assertThat(app().postJson("/api/refunds", Commands.refund("sl-rf-9", "sl-console", 1L)).status()).isEqualTo(422);
        assertThat(sum("sl-console")).isZero();
    }

    @Test
    void a403WithABusinessErrorCodeIsADeclineAndNeverSentAgain() {
        long before = stat("billingCalls");
        Response charge = app().postJson("/api/payments", Commands.billingKey("sl-403", "steppay",
                paybridge.sandbox.steppay.SteppaySimulator.FORBIDDEN_DECLINE, Commands.STEPPAY_KEY));
        assertThat(charge.status()).as(charge.body()).isEqualTo(200);
        assertThat(charge.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(charge.json().path("failure").path("code").asText()).isEqualTo("PAYMENT_NOT_ALLOWED");
        // billing calls only: reconcile's lookups of other payments may reach Steppay meanwhile
        long billingCalls = stat("billingCalls");
        assertThat(billingCalls).as("the first ask was sent").isEqualTo(before + 1);
        Response again = app().postJson("/api/payments", Commands.billingKey("sl-403", "steppay",
                paybridge.sandbox.steppay.SteppaySimulator.FORBIDDEN_DECLINE, Commands.STEPPAY_KEY));
        assertThat(again.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(stat("billingCalls")).as("final for that id: not sent again").isEqualTo(billingCalls);

        paid("sl-403-refund", 9000);
        Response refund = app().postJson("/api/refunds", Commands.refund("sl-rf-10", "sl-403-refund",
                paybridge.sandbox.steppay.SteppaySimulator.FORBIDDEN_DECLINE));
        assertThat(refund.status()).as(refund.body()).isEqualTo(200);
        assertThat(refund.json().path("status").asText()).isEqualTo("FAILED");
        assertThat(refund.json().path("failure").path("code").asText()).isEqualTo("CANCEL_NOT_ALLOWED");
        assertThat(app().postJson("/api/refunds", Commands.refund("sl-rf-11", "sl-403-refund", 9000L)).json()
                .path("status").asText()).as("the declined refund's amount was released").isEqualTo("REFUNDED");
    }
}
