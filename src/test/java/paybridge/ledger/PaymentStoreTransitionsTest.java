package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import paybridge.canonical.CommandReader;
import paybridge.canonical.EventType;
import paybridge.canonical.Failure;
import paybridge.canonical.LedgerSource;
import paybridge.canonical.PaymentCommand;
import paybridge.canonical.PaymentEvent;
import paybridge.canonical.PaymentStates;
import paybridge.canonical.PaymentStates.Fact;
import paybridge.canonical.PaymentStates.Transition;
import paybridge.canonical.PaymentStates.Write;
import paybridge.canonical.PaymentStatus;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;
import paybridge.webhooks.ExternalPayments;

/**
 * Each statement that changes {@code payments.status}, run against a real database from every
 * stored state (and from no row): it moves a payment exactly when {@link PaymentStates} has its row
 * leave that state, to the row's state and failure code, and leaves every other payment as it was.
 * On H2 and on PostgreSQL.
 */
class PaymentStoreTransitionsTest {
    /**
     * A payment prepared in a state: null status = no row at all. {@code reopened}: a PENDING attempt
     * reopened after a NOT_CHARGED conclusion, which holds that conclusion's ledger entry (such an
     * attempt is restored when its re-send is not attempted, never forgotten: the entry keeps its payment).
     */
    private record Prepared(PaymentStatus status, String failureCode, boolean reopened) {
        Prepared(PaymentStatus status, String failureCode) {
            this(status, failureCode, false);
        }
    }

    private static final List<Prepared> STATES = List.of(new Prepared(null, null),
            new Prepared(PaymentStatus.PENDING, null), new Prepared(PaymentStatus.PENDING, null, true),
            new Prepared(PaymentStatus.UNKNOWN, null), new Prepared(PaymentStatus.PAID, null),
            new Prepared(PaymentStatus.AWAITING_DEPOSIT, null), new Prepared(PaymentStatus.ABANDONED, null),
            new Prepared(PaymentStatus.FAILED, "VENDOR_DECLINED"), new Prepared(PaymentStatus.FAILED, PaymentStates.NOT_CHARGED),
            new Prepared(PaymentStatus.FAILED, PaymentStates.OPERATOR));

    @Test
    void onH2() throws Exception {
        try (RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false"))) {
            eachStatementMovesExactlyItsRows(app);
        }
    }

    @Test
    void onPostgres() throws Exception {
        try (Postgres pg = Postgres.createDatabase();
             RunningPaybridge app = RunningPaybridge.start(Map.of("paybridge.webhook.processing-enabled", "false",
                     "paybridge.db.url", pg.url(), "paybridge.db.user", pg.user()))) {
            eachStatementMovesExactlyItsRows(app);
        }
    }

    private static void eachStatementMovesExactlyItsRows(RunningPaybridge app) throws Exception {
        // reconcile's rounds would take the rows prepared below
        app.context().getRouteController().stopRoute("reconcile");
        Sql sql = new Sql(app.context());
        PaymentStore payments = new PaymentStore(sql);
        LedgerStore ledger = new LedgerStore(sql);
        ExternalPayments external = new ExternalPayments(sql);
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Transition t : PaymentStates.rows()) {
            if (t.write() == Write.LEDGER_ONLY) {
                continue;
            }
            for (Prepared from : STATES) {
                String id = "st-" + (n++);
                String conclusionKey = prepare(app, payments, ledger, id, from);
                boolean moved = run(t, id, conclusionKey, payments, external);
                boolean expected = t.leaves(from.status(), from.failureCode())
                        && (t.fact() != Fact.NOT_ATTEMPTED || !from.reopened())
                        && (t.fact() != Fact.RESEND_NOT_ATTEMPTED || from.reopened());
                Map<String, String> row = row(app, id);
                String case_ = t + " by " + t.write() + " on a payment " + (from.status() == null ? "(no row)"
                        : from.status() + (from.failureCode() == null ? "" : " " + from.failureCode())
                        + (from.reopened() ? " (reopened)" : ""));
                if (moved != expected) {
                    wrong.add(case_ + ": " + (moved ? "moved, the table has no such transition" : "refused a row of the table"));
                } else if (moved && t.to() == null && row != null) {
                    wrong.add(case_ + ": the row is still there");
                } else if (moved && t.to() != null && (row == null || !t.to().name().equals(row.get("status"))
                        || t.failureCode() != null && !t.failureCode().equals(row.get("failure_code")))) {
                    wrong.add(case_ + ": left " + row);
                } else if (!moved && from.status() != null && (row == null || !from.status().name().equals(row.get("status")))) {
                    wrong.add(case_ + ": refused, but the row changed to " + row);
                }
            }
        }
        assertThat(wrong).isEmpty();

