package paybridge.billing;

import paybridge.connector.DeclineClassifier;
import paybridge.canonical.ExchangeProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.canonical.BillingAttemptState;
import paybridge.canonical.CanonicalJson;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentResult;
import paybridge.canonical.PaymentStatus;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.canonical.UnsupportedCommandException;
import paybridge.ledger.PaymentStore;
import paybridge.ledger.Sql;
import paybridge.observe.PaybridgeMeters;
import paybridge.payments.ChargeService;

/**
 * The steps of a billing run that routes/billing.camel.yaml strings together: start (at most one
 * RUNNING run in the cluster), prepare (settle what earlier runs left open, count what is due),
 * the due attempts as a lazy stream, claim / apply per attempt, and finish.
 *
 * <p>Several nodes share a run: the node that started it works through the due subscriptions in
 * ascending id order, every other node that sees the RUNNING run joins and works from the other end;
 * the claims (unique rows in {@code billing_attempts}) keep any attempt from being sent twice.
 * The starting node beats the run's heartbeat; a run whose heartbeat is older than
 * {@code paybridge.billing.stale-after} is FAILED by the next run that starts (or a joining node).
 * Every time that decides (heartbeats, staleness, a run's asOf when none is given, claim and retry
 * times) is the database's clock: a node's own clock may be off by minutes ({@code clock} is only
 * compared with the database's to warn about it).
 */
public final class BillingRunService {
    private static final Logger LOG = LoggerFactory.getLogger(BillingRunService.class);
    private static final int PAGE = 500;
    // ConnectorRegistry's problem type for a vendor this node does not enable
    private static final String VENDOR_NOT_ENABLED = "https://paybridge.dev/problems/vendor-not-enabled";
    // the run document lists at most this many HARD declines (the subscriptions stay findable:
    // GET /api/subscriptions?state=PAST_DUE)
    private static final int HARD_DECLINES_LISTED = 1000;

    private final BillingCalendar calendar;
    private final SubscriptionStore subscriptions;
    private final BillingAttemptStore attempts;
    private final BillingRunStore runs;
    private final DunningPolicy dunning;
    private final PaymentStore payments;
    private final Sql sql;
    private final Clock clock;
    private final DoubleChargeAlarm alarm;
    private final String node;
    private final Duration staleAfter;
    private final Duration heartbeatInterval;
    private final Duration inFlightWait;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> heartbeats = new ConcurrentHashMap<>();
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    private volatile PaybridgeMeters meters = PaybridgeMeters.NONE;

    /** Counts attempt and run outcomes in these meters (paybridge.observe wires it at start-up). */
    public void observe(PaybridgeMeters meters) {
        this.meters = meters;
        alarm.observe(meters);
    }

    /**
     * @param clock this node's clock: never decides anything, only compared with the database's to
     *              warn when they drift apart
     */
    public BillingRunService(BillingCalendar calendar, SubscriptionStore subscriptions, BillingAttemptStore attempts,
                             BillingRunStore runs, PaymentStore payments, Sql sql, Clock clock, DoubleChargeAlarm alarm,
                             String node, Duration staleAfter, Duration heartbeatInterval, Duration inFlightWait,
                             ScheduledExecutorService scheduler) {
        this(calendar, subscriptions, attempts, runs, payments, sql, clock, alarm, node, staleAfter, heartbeatInterval,
                inFlightWait, scheduler, (vendor, failure) -> paybridge.connector.DeclineCategory.SOFT,
                SubscriptionEvents.NONE);
    }

    /**
     * @param declines the vendors' decline tables: a HARD decline makes the subscription PAST_DUE at once
     * @param events   the hook for subscription state-change events
     */
    public BillingRunService(BillingCalendar calendar, SubscriptionStore subscriptions, BillingAttemptStore attempts,
                             BillingRunStore runs, PaymentStore payments, Sql sql, Clock clock, DoubleChargeAlarm alarm,
                             String node, Duration staleAfter, Duration heartbeatInterval, Duration inFlightWait,
                             ScheduledExecutorService scheduler, DeclineClassifier declines, SubscriptionEvents events) {
        this.calendar = calendar;
        this.subscriptions = subscriptions;
        this.attempts = attempts;
        this.runs = runs;
        this.payments = payments;
        this.sql = sql;
        this.clock = clock;
        this.alarm = alarm;
        this.dunning = new DunningPolicy(calendar, subscriptions, attempts, sql, alarm, declines, events);
        this.node = node;
        this.staleAfter = staleAfter;
        this.heartbeatInterval = heartbeatInterval;
        this.inFlightWait = inFlightWait;
        this.scheduler = scheduler;
    }

