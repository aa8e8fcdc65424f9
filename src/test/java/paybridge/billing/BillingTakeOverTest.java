package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static paybridge.billing.BillingFixtures.STEPPAY_KEY;
import static paybridge.billing.BillingFixtures.charges;
import static paybridge.billing.BillingFixtures.subscription;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.canonical.ExchangeProperties;
import paybridge.testing.RunningPaybridge;
import paybridge.testing.RunningPaybridge.Response;

/**
 * An attempt abandoned by a run that died (claimed, nothing sent) is taken over by a later run only
 * while its subscription still waits for exactly that attempt, as a claim is: the later run's list of
 * due subscriptions may have been read before the subscription was cancelled, and a cancelled
 * subscription must not be charged.
 */
class BillingTakeOverTest {
    private static final String DUE = "2026-12-01T00:00:00+09:00";
    private static final String AS_OF = "2026-12-01T03:00:00+09:00";
    private static final String NEXT = "2027-01-01T00:00:00+09:00";
    private RunningPaybridge app;
    private BillingAttemptStore attempts;
    private BillingRunService service;

    @BeforeEach
    void start() {
        app = RunningPaybridge.start();
        attempts = app.lookup("billingAttemptStore", BillingAttemptStore.class);
        service = app.lookup("billingRunService", BillingRunService.class);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void anAbandonedAttemptOfASubscriptionCancelledAfterTheDueListWasReadIsNeitherTakenOverNorCharged() {
        BillingFixtures.insert(app, "gone", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        BillingFixtures.insert(app, "kept", 1, "steppay", STEPPAY_KEY, 9900, DUE);
        // a run that claimed both attempts, then its node died before sending either
        BillingFixtures.insertRun(app, "run-dead", Instant.parse("2026-11-30T18:00:00Z"), "dead-node", 60);
        SubscriptionStore subscriptions = app.lookup("subscriptionStore", SubscriptionStore.class);
        BillingCalendar calendar = app.lookup("billingCalendar", BillingCalendar.class);
        for (String id : List.of("gone00000", "kept00000")) {
            assertThat(attempts.claim(DueItem.of(subscriptions.find(id).orElseThrow(), calendar), "run-dead", "dead-node"))
                    .isTrue();
        }

        // the next run starts (its start FAILs the silent run) and reads its due list: both are on it
        BillingRun run = service.start(OffsetDateTime.parse(AS_OF).toInstant(), false);
        assertThat(app.get("/api/billing-runs/run-dead").json().path("status").asText()).isEqualTo("FAILED");
        List<DueItem> due = new ArrayList<>();
        service.dueItems(run, false).forEachRemaining(due::add);
        assertThat(due).extracting(DueItem::paymentId).containsExactly("gone00000-20261201", "kept00000-20261201");

        // only then is one of them cancelled
        Response cancelled = app.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/subscriptions/gone00000"))
                .DELETE());
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(subscription(app, "gone00000").path("state").asText()).isEqualTo("CANCELLED");

        long before = charges(app, "steppay");
        boolean goneSent = chargeAsTheRunWould(run, due.get(0));
        boolean keptSent = chargeAsTheRunWould(run, due.get(1));

        // the cancelled subscription: nothing sent, the attempt left where the dead run left it
        assertThat(app.get("/api/payments/gone00000-20261201").status()).as("payment of the cancelled subscription")
                .isEqualTo(404);
        assertThat(goneSent).as("attempt of the cancelled subscription sent").isFalse();
        Map<String, Object> gone = attempts.find("gone00000-20261201");
        assertThat(gone.get("run_id")).isEqualTo("run-dead");
        assertThat(((String) gone.get("state")).trim()).isEqualTo("CLAIMED");
        assertThat(subscription(app, "gone00000").path("state").asText()).isEqualTo("CANCELLED");

        // the subscription still waiting for its attempt: taken over and charged once, as before
        assertThat(keptSent).isTrue();
        assertThat(app.get("/api/payments/kept00000-20261201").json().path("status").asText()).isEqualTo("PAID");
        Map<String, Object> kept = attempts.find("kept00000-20261201");
        assertThat(kept.get("run_id")).isEqualTo(run.runId());
        assertThat(((String) kept.get("state")).trim()).isEqualTo("PAID");
        assertThat(subscription(app, "kept00000").path("nextBillingAt").asText()).isEqualTo(NEXT);
        assertThat(charges(app, "steppay")).isEqualTo(before + 1);
    }

    /**
     * One item of routes/billing.camel.yaml's billing-charge-due, with an item read before: claim (or
     * take over), then the charge through the dispatch route and its outcome applied. False when the
     * claim said the attempt is not this run's to send.
     */
    private boolean chargeAsTheRunWould(BillingRun run, DueItem item) {
        Exchange exchange = new DefaultExchange(app.context());
        exchange.setProperty(ExchangeProperties.BILLING_RUN, run);
        exchange.getMessage().setBody(item);
        Object command = service.claim(exchange);
        if (command == null) {
            return false;
        }
        exchange.getMessage().setBody(command);
        exchange.setProperty(ExchangeProperties.LEDGER_SOURCE, "BILLING_RUN");
        exchange.setProperty(ExchangeProperties.STARTED_AT, new Date());
        try (ProducerTemplate producer = app.context().createProducerTemplate()) {
            producer.send("direct:dispatch-charge", exchange);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (exchange.getException() != null) {
            throw new IllegalStateException("charge of " + item.paymentId() + " failed", exchange.getException());
        }
        service.applyResult(exchange);
        return true;
    }
}
