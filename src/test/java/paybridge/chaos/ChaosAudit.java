package paybridge.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import paybridge.billing.BillingCalendar;

/**
 * Checks paybridge's money promises from the vendors' own records (the sandbox's {@code _records})
 * against paybridge's tables, read directly from PostgreSQL:
 * <ol type="a">
 *   <li>at most one successful charge per paymentId at the vendor, and per subscription period;</li>
 *   <li>every vendor charge and return is in the ledger and vice versa: per payment, the ledger's
 *       positive entries equal what the vendor charged and its negative entries what the vendor
 *       returned, in sum and in count;</li>
 *   <li>nothing open past its bound once reconcile has had its time: payments and refunds
 *       PENDING/UNKNOWN, inbox entries RECEIVED or PENDING and not flagged, billing attempts
 *       CLAIMED/SENT/PENDING/UNKNOWN. A Steppay charge whose answer was lost and that no webhook
 *       settled is documented as settled by an operator (README runbook): listed apart, not a violation;</li>
 *   <li>no subscription behind its decided attempts: a PAID attempt for period k while the
 *       subscription is still at period k or before; a period's last attempt DECLINED or NOT_CHARGED
 *       without its next attempt scheduled (or PAST_DUE).</li>
 * </ol>
 */
final class ChaosAudit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IAMPORT_CHARGED = Set.of("paid", "cancelled");
    private static final Set<String> STEPPAY_CHARGED = Set.of("COMPLETE", "PARTIAL_CANCELED", "CANCELED");
    private static final String STEPPAY_SEED_ORDER = "sandbox-first-payment";

    /** The outcome: every figure, every violation (one line each, with ids), the operator-settled list. */
    static final class Report {
        final Map<String, Object> figures = new LinkedHashMap<>();
        final List<String> violations = new ArrayList<>();
        final List<String> operatorSettled = new ArrayList<>();
        final Map<String, Integer> violationsByRule = new TreeMap<>();

        void violation(String rule, String detail) {
            violations.add(rule + ": " + detail);
            violationsByRule.merge(rule, 1, Integer::sum);
        }
    }

    /** What the vendor knows of one merchant id (paymentId). */
    private static final class VendorSide {
        int chargedRecords;
        long charged;
        long returned;
        int returns;
        final List<String> refs = new ArrayList<>();
    }

    private final String dbUrl;
    private final String dbUser;
    private final String sandboxUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ChaosAudit(String dbUrl, String dbUser, String sandboxUrl) {
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.sandboxUrl = sandboxUrl;
    }

    /** Open items now (the quiet wait polls this): payments, refunds, inbox, attempts; Steppay lost answers excluded. */
    int openCount() throws Exception {
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, "")) {
            return (int) (scalar(c, "SELECT COUNT(*) FROM payments WHERE status IN ('PENDING','UNKNOWN') AND vendor <> 'steppay'")
                    + scalar(c, "SELECT COUNT(*) FROM refunds WHERE status IN ('PENDING','UNKNOWN')")
                    + scalar(c, "SELECT COUNT(*) FROM webhook_inbox WHERE status = 'RECEIVED' OR (status = 'PENDING' AND NOT flagged)")
                    + scalar(c, "SELECT COUNT(*) FROM billing_attempts a LEFT JOIN payments p ON p.payment_id = a.payment_id"
                    + " WHERE a.state IN ('CLAIMED','SENT','PENDING','UNKNOWN')"
                    + " AND NOT (p.vendor = 'steppay' AND p.status IN ('PENDING','UNKNOWN'))"));
        }
    }

    Report run() throws Exception {
        Report report = new Report();
        Map<String, VendorSide> vendor = new HashMap<>();
        Map<String, String> vendorOf = new HashMap<>();
        readIamport(vendor, vendorOf, report);
        readSteppay(vendor, vendorOf, report);
        try (Connection c = DriverManager.getConnection(dbUrl, dbUser, "")) {
            figures(c, report);
            Map<String, Map<String, Object>> payments = byKey(rows(c, "SELECT * FROM payments"), "payment_id");
            Set<String> operatorSettled = new HashSet<>();
            for (Map<String, Object> p : payments.values()) {
                if ("steppay".equals(p.get("vendor")) && Set.of("PENDING", "UNKNOWN").contains(trim(p.get("status")))) {
                    String id = (String) p.get("payment_id");
                    operatorSettled.add(id);
                    VendorSide v = vendor.get(id);
                    report.operatorSettled.add(id + " " + trim(p.get("status")) + " amount=" + p.get("amount")
                            + " vendor=" + (v == null ? "no record" : "charged " + v.charged + " returned " + v.returned)
                            + " ref=" + p.get("vendor_payment_ref"));
                }
            }
            checkOnceAtVendor(c, vendor, report);
            checkLedger(c, vendor, vendorOf, payments, operatorSettled, report);
            checkOpen(c, operatorSettled, report);
            checkSubscriptions(c, report);
        }
        report.figures.put("vendor merchant ids", vendor.size());
        report.figures.put("violations", report.violations.size());
        report.figures.put("violations by rule", report.violationsByRule);
        report.figures.put("steppay lost answers left to an operator", report.operatorSettled.size());
        return report;
    }

    // ---- the vendors' records ------------------------------------------------------------------

    private void readIamport(Map<String, VendorSide> vendor, Map<String, String> vendorOf, Report report) throws Exception {
        JsonNode records = get(sandboxUrl + "/iamport/_records").get("response");
        int charged = 0;
        for (JsonNode p : records) {
            String id = p.get("merchant_uid").asText();
            VendorSide v = vendor.computeIfAbsent(id, k -> new VendorSide());
            vendorOf.put(id, "iamport");
            v.refs.add(p.get("imp_uid").asText() + ":" + p.get("status").asText());
            if (IAMPORT_CHARGED.contains(p.get("status").asText())) {
                charged++;
                v.chargedRecords++;
                v.charged += p.get("amount").asLong();
            }
            for (JsonNode cancel : p.path("cancel_history")) {
                v.returned += cancel.get("amount").asLong();
                v.returns++;
            }
        }
        report.figures.put("iamport records", records.size());
        report.figures.put("iamport charged", charged);
    }

    private void readSteppay(Map<String, VendorSide> vendor, Map<String, String> vendorOf, Report report) throws Exception {
        JsonNode records = get(sandboxUrl + "/steppay/_records").get("records");
        int charged = 0;
        for (JsonNode p : records) {
            String id = p.path("partnerOrderId").asText();
            if (STEPPAY_SEED_ORDER.equals(id)) {
                continue; // the sandbox's seeded first payment (the billing key), not paybridge's
            }
            VendorSide v = vendor.computeIfAbsent(id, k -> new VendorSide());
            vendorOf.put(id, "steppay");
            v.refs.add(p.get("idKey").asText() + ":" + p.get("paymentStatus").asText());
            if (STEPPAY_CHARGED.contains(p.get("paymentStatus").asText())) {
                charged++;
                v.chargedRecords++;
                v.charged += p.get("amount").asLong();
            }
            for (JsonNode cancel : p.path("cancelHistory")) {
                v.returned += cancel.get("canceledAmount").asLong();
                v.returns++;
            }
        }
        report.figures.put("steppay records", records.size() - 1);
        report.figures.put("steppay charged", charged);
    }

    // ---- (a) once ------------------------------------------------------------------------------

    private void checkOnceAtVendor(Connection c, Map<String, VendorSide> vendor, Report report) throws Exception {
        vendor.forEach((id, v) -> {
            if (v.chargedRecords > 1) {
                report.violation("a charged twice", "paymentId " + id + " charged " + v.chargedRecords + " times at the vendor " + v.refs);
            }
        });
        Map<String, List<String>> periods = new TreeMap<>();
        for (Map<String, Object> a : rows(c, "SELECT subscription_id, period_date, payment_id FROM billing_attempts")) {
            periods.computeIfAbsent(a.get("subscription_id") + " " + a.get("period_date"), k -> new ArrayList<>())
                    .add((String) a.get("payment_id"));
        }
        periods.forEach((period, attempts) -> {
            List<String> charged = attempts.stream().filter(id -> vendor.containsKey(id) && vendor.get(id).chargedRecords > 0).toList();
            if (charged.size() > 1) {
                report.violation("a period charged twice", "subscription period " + period + " charged by " + charged);
            }
        });
        report.figures.put("subscription periods attempted", periods.size());
    }

    // ---- (b) ledger = vendor -----------------------------------------------------------------------

    private void checkLedger(Connection c, Map<String, VendorSide> vendor, Map<String, String> vendorOf,
                             Map<String, Map<String, Object>> payments, Set<String> operatorSettled, Report report) throws Exception {
        Map<String, Map<String, Object>> ledger = byKey(rows(c, """
                SELECT payment_id,
                       COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0) AS charged,
                       SUM(CASE WHEN amount > 0 THEN 1 ELSE 0 END) AS charges,
                       COALESCE(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END), 0) AS returned,
                       SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS returns
                FROM ledger_entries GROUP BY payment_id"""), "payment_id");
        Set<String> all = new HashSet<>(payments.keySet());
        all.addAll(vendor.keySet());
        all.addAll(ledger.keySet());
        long compared = 0;
        for (String id : new java.util.TreeSet<>(all)) {
            if (operatorSettled.contains(id)) {
                continue;
            }
            compared++;
            VendorSide v = vendor.getOrDefault(id, new VendorSide());
            Map<String, Object> l = ledger.getOrDefault(id, Map.of());
            long lc = number(l.get("charged"));
            long lr = number(l.get("returned"));
            long lcn = number(l.get("charges"));
            long lrn = number(l.get("returns"));
            Map<String, Object> p = payments.get(id);
            String state = p == null ? "no payments row" : trim(p.get("status")) + " " + p.get("vendor");
            if (lc != v.charged || (v.chargedRecords <= 1 && lcn != v.chargedRecords)) {
                report.violation("b charge not in ledger", "paymentId " + id + " (" + state + "): vendor charged "
                        + v.charged + " " + v.refs + ", ledger charged " + lc + " in " + lcn + " entr(ies)");
            }
            if (lr != v.returned || lrn != v.returns) {
                report.violation("b return not in ledger", "paymentId " + id + " (" + state + "): vendor returned "
                        + v.returned + " in " + v.returns + ", ledger " + lr + " in " + lrn);
            }
            if (p == null && vendor.containsKey(id)) {
                report.violation("b vendor payment unknown to paybridge", "merchant id " + id + " at "
                        + vendorOf.get(id) + " " + v.refs);
            }
        }
        report.figures.put("payments compared with the vendor", compared);
    }

    // ---- (c) open --------------------------------------------------------------------------------

    private void checkOpen(Connection c, Set<String> operatorSettled, Report report) throws Exception {
        for (Map<String, Object> p : rows(c, "SELECT payment_id, vendor, status, amount, created_at, updated_at"
                + " FROM payments WHERE status IN ('PENDING','UNKNOWN') ORDER BY payment_id")) {
            if (!operatorSettled.contains(p.get("payment_id"))) {
                report.violation("c payment open", p.get("payment_id") + " " + p.get("vendor") + " " + trim(p.get("status"))
                        + " since " + p.get("updated_at"));
            }
        }
        for (Map<String, Object> r : rows(c, "SELECT refund_id, payment_id, status, amount, updated_at FROM refunds"
                + " WHERE status IN ('PENDING','UNKNOWN') ORDER BY refund_id")) {
            report.violation("c refund open", r.get("refund_id") + " of " + r.get("payment_id") + " " + trim(r.get("status"))
                    + " amount " + r.get("amount") + " since " + r.get("updated_at"));
        }
        for (Map<String, Object> e : rows(c, "SELECT inbox_id, vendor, status, attempts, reason, vendor_ref, received_at"
                + " FROM webhook_inbox WHERE status = 'RECEIVED' OR (status = 'PENDING' AND NOT flagged) ORDER BY received_at")) {
            report.violation("c inbox entry open", e.get("inbox_id") + " " + e.get("vendor") + " " + trim(e.get("status"))
                    + " ref " + e.get("vendor_ref") + " attempts " + e.get("attempts") + " received " + e.get("received_at"));
        }
        for (Map<String, Object> a : rows(c, "SELECT a.payment_id, a.state, a.claimed_by, a.updated_at, p.status AS payment_status,"
                + " p.vendor FROM billing_attempts a LEFT JOIN payments p ON p.payment_id = a.payment_id"
                + " WHERE a.state IN ('CLAIMED','SENT','PENDING','UNKNOWN') ORDER BY a.payment_id")) {
            if (operatorSettled.contains(a.get("payment_id"))) {
                continue;
            }
            report.violation("c billing attempt open", a.get("payment_id") + " " + trim(a.get("state")) + " (payment "
                    + (a.get("payment_status") == null ? "none" : trim(a.get("payment_status"))) + ") claimed by "
                    + a.get("claimed_by") + " since " + a.get("updated_at"));
        }
    }

    // ---- (d) subscriptions keep up with their attempts ---------------------------------------------

    private void checkSubscriptions(Connection c, Report report) throws Exception {
        BillingCalendar calendar = BillingCalendar.of("Asia/Seoul", "P1D");
        Map<String, Map<String, Object>> subscriptions = byKey(rows(c, "SELECT * FROM subscriptions"), "subscription_id");
        Map<String, Map<String, Object>> lastOfPeriod = new HashMap<>();
        for (Map<String, Object> a : rows(c, "SELECT * FROM billing_attempts ORDER BY subscription_id, period_date, attempt_no")) {
            Map<String, Object> s = subscriptions.get(a.get("subscription_id"));
            int index = periodIndex(calendar, s, localDate(a.get("period_date")));
            int current = ((Number) s.get("period_index")).intValue();
            String state = trim(a.get("state"));
            if ("PAID".equals(state) && index >= current) {
                report.violation("d subscription behind a PAID attempt", a.get("payment_id") + " paid period " + index
                        + " but subscription " + s.get("subscription_id") + " is at period " + current);
            }
            if (index == current) {
                lastOfPeriod.put((String) s.get("subscription_id"), a); // ordered: the last attempt wins
            }
        }
        lastOfPeriod.forEach((id, a) -> {
            Map<String, Object> s = subscriptions.get(id);
            String state = trim(a.get("state"));
            int attemptNo = ((Number) a.get("attempt_no")).intValue();
            if (!Set.of("DECLINED", "NOT_CHARGED").contains(state)) {
                return;
            }
            Object retry = s.get("retry_attempt");
            boolean scheduled = retry != null && ((Number) retry).intValue() > attemptNo && s.get("next_retry_at") != null;
            boolean stopped = Set.of("PAST_DUE", "CANCELLED").contains(trim(s.get("state")));
            if (!scheduled && !stopped) {
                report.violation("d retry not scheduled", a.get("payment_id") + " " + state + " but subscription " + id
                        + " is " + trim(s.get("state")) + " retry_attempt=" + retry + " next_retry_at=" + s.get("next_retry_at"));
            }
        });
    }

    /** The k whose due date (anchor + k x interval, in the billing zone) is the attempt's period date. */
    private static int periodIndex(BillingCalendar calendar, Map<String, Object> s, LocalDate periodDate) {
        OffsetDateTime anchor = OffsetDateTime.parse((String) s.get("anchor_at"));
        Period interval = BillingCalendar.interval((String) s.get("billing_interval"));
        for (int k = 0; k < 100_000; k++) {
            LocalDate due = calendar.periodDate(calendar.due(anchor, interval, k));
            if (due.equals(periodDate)) {
                return k;
            }
            if (due.isAfter(periodDate)) {
                break;
            }
        }
        throw new IllegalStateException("period " + periodDate + " is not a due date of " + s.get("subscription_id"));
    }

    // ---- figures -----------------------------------------------------------------------------------

    private void figures(Connection c, Report report) throws Exception {
        report.figures.put("payments by status", grouped(c, "SELECT status AS k, COUNT(*) AS n FROM payments GROUP BY status"));
        report.figures.put("payments by vendor", grouped(c, "SELECT vendor AS k, COUNT(*) AS n FROM payments GROUP BY vendor"));
        report.figures.put("refunds by status", grouped(c, "SELECT status AS k, COUNT(*) AS n FROM refunds GROUP BY status"));
        report.figures.put("ledger entries by source", grouped(c, "SELECT source AS k, COUNT(*) AS n FROM ledger_entries GROUP BY source"));
        report.figures.put("ledger entries by type", grouped(c, "SELECT type AS k, COUNT(*) AS n FROM ledger_entries GROUP BY type"));
        report.figures.put("inbox by status", grouped(c, "SELECT status || CASE WHEN flagged THEN ' flagged' ELSE '' END AS k,"
                + " COUNT(*) AS n FROM webhook_inbox GROUP BY status, flagged"));
        // a rejected delivery is no violation by itself (forged or stale), but here every one is the
        // vendor's own: the reasons point at the state paybridge got wrong
        report.figures.put("inbox rejected, by reason", grouped(c, "SELECT reason AS k, COUNT(*) AS n FROM webhook_inbox"
                + " WHERE status = 'REJECTED' GROUP BY reason"));
        report.figures.put("billing attempts by state", grouped(c, "SELECT state AS k, COUNT(*) AS n FROM billing_attempts GROUP BY state"));
        report.figures.put("subscriptions by state", grouped(c, "SELECT state AS k, COUNT(*) AS n FROM subscriptions GROUP BY state"));
        report.figures.put("billing runs by status", grouped(c, "SELECT status AS k, COUNT(*) AS n FROM billing_runs GROUP BY status"));
    }

    private static Map<String, Long> grouped(Connection c, String sql) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (Map<String, Object> r : rows(c, sql)) {
            out.put(trim(r.get("k")), number(r.get("n")));
        }
        return out;
    }

    // ---- plumbing --------------------------------------------------------------------------------

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    private static List<Map<String, Object>> rows(Connection c, String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i).toLowerCase(), rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private static long scalar(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Map<String, Object>> byKey(List<Map<String, Object>> rows, String key) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        rows.forEach(r -> out.put((String) r.get(key), r));
        return out;
    }

    private static long number(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    private static String trim(Object o) {
        return o == null ? null : o.toString().trim();
    }

    private static LocalDate localDate(Object value) {
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        return LocalDate.parse(String.valueOf(value));
    }
}