    // ---- start ---------------------------------------------------------------------------------

    /**
     * Starts a run now (RUNNING; its heartbeat starts with its route); 409 naming the run in progress when there is one.
     *
     * @param asOf what is due at this instant is charged; null = now on the database's clock
     */
    public BillingRun start(Instant asOf, boolean dryRun) {
        Instant databaseNow = sql.databaseNow();
        warnOnClockDrift(databaseNow);
        failStaleRuns();
        String runId = UUID.randomUUID().toString();
        if (!runs.insert(runId, asOf == null ? databaseNow : asOf, dryRun, node)) {
            String other = runs.running().map(BillingRun::runId).orElse("(just finished: try again)");
            throw new ProblemException(new Problem("https://paybridge.dev/problems/billing-run-in-progress",
                    "Billing run in progress", 409, "Billing run " + other + " is in progress; "
                    + "see /api/billing-runs/" + other, List.of()));
        }
        working.add(runId);
        LOG.info("billing run {} started on {}: asOf={} dryRun={}", runId, node, asOf, dryRun);
        // no heartbeat yet: it starts with the run's route (prepare), inside the route's abort. Whatever fails
        // before that (this read, the API's audit row) leaves a run that never beats: it goes stale and the
        // next start or join FAILs it, instead of a run beating forever with nothing working on it, which
        // would refuse every later run
        return runs.find(runId).orElseThrow();
    }

