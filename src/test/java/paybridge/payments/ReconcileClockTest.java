package paybridge.payments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.canonical.CommandReader;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStatus;
import paybridge.ledger.PaymentRecord;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * Whether a charge can still be in flight is decided on the database's clock only: the horizon is
 * set by the database when the attempt is recorded, and reconcile selects by it. Timestamps a node
 * stamps with its own Java clock (created_at, updated_at), an hour behind or ahead, change nothing.
 * On H2 and on PostgreSQL.
 */
class ReconcileClockTest {

    @Test
    void onH2() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(settings(Map.of()))) {
            decidesOnTheDatabaseClock(app);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(settings(Map.of("paybridge.db.url", pg.url(),
                     "paybridge.db.user", pg.user())))) {
            decidesOnTheDatabaseClock(app);
        }
    }

    private static Map<String, Object> settings(Map<String, Object> extra) {
        Map<String, Object> s = new HashMap<>(Map.of("paybridge.webhook.processing-enabled", "false"));
        s.putAll(extra);
        return s;
    }

    private static void decidesOnTheDatabaseClock(RunningPaybridge app) throws Exception {
        // the timer's rounds would take rows between the steps below: this test calls the selection itself
        app.context().getRouteController().stopRoute("reconcile");
        PaymentStore payments = app.lookup("paymentStore", PaymentStore.class);
        ReconcileService reconcile = app.lookup("reconcileService", ReconcileService.class);
        Sql sql = new Sql(app.context());

        // recorded now with a 60 s horizon, by a node whose Java clock is an hour behind
        Instant dbBefore = sql.databaseNow();
        payments.insert(command("k-behind-1"), "h", Duration.ofSeconds(60));
        ChargeInFlightTest.sql(app, "UPDATE payments SET status = 'UNKNOWN', created_at = created_at - INTERVAL '1' HOUR, "
                + "updated_at = updated_at - INTERVAL '1' HOUR WHERE payment_id = ?", "k-behind-1");
        PaymentRecord behind = payments.find("k-behind-1").orElseThrow();
        assertThat(behind.inFlightUntil()).isBetween(dbBefore.plusSeconds(59), sql.databaseNow().plusSeconds(61));
        assertThat(reconcile.due()).extracting(PaymentRecord::paymentId).doesNotContain("k-behind-1");

        // recorded by a node whose Java clock is an hour ahead, its horizon passed on the database's clock
        payments.insert(command("k-ahead-1"), "h", Duration.ofSeconds(60));
        ChargeInFlightTest.sql(app, "UPDATE payments SET status = 'UNKNOWN', created_at = created_at + INTERVAL '1' HOUR, "
                + "updated_at = updated_at + INTERVAL '1' HOUR, in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND, "
                + "next_look_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND WHERE payment_id = ?", "k-ahead-1");
        assertThat(reconcile.due()).extracting(PaymentRecord::paymentId).contains("k-ahead-1").doesNotContain("k-behind-1");
        // taken: its next look is later, so the next round does not take it again at once
        assertThat(reconcile.due()).extracting(PaymentRecord::paymentId).doesNotContain("k-ahead-1");

        // the other decisions by the horizon, on the database's clock
        assertThat(payments.concludeNotCharged("k-behind-1", "never charged", Duration.ofSeconds(1))).isFalse();
        assertThat(payments.settleOpenLanded("k-behind-1",
                PaymentStates.require(PaymentStatus.UNKNOWN, Fact.OPERATOR_RESOLVED_FAILED), null, null)).isFalse();
        PaymentStore.InFlight flight = payments.inFlight("k-behind-1").orElseThrow();
        assertThat(flight.landed()).isFalse();
        assertThat(flight.until()).isEqualTo(behind.inFlightUntil());
        assertThat(payments.inFlight("k-ahead-1").orElseThrow().landed()).isTrue();
        Instant aheadStamp = payments.find("k-ahead-1").orElseThrow().updatedAt();
        assertThat(payments.concludeNotCharged("k-ahead-1", "never charged", Duration.ofSeconds(1))).isTrue();
        // a change by this node (an hour behind the one before) still moves updatedAt forward: receivers order
        // a payment's events by it
        Instant concluded = payments.find("k-ahead-1").orElseThrow().updatedAt();
        assertThat(concluded).isAfter(aheadStamp);
        assertThat(payments.overturnToPaid("k-ahead-1", "imp_k_ahead_1", null)).isTrue();
        PaymentRecord overturned = payments.find("k-ahead-1").orElseThrow();
        assertThat(overturned.status()).isEqualTo(paybridge.canonical.PaymentStatus.PAID);
        assertThat(overturned.overturnedFrom()).isEqualTo("NOT_CHARGED");
        assertThat(overturned.updatedAt()).isAfter(concluded);
        // an answer that leaves it open (UNKNOWN) keeps its place on reconcile's schedule
        assertThat(payments.settleOpen("k-behind-1", PaymentStates.require(PaymentStatus.UNKNOWN, Fact.ANSWER_LOST),
                null, null, new paybridge.canonical.Failure("VENDOR_TIMEOUT", "no answer"))).isTrue();
        assertThat(ChargeInFlightTest.column(app, "next_look_at", "k-behind-1")).isNotNull();

        // the ledger is ordered and cut into periods by recorded_at: the database's time of the transaction
        // that appends, not the appending node's clock (a node's Java clock would say 300 ms later here)
        paybridge.ledger.LedgerStore ledger = app.lookup("ledgerStore", paybridge.ledger.LedgerStore.class);
        Instant transactionTime = sql.inTransaction(() -> {
            Instant t = sql.databaseNow();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            assertThat(ledger.append(new paybridge.canonical.PaymentEvent("iamport", "k-behind-1", null, null,
                    paybridge.canonical.EventType.FAILED, 0, "KRW", null, 0, null), paybridge.canonical.LedgerSource.RECONCILE))
                    .isTrue();
            return t;
        });
        assertThat(app.text("SELECT recorded_at FROM ledger_entries WHERE payment_id = 'k-behind-1'"))
                .isEqualTo(app.text("SELECT CAST(? AS TIMESTAMP WITH TIME ZONE)", java.sql.Timestamp.from(transactionTime)));
    }

    private static PaymentCommand command(String paymentId) {
        return CommandReader.read(Commands.keyIn(paymentId, 3000, false).getBytes(StandardCharsets.UTF_8),
                "payment-command", PaymentCommand.class);
    }
}