        // a payment paybridge did not start, FAILED with a vendor's reason longer than its column: recorded, cut
        Transition failedElsewhere = PaymentStates.rows().stream()
                .filter(t -> t.write() == Write.INSERT_EXTERNAL && t.to() == paybridge.canonical.PaymentStatus.FAILED)
                .findFirst().orElseThrow();
        assertThat(external.insert("st-ext-long", "iamport", 1000, failedElsewhere, "imp_long_reason", null,
                new paybridge.canonical.Failure("VENDOR_DECLINED", "거절".repeat(400)))).isTrue();
        assertThat(app.text("SELECT failure_message FROM payments WHERE payment_id = ?", "st-ext-long")).hasSize(500);
    }

    /**
     * Writes a payment in the state, past its in-flight horizon; answers the key its NOT_CHARGED
     * conclusion's entry has (a reopened one holds it), null when there is no row.
     */
    private static String prepare(RunningPaybridge app, PaymentStore payments, LedgerStore ledger, String id,
                                  Prepared state) throws Exception {
        if (state.status() == null) {
            return null;
        }
        assertThat(payments.insert(command(id), "h", Duration.ZERO)).isPresent();
        execute(app, "UPDATE payments SET status = ?, failure_code = ?, "
                + "in_flight_until = CURRENT_TIMESTAMP - INTERVAL '1' HOUR WHERE payment_id = ?",
                state.status().name(), state.failureCode(), id);
        PaymentEvent conclusion = new PaymentEvent("iamport", id, null, null, EventType.FAILED, 0, "KRW", null, 0,
                Sql.now(), PaymentEvent.NOT_CHARGED);
        if (state.reopened()) {
            assertThat(ledger.append(conclusion, LedgerSource.RECONCILE)).isTrue();
        }
        return conclusion.eventKey();
    }

    /** Runs the statement of the row on the payment; true when it moved it. */
    private static boolean run(Transition t, String id, String conclusionKey, PaymentStore payments,
                               ExternalPayments external) {
        Failure failure = t.to() != PaymentStatus.FAILED ? null
                : new Failure(t.failureCode() != null ? t.failureCode() : "VENDOR_DECLINED", "test");
        return switch (t.write()) {
            case INSERT_ATTEMPT -> payments.insert(command(id), "h", Duration.ZERO).isPresent();
            case INSERT_EXTERNAL -> external.insert(id, "iamport", 3000, t, "imp_" + id, null, failure);
            case FORGET_NOT_ATTEMPTED -> payments.forgetNotAttempted(id);
            case SETTLE_OPEN -> payments.settleOpen(id, t, null, null, failure);
            case SETTLE_OPEN_LANDED -> payments.settleOpenLanded(id, t, null, failure);
            case CONCLUDE_NOT_CHARGED -> payments.concludeNotCharged(id, "never charged", Duration.ofSeconds(1));
            case OVERTURN_TO_PAID -> payments.overturnToPaid(id, "imp_" + id, null);
            case REOPEN_NOT_CHARGED -> payments.reopenNotCharged(id, Duration.ofSeconds(60));
            case RESTORE_NOT_CHARGED -> conclusionKey != null && payments.restoreNotCharged(id, conclusionKey, "never charged");
            case CHANGE_DECIDED -> payments.changeDecided(id, t, null);
            case LEDGER_ONLY -> throw new IllegalStateException("no statement");
        };
    }

    private static PaymentCommand command(String paymentId) {
        String json = """
                {"paymentId": "%s", "vendor": "iamport", "method": "KEY_IN", "amount": 3000,
                 "orderName": "Premium plan", "customer": {"id": "user-42"},
                 "card": {"number": "4111-2222-3333-4444", "expiry": "2028-01", "birth": "900101", "pwd2digit": "12"}}"""
                .formatted(paymentId);
        return CommandReader.read(json.getBytes(StandardCharsets.UTF_8), "payment-command", PaymentCommand.class);
    }

    private static void execute(RunningPaybridge app, String statement, Object... params) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

    /** The payment's status and failure code, or null when there is no row. */
    private static Map<String, String> row(RunningPaybridge app, String id) throws Exception {
        try (Connection c = app.lookup("database", Database.class).dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, failure_code FROM payments WHERE payment_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, String> r = new HashMap<>();
                r.put("status", rs.getString(1));
                r.put("failure_code", rs.getString(2));
                return r;
            }
        }
    }
}