    /** The run's heartbeat, from the start of its route to its end ({@link #end}). */
    private void beatWhileRunning(String runId) {
        heartbeats.computeIfAbsent(runId, id -> scheduler.scheduleWithFixedDelay(() -> beat(id),
                heartbeatInterval.toMillis(), heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void warnOnClockDrift(Instant databaseNow) {
        Duration drift = Duration.between(databaseNow, clock.instant()).abs();
        if (drift.compareTo(Duration.ofSeconds(5)) > 0) {
            LOG.warn("billing: node {}'s clock is {} off the database's; billing decides by the database's clock",
                    node, drift);
        }
    }

    /**
     * The Quartz trigger: a run as of now (the database's clock), or null (logged) when one is already in
     * progress. A fire that meets another run is owed to the run it met: {@link #startOwed} starts it once that
     * run has ended, unless it was a real run that completed (it charged what was due), so a dry run at the
     * scheduled hour, or a run that ends FAILED (its node died), does not leave what was due for the next fire.
     */
    public BillingRun startScheduled() {
        try {
            BillingRun run = start(null, false);
            owedAfter = null;
            return run;
        } catch (ProblemException e) {
            // "" when the run it met has ended meanwhile: owed at once
            owedAfter = e.problem().status() == 409 ? runs.running().map(BillingRun::runId).orElse("") : null;
            LOG.info("billing: scheduled run not started: {}{}", e.problem().detail(),
                    owedAfter != null ? "; started here once run " + owedAfter + " has ended, unless it completes" : "");
            return null;
        }
    }

    /** The join timer: the scheduled run a fire owes (see {@link #startScheduled}) once it can start, else null. */
    public BillingRun startOwed() {
        String after = owedAfter;
        if (after == null) {
            return null;
        }
        BillingRun met = runs.find(after).orElse(null);
        if (met != null && met.running()) {
            return null;
        }
        if (met != null && !met.dryRun() && "COMPLETED".equals(met.status())) {
            owedAfter = null; // it charged what was due
            return null;
        }
        BillingRun run = startScheduled();
        if (run != null) {
            LOG.info("billing run {}: the scheduled run a fire owed (run {} was in progress then)", run.runId(), after);
        }
        return run;
    }

    // the run a scheduled fire met in progress, when the fire's own run is owed after it (in memory: a node
    // stopped meanwhile leaves it to the next fire)
    private volatile String owedAfter;

    private void beat(String runId) {
        try {
            if (!runs.heartbeat(runId)) {
                LOG.warn("billing run {}: no longer RUNNING (declared FAILED elsewhere?)", runId);
            }
        } catch (RuntimeException e) {
            LOG.warn("billing run {}: heartbeat failed: {}", runId, e.getMessage());
        }
    }

    /**
     * FAILS every RUNNING run whose node has not beaten for {@code staleAfter} of database time, with the
     * counts it reached.
     */
    public void failStaleRuns() {
        for (String runId : runs.stale(staleAfter)) {
            if (runs.failStale(runId, staleAfter, due -> counts(runId, due))) {
                BillingRun run = runs.find(runId).orElseThrow();
                LOG.warn("billing run {} of node {} FAILED: no heartbeat for {}", runId, run.node(), staleAfter);
                if (!run.dryRun()) {
                    meters.billingRun(run.status()); // its node died: counted where it is found, as a failed run
                }
            }
        }
    }

    // ---- prepare -------------------------------------------------------------------------------

    /**
     * Before charging: applies outcomes decided since earlier runs (reconcile, webhooks, operators, or a
     * node that died after its vendor answered), attempts concluded never charged that the vendor shows
     * charged after all, and decided attempts whose subscription never moved; counts the attempts due
     * at asOf, and for a dry run lists what would be charged.
     */
    public BillingRun prepare(Exchange exchange) throws Exception {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        beatWhileRunning(run.runId());
        if (!run.dryRun()) {
            settleEarlierAttempts(run.runId());
            settleChargedAfterAll();
            catchUpSubscriptions(run.asOf());
        }
        SubscriptionStore.DueCounts due = subscriptions.dueCounts(run.asOf());
        List<BillingRun.Item> items = new ArrayList<>();
        if (run.dryRun()) {
            Iterator<DueItem> it = dueItems(run, false);
            while (it.hasNext()) {
                DueItem item = it.next();
                if (wouldSend(item)) {
                    // the terms it would be charged with: an attempt a run would take over keeps those it was
                    // claimed with; a new claim copies the subscription's as they are
                    long amount = AttemptTerms.of(attempts.find(item.paymentId()), item.subscription()).amount();
                    items.add(new BillingRun.Item(item.subscriptionId(), item.paymentId(), amount,
                            item.attemptNo(), item.retry()));
                }
            }
        }
        runs.prepared(run.runId(), due.due(), due.retries(), CanonicalJson.MAPPER.writeValueAsString(items));
        LOG.info("billing run {}: {} attempt(s) due at {} ({} dunning retries)", run.runId(), due.due(), run.asOf(),
                due.retries());
        return run;
    }

    private boolean wouldSend(DueItem item) {
        Map<String, Object> existing = attempts.find(item.paymentId());
        // as claim/takeOver decide: a new attempt, or one left open with nothing sent (no payments row)
        return existing == null || (BillingAttemptState.of(existing.get("state")).isOpen()
                && payments.find(item.paymentId()).isEmpty());
    }

    /** Applies, to subscriptions, outcomes of earlier runs' attempts that were decided after those runs. */
    public int settleEarlierAttempts(String currentRunId) {
        int applied = 0;
        List<Map<String, Object>> rows;
        Set<String> seen = new java.util.HashSet<>();
        do {
            rows = attempts.settledElsewhere(currentRunId, PAGE);
            int before = seen.size();
            for (Map<String, Object> row : rows) {
                String paymentId = (String) row.get("payment_id");
                if (!seen.add(paymentId)) {
                    continue;
                }
                String failureCode = (String) row.get("failure_code");
                DunningPolicy.Outcome outcome = dunning.classify(
                        PaymentStatus.valueOf(((String) row.get("payment_status")).trim()), (String) row.get("vendor"),
                        failureCode == null ? null : new Failure(failureCode, (String) row.get("failure_message")));
                AttemptRef attempt = AttemptRef.of(row);
                Subscription s = subscriptions.find(attempt.subscriptionId()).orElseThrow();
                try {
                    dunning.apply(s, attempt, outcome);
                } catch (RuntimeException e) {
                    LOG.warn("billing: attempt {} not settled now ({}); the next run tries again", paymentId, e.getMessage());
                    continue;
                }
                applied++;
                LOG.info("billing: attempt {} of an earlier run is now {}", paymentId, outcome);
            }
            if (seen.size() == before) {
                break; // nothing new: the rest cannot be applied now
            }
        } while (rows.size() == PAGE);
        return applied;
    }

    /**
     * The vendor's record wins over "never charged": a NOT_CHARGED attempt whose payment now shows
     * charged pays its period (the period's next attempt is then no longer due), or, when another
     * attempt of the period is PAID too, is a double charge reported for an operator.
     */
    public int settleChargedAfterAll() {
        int applied = 0;
        for (AttemptRef attempt : attempts.chargedAfterAll(PAGE)) {
            Subscription s = subscriptions.find(attempt.subscriptionId()).orElseThrow();
            try {
                dunning.apply(s, attempt, DunningPolicy.Outcome.PAID);
                applied++;
                LOG.warn("billing: attempt {} concluded never charged was charged after all (the vendor's record)",
                        attempt.paymentId());
            } catch (RuntimeException e) {
                LOG.warn("billing: attempt {} charged after all not settled now ({}); the next run tries again",
                        attempt.paymentId(), e.getMessage());
            }
        }
        return applied;
    }

    /**
     * Decided attempts whose subscription still waits for them (a crash between the attempt's update
     * and the subscription's, before they were one transaction): moves those subscriptions now, so the
     * period is neither stuck nor charged again.
     */
    public int catchUpSubscriptions(Instant asOf) {
        int moved = 0;
        for (Map<String, Object> row : attempts.behind(asOf, PAGE)) {
            AttemptRef attempt = AttemptRef.of(row);
            DunningPolicy.Outcome outcome = DunningPolicy.Outcome.ofAttemptState(
                    BillingAttemptState.of(row.get("state")), (String) row.get("decline_category"));
            Subscription s = subscriptions.find(attempt.subscriptionId()).orElseThrow();
            try {
                dunning.catchUp(s, attempt, outcome);
            } catch (RuntimeException e) {
                LOG.warn("billing: subscription {} not moved past its {} attempt {} now ({}); the next run tries again",
                        attempt.subscriptionId(), outcome, attempt.paymentId(), e.getMessage());
                continue;
            }
            moved++;
            LOG.warn("billing: subscription {} was left behind its {} attempt {}; moved now", attempt.subscriptionId(),
                    outcome, attempt.paymentId());
        }
        return moved;
    }

    // ---- the due attempts ------------------------------------------------------------------------

    /** The attempts due at the run's asOf, read page by page as the split asks for them. */
    public Iterator<DueItem> dueItems(Exchange exchange) {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        boolean descending = Boolean.TRUE.equals(exchange.getProperty(ExchangeProperties.BILLING_DESCENDING, Boolean.class));
        return dueItems(run, descending);
    }

    Iterator<DueItem> dueItems(BillingRun run, boolean descending) {
        return new Iterator<>() {
            private List<SubscriptionStore.Due> page = List.of();
            private int next;
            private String after;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next < page.size()) {
                    return true;
                }
                if (done) {
                    return false;
                }
                page = subscriptions.duePage(run.asOf(), after, descending, PAGE);
                next = 0;
                done = page.size() < PAGE;
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).subscription().subscriptionId();
                }
                return !page.isEmpty();
            }

            @Override
            public DueItem next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                SubscriptionStore.Due due = page.get(next++);
                return DueItem.of(due.subscription(), due.claimedPeriodDate(), due.lastPeriodDate(), calendar);
            }
        };
    }

    // ---- per attempt ---------------------------------------------------------------------------

    /**
     * Body: a {@link DueItem}. Claims it for the run; out: its {@code PaymentCommand} (to dispatch),
     * or null when the attempt is not this run's to send (claimed by another run, waiting on an open
     * outcome, or the subscription moved on).
     */
    public Object claim(Exchange exchange) {
        DueItem item = exchange.getMessage().getBody(DueItem.class);
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        boolean mine = attempts.claim(item, run.runId(), node) || attempts.takeOver(item.paymentId(), run.runId(), node);
        if (!mine) {
            return null;
        }
        // charged with the terms its row was claimed with (copied by the claim, or by the claim a
        // takeover continues), never with a PATCH that came later
        item = item.withTerms(AttemptTerms.of(attempts.find(item.paymentId()), item.subscription()));
        exchange.setProperty(ExchangeProperties.BILLING_ITEM, item);
        return item.command();
    }

    /** Body: the dispatch route's {@link PaymentResult}. Applies it to the attempt and the subscription. */
    public void applyResult(Exchange exchange) {
        DueItem item = exchange.getProperty(ExchangeProperties.BILLING_ITEM, DueItem.class);
        PaymentResult result = exchange.getMessage().getBody(PaymentResult.class);
        DunningPolicy.Outcome outcome = dunning.classify(result.status(), result.vendor(), result.failure());
        meters.billingAttempt(outcome.name());
        dunning.apply(item.subscription(), item.ref(), outcome);
    }

    /**
     * The dispatch route answered with a problem instead of a result. 502/503: the vendor certainly did
     * not process the charge, so the attempt is given back and the next run sends the same attempt id:
     * whichever run holds its row by now (this run may have been declared stale and the attempt taken
     * over) and whatever open state it is in, as long as no payments row shows it in flight again.
     * The same when this node cannot send it at all (its vendor, or the vendor and method, not served
     * here): refused before anything was recorded, the customer's card never saw it, so it is no decline;
     * a node that serves the vendor charges it. The same when another send of the attempt id recorded it and
     * forgot it as not attempted while this one ran (409 changed concurrently). Anything else (409: the id was
     * used for another command)
     * is final for this attempt id and counts as a decline.
     */
    public void notSent(Exchange exchange) {
        DueItem item = exchange.getProperty(ExchangeProperties.BILLING_ITEM, DueItem.class);
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        ProblemException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, ProblemException.class);
        int status = e == null ? 503 : e.problem().status();
        // 409 changed concurrently: another send of this attempt id recorded it and forgot it as not attempted
        if (status >= 500 || paybridge.payments.ChargeService.CHANGED_CONCURRENTLY.equals(e.problem().type())) {
            attempts.release(item.paymentId());
            meters.billingAttempt("not_attempted");
            LOG.warn("billing run {}: paymentId={} not attempted ({}); sent again by the next run",
                    run.runId(), item.paymentId(), status);
        } else if (notServedHere(e)) {
            attempts.release(item.paymentId());
            meters.billingAttempt("not_attempted");
            LOG.warn("billing run {}: subscription {} not charged here: vendor {} not served on this node ({});"
                    + " paymentId={} left for a run on a node that serves it, no decline counted", run.runId(),
                    item.subscriptionId(), item.command().vendor(), e.problem().title(), item.paymentId());
        } else {
            LOG.warn("billing run {}: paymentId={} refused ({}: {}); counted as declined", run.runId(),
                    item.paymentId(), status, e == null ? "" : e.problem().title());
            meters.billingAttempt(DunningPolicy.Outcome.DECLINED.name());
            dunning.apply(item.subscription(), item.ref(), DunningPolicy.Outcome.DECLINED);
        }
    }

    /** The node's configuration refused the charge (vendor not enabled, no route for its method), not the vendor. */
    private static boolean notServedHere(ProblemException e) {
        return e instanceof UnsupportedCommandException || VENDOR_NOT_ENABLED.equals(e.problem().type());
    }

    /**
     * Anything else went wrong around the charge. If the attempt was recorded in {@code payments} it may
     * have reached the vendor: UNKNOWN, left to reconcile. Otherwise the claim is given back.
     */
    public void failedUnexpectedly(Exchange exchange) {
        DueItem item = exchange.getProperty(ExchangeProperties.BILLING_ITEM, DueItem.class);
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        meters.billingAttempt("error");
        LOG.error("billing run {}: paymentId={} failed: {}", run.runId(), item.paymentId(),
                e == null ? "?" : e.getClass().getSimpleName() + ": " + e.getMessage());
        try {
            if (payments.find(item.paymentId()).isPresent()) {
                attempts.markOpen(item.paymentId(), BillingAttemptState.UNKNOWN);
            } else {
                attempts.release(item.paymentId());
            }
        } catch (RuntimeException again) {
            LOG.error("billing run {}: paymentId={} left CLAIMED ({}); the next run settles it", run.runId(),
                    item.paymentId(), again.getMessage());
        }
    }

    // ---- finish --------------------------------------------------------------------------------

    /** Waits (bounded) for other nodes' charges of this run, then records its counts as COMPLETED. */
    public BillingRun finish(Exchange exchange) throws InterruptedException {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        long deadline = System.nanoTime() + inFlightWait.toNanos();
        while (!run.dryRun() && attempts.inFlight(run.runId()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return end(run, "COMPLETED");
    }

    /** The run broke (e.g. the database went away): FAILED with what it did. */
    public BillingRun abort(Exchange exchange) {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.error("billing run {} failed: {}", run.runId(), e == null ? "?" : e.getMessage());
        return end(run, "FAILED");
    }

    private BillingRun end(BillingRun run, String status) {
        ScheduledFuture<?> beat = heartbeats.remove(run.runId());
        if (beat != null) {
            beat.cancel(false);
        }
        working.remove(run.runId());
        try {
            BillingRun stored = runs.find(run.runId()).orElseThrow();
            BillingRun.Counts counts = counts(run.runId(), stored.counts().due());
            boolean ended = runs.finish(run.runId(), status, counts);
            BillingRun done = runs.find(run.runId()).orElseThrow();
            LOG.info("billing run {} {}: {}", run.runId(), done.status(), done.counts());
            // ended here, not FAILED meanwhile by a node that found it stale (and counted it there)
            if (ended && !done.dryRun()) {
                meters.billingRun(done.status()); // a dry run charges nothing: never a completed billing run
            }
            return done;
        } catch (RuntimeException e) {
            LOG.error("billing run {}: could not record its end ({}); a later run marks it FAILED", run.runId(),
                    e.getMessage());
            throw e;
        }
    }

    /** A run's counts from its attempts: what was decided, what is open, and the due attempts it did not send. */
    BillingRun.Counts counts(String runId, long due) {
        Map<BillingAttemptState, Long> byState = attempts.countsOf(runId);
        long paid = byState.getOrDefault(BillingAttemptState.PAID, 0L);
        long declined = byState.getOrDefault(BillingAttemptState.DECLINED, 0L)
                + byState.getOrDefault(BillingAttemptState.NOT_CHARGED, 0L);
        long pending = byState.getOrDefault(BillingAttemptState.PENDING, 0L)
                + byState.getOrDefault(BillingAttemptState.SENT, 0L);
        long unknown = byState.getOrDefault(BillingAttemptState.UNKNOWN, 0L);
        long skipped = Math.max(0, due - paid - declined - pending - unknown);
        return new BillingRun.Counts(due, paid, declined, pending, unknown, skipped);
    }

    // ---- joining a run started elsewhere --------------------------------------------------------

    /**
     * The run to help with: RUNNING and prepared by its node (the outcomes decided since earlier runs applied
     * first, so no share charges a period that was paid after all), not a dry run, not already worked on
     * here; else null.
     */
    public BillingRun joinable(Exchange exchange) {
        failStaleRuns();
        BillingRun run = runs.runningPrepared().orElse(null);
        if (run == null || run.dryRun() || !working.add(run.runId())) {
            return null;
        }
        exchange.setProperty(ExchangeProperties.BILLING_RUN, run);
        exchange.setProperty(ExchangeProperties.BILLING_DESCENDING, true);
        LOG.info("billing run {} (started by {}): joined by {}", run.runId(), run.node(), node);
        return run;
    }

    /** This node is done with a run it joined. */
    public void leave(Exchange exchange) {
        BillingRun run = exchange.getProperty(ExchangeProperties.BILLING_RUN, BillingRun.class);
        LOG.info("billing run {}: {} done with its share", run.runId(), node);
        // stays in `working` until the run ends, so this node does not join it twice
        scheduler.schedule(() -> working.remove(run.runId()), staleAfter.toMillis() * 4, TimeUnit.MILLISECONDS);
    }

    // ---- reading -------------------------------------------------------------------------------

    /** {@code GET /api/billing-runs/{runId}}: live counts while RUNNING. */
    public BillingRun find(String runId) {
        BillingRun run = runs.find(runId).orElseThrow(() -> ProblemException.of(404, "Billing run not found",
                "No billing run with runId " + runId));
        if (!run.dryRun()) {
            run = run.withHardDeclined(attempts.hardDeclines(runId, HARD_DECLINES_LISTED).stream()
                    .map(r -> new BillingRun.HardDecline((String) r.get("subscription_id"), (String) r.get("payment_id"),
                            (String) r.get("failure_code"))).toList());
        }
        if (run.running()) {
            BillingRun.Counts live = counts(runId, run.counts().due());
            return run.withCounts(new BillingRun.Counts(live.due(), live.paid(), live.declined(), live.pending(),
                    live.unknown(), 0));
        }
        return run;
    }

    /** Stops heartbeats (the context is stopping): an unfinished run goes stale and is FAILED later. */
    public void shutdown() {
        heartbeats.values().forEach(f -> f.cancel(false));
        heartbeats.clear();
    }
}
