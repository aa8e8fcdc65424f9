package paybridge.sandbox.iamport;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.sandbox.SandboxSettings;
import paybridge.sandbox.VendorSimulator;
import paybridge.sandbox.TestAmounts;
import paybridge.sandbox.WebhookSender;

/**
 * A PortOne v1 ("iamport") simulator: tokens, key-in charges through Settlebank with billing keys,
 * lookups, cancels and the webhooks the vendor sends (VENDORS.md, iamport section). The charge
 * amount decides the outcome ({@link TestAmounts}). Handlers never block: latency and hangs are
 * timers, state is in concurrent maps and small synchronized sections.
 * <p>
 * Test control, not part of iamport and without auth: {@code GET /_stats},
 * {@code POST /_control/deposit/{imp_uid}}, {@code POST /_control/console-cancel/{imp_uid}},
 * {@code POST /_control/close-unpaid/{imp_uid}} (a virtual account closed before its deposit),
 * {@code POST /_control/expire-tokens}, {@code POST /_control/expire-card/{customer_uid}} (the stored card
 * has expired since: every later {@code again} on it is declined {@value #EXPIRED_CARD}),
 * {@code POST /_control/decline-key/{customer_uid}} ({@code {"fail_reason": "..."}}: every later
 * {@code again} on it is declined with that reason; no reason = charge it normally again). A new card
 * stored under the customer_uid (a onetime) clears either.
 */
public final class IamportSimulator implements VendorSimulator {
    public static final String VENDOR = "iamport";
    private static final Logger LOG = LoggerFactory.getLogger(IamportSimulator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BODY_LIMIT = 1024 * 1024;

    private static final Pattern CARD_NUMBER = Pattern.compile("\\d{4}-\\d{4}-\\d{4}-\\d{4}|\\d{14,16}");
    private static final Pattern EXPIRY = Pattern.compile("\\d{4}-(0[1-9]|1[0-2])");
    private static final Pattern BIRTH = Pattern.compile("\\d{6}|\\d{10}");
    private static final Pattern PWD_2DIGIT = Pattern.compile("\\d{2}");
    private static final Set<String> STATUSES = Set.of(IamportPayment.READY, IamportPayment.PAID,
            IamportPayment.FAILED, IamportPayment.CANCELLED);

    static final String DUPLICATE = "중복 결제 방지: 이미 사용된 merchant_uid입니다. (duplicate transaction protection)";
    static final String ONETIME_DECLINE = "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림";
    static final String AGAIN_DECLINE = "[4004] 잔액부족";
    static final String UNKNOWN_CUSTOMER = "등록되지 않은 구매자입니다.";
    /** A stored card whose expiry has passed, as PGs behind iamport word it (F113 with 유효기간오류, seen in integrations). */
    static final String EXPIRED_CARD = "[F113]거래거절 유효기간오류";
    static final String NOT_FOUND = "존재하지 않는 결제정보입니다.";

    /** Counters for tests and benchmarks: what the vendor saw, not what paybridge believes. */
    public record Stats(long charges, long paid, long failed, long cancels, long tokensIssued, long requests) {
    }

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final WebhookSender webhooks;
    private final IamportStore store = new IamportStore();
    private final IamportTokens tokens;
    // customer_uid -> the fail_reason every `again` on it is declined with (test control)
    private final Map<String, String> keyDeclines = new java.util.concurrent.ConcurrentHashMap<>();

    private final AtomicLong charges = new AtomicLong();
    private final AtomicLong paid = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    public IamportSimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
        this.settings = settings;
        this.webhooks = webhooks;
        this.tokens = new IamportTokens(settings.iamportTokenTtl());
    }

    @Override
    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));

        // test control first: no auth, and not counted as vendor requests
        router.get("/_stats").handler(ctx -> reply(ctx, 200, 0, null, statsJson()));
        // every payment as the vendor keeps it (a chaos audit compares them with paybridge's ledger)
        router.get("/_records").handler(ctx -> reply(ctx, 200, 0, null, store.records()));
        router.post("/_control/deposit/:imp_uid").handler(this::controlDeposit);
        router.post("/_control/console-cancel/:imp_uid").handler(this::controlConsoleCancel);
        router.post("/_control/close-unpaid/:imp_uid").handler(this::controlCloseUnpaid);
        router.post("/_control/expire-card/:customer_uid").handler(ctx -> controlDeclineKey(ctx, EXPIRED_CARD));
        router.post("/_control/decline-key/:customer_uid").handler(ctx -> {
            io.vertx.core.json.JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? null
                    : ctx.body().asJsonObject();
            controlDeclineKey(ctx, body == null ? null : body.getString("fail_reason"));
        });
        router.post("/_control/expire-tokens").handler(ctx -> {
            tokens.expireAll();
            reply(ctx, 200, 0, null, null);
        });

        router.route().handler(ctx -> {
            requests.incrementAndGet();
            ctx.next();
        });
        router.post("/users/getToken").handler(this::getToken);
        router.route().handler(this::authenticate);
        router.post("/subscribe/payments/onetime").handler(this::onetime);
        router.post("/subscribe/payments/again").handler(this::again);
        router.post("/payments/cancel").handler(this::cancel);
        router.get("/payments/find/:merchant_uid").handler(this::find);
        router.get("/payments/find/:merchant_uid/:status").handler(this::find);
        router.get("/payments/:imp_uid").handler(this::payment);
        router.route().last().handler(ctx -> reply(ctx, 404, -1, "Not Found", null));
        router.route().failureHandler(this::failure);
        return router;
    }

    public Stats stats() {
        return new Stats(charges.get(), paid.get(), failed.get(), cancels.get(), tokens.issuedCount(), requests.get());
    }

    // ---- auth

    private void getToken(RoutingContext ctx) {
        IamportParams params = IamportParams.parse(ctx);
        String key = params.string("imp_key");
        String secret = params.string("imp_secret");
        if (!settings.iamportApiKey().equals(key) || !settings.iamportApiSecret().equals(secret)) {
            reply(ctx, 401, -1, "imp_key 또는 imp_secret이 올바르지 않습니다. (invalid imp_key/imp_secret)", null);
            return;
        }
        long nowMs = System.currentTimeMillis();
        IamportTokens.Token token = tokens.issue(nowMs);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", token.value());
        response.put("now", nowMs / 1000);
        response.put("expired_at", token.expiresAtMs() / 1000);
        reply(ctx, 200, 0, null, response);
    }

    /** Bearer token, or the raw token alone, as iamport accepts both. */
    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        String token = header == null ? null : header.trim();
        if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        if (!tokens.valid(token, System.currentTimeMillis())) {
            reply(ctx, 401, -1, "Unauthorized", null);
            return;
        }
        ctx.next();
    }

    // ---- charges

    /** What a charge needs, whichever endpoint it came through. */
    private record Charge(String merchantUid, long amount, IamportCard card, String customerUid, String name,
                          String buyerName, String buyerEmail, String buyerTel, String noticeUrl, String declineReason) {
    }

    private void onetime(RoutingContext ctx) {
        IamportParams p = IamportParams.parse(ctx);
        String merchantUid = p.string("merchant_uid", true, 40);
        long amount = positiveAmount(p);
        String cardNumber = p.matching("card_number", true, CARD_NUMBER);
        p.matching("expiry", true, EXPIRY);
        p.matching("birth", false, BIRTH);
        p.matching("pwd_2digit", false, PWD_2DIGIT);
        String customerUid = p.string("customer_uid", false, 80);
        p.string("pg", false, 100);
        Charge charge = new Charge(merchantUid, amount, IamportCard.of(cardNumber), customerUid,
                p.string("name", false, 200), p.string("buyer_name", false, 200),
                p.string("buyer_email", false, 200), p.string("buyer_tel", false, 50), p.url("notice_url"), null);
        charge(ctx, charge, true);
    }

    private void again(RoutingContext ctx) {
        IamportParams p = IamportParams.parse(ctx);
        String customerUid = p.string("customer_uid", true, 80);
        String merchantUid = p.string("merchant_uid", true, 40);
        long amount = positiveAmount(p);
        String name = p.string("name", true, 200);
        String buyerName = p.string("buyer_name", false, 200);
        String buyerEmail = p.string("buyer_email", false, 200);
        String buyerTel = p.string("buyer_tel", false, 50);
        String noticeUrl = p.url("notice_url");
        if (amount == TestAmounts.SERVER_ERROR) {
            serverError(ctx);
            return;
        }
        IamportCustomer customer = store.customer(customerUid);
        if (customer == null) {
            reply(ctx, 200, -1, UNKNOWN_CUSTOMER, null);
            return;
        }
        charge(ctx, new Charge(merchantUid, amount, customer.card(), customerUid, name, buyerName, buyerEmail,
                buyerTel, noticeUrl, keyDeclines.get(customerUid)), false);
    }

    private static long positiveAmount(IamportParams p) {
        long amount = p.amount("amount", true);
        if (amount <= 0) {
            throw IamportBadRequest.invalid("amount");
        }
        return amount;
    }

    /**
     * Settles a charge by its amount, stores it unless the merchant_uid was used before, stores the
     * billing key of a successful onetime, sends the webhook of a paid/ready one, and answers.
     */
    private void charge(RoutingContext ctx, Charge c, boolean onetime) {
        if (c.amount() == TestAmounts.SERVER_ERROR) {
            serverError(ctx); // the vendor broke before charging: nothing stored
            return;
        }
        long now = nowSeconds();
        boolean vbank = c.amount() == TestAmounts.VIRTUAL_ACCOUNT;
        boolean declined = c.amount() == TestAmounts.DECLINE || c.declineReason() != null;
        vbank = vbank && !declined;
        IamportPayment payment = new IamportPayment(store.newImpUid(), c.merchantUid(), c.amount(),
                store.newPgTid(now), c.customerUid(), c.noticeUrl(), c.card(), c.name(), c.buyerName(),
                c.buyerEmail(), c.buyerTel(), now, vbank ? newVbank(now) : null);
        payment.settle(!declined, IamportStore.newApplyNum(), c.declineReason() != null ? c.declineReason()
                : onetime ? ONETIME_DECLINE : AGAIN_DECLINE, now);
        if (!store.publish(payment)) { // the one atomic guard: a merchant_uid is never charged twice
            reply(ctx, 200, -1, DUPLICATE, null);
            return;
        }
        charges.incrementAndGet();
        if (declined) {
            failed.incrementAndGet();
        } else if (!vbank) {
            paid.incrementAndGet();
        }
        if (onetime && !declined && c.customerUid() != null) {
            // a card the PG accepted becomes the customer's billing key; a second onetime replaces it
            store.saveCustomer(new IamportCustomer(c.customerUid(), c.card(), now));
            keyDeclines.remove(c.customerUid()); // another card now: what declined the old one is gone
        }
        if (!declined) {
            notify(payment, payment.status(), null);
        }
        LOG.debug("iamport sandbox charge {} {} -> {}", c.merchantUid(), c.amount(), payment.status());
        Duration extra = c.amount() == TestAmounts.HANG ? settings.hang() : Duration.ZERO;
        if (declined && onetime) {
            reply(ctx, 200, -1, ONETIME_DECLINE, null, extra);
        } else {
            reply(ctx, 200, 0, null, payment.toJson(), extra);
        }
    }

    private static IamportPayment.Vbank newVbank(long now) {
        String num = String.format("5620%010d", ThreadLocalRandom.current().nextLong(10_000_000_000L));
        return new IamportPayment.Vbank(num, "081", "하나은행", "페이브릿지(샌드박스)", now + Duration.ofDays(3).toSeconds(), now);
    }

    // ---- lookups

    private void payment(RoutingContext ctx) {
        IamportPayment payment = store.byImpUid(ctx.pathParam("imp_uid"));
        if (payment == null) {
            reply(ctx, 404, -1, NOT_FOUND, null);
            return;
        }
        reply(ctx, 200, 0, null, payment.toJson());
    }

    private void find(RoutingContext ctx) {
        String status = ctx.pathParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw IamportBadRequest.invalid("status");
        }
        IamportPayment payment = store.byMerchantUid(ctx.pathParam("merchant_uid"));
        Map<String, Object> json = payment == null ? null : payment.toJson();
        if (json == null || (status != null && !status.equals(json.get("status")))) {
            reply(ctx, 404, -1, NOT_FOUND, null);
            return;
        }
        reply(ctx, 200, 0, null, json);
    }

    // ---- cancels

    private void cancel(RoutingContext ctx) {
        IamportParams p = IamportParams.parse(ctx);
        String impUid = p.string("imp_uid", false, 100);
        String merchantUid = p.string("merchant_uid", false, 100);
        Long amount = p.amount("amount", false);
        Long checksum = p.amount("checksum", false);
        String reason = p.string("reason", false, 1000);
        boolean enableWebhook = p.bool("enable_webhook", false);
        if (impUid == null && merchantUid == null) {
            throw IamportBadRequest.missing("imp_uid");
        }
        IamportPayment payment = impUid != null ? store.byImpUid(impUid) : store.byMerchantUid(merchantUid);
        // a cancel made through the API sends no webhook unless asked to
        cancel(ctx, payment, amount, checksum, reason, enableWebhook);
    }

    private void cancel(RoutingContext ctx, IamportPayment payment, Long amount, Long checksum, String reason,
                        boolean webhook) {
        if (payment == null) {
            reply(ctx, 404, -1, NOT_FOUND, null);
            return;
        }
        IamportPayment.CancelOutcome outcome = payment.cancel(amount, checksum, reason, nowSeconds(),
                store::newCancellationId);
        if (outcome.error() != null) {
            reply(ctx, 200, 1, outcome.error(), null);
            return;
        }
        cancels.incrementAndGet();
        if (webhook) {
            notify(payment, IamportPayment.CANCELLED, outcome.cancellationId());
        }
        // a HANG payment's cancel is applied at once but answered late: the lost refund answer (UNKNOWN)
        reply(ctx, 200, 0, null, outcome.payment(),
                payment.amount == TestAmounts.HANG ? settings.hang() : Duration.ZERO);
    }

    // ---- test control

    /** Every later {@code again} on the stored card is declined with {@code reason} (null: no longer). */
    private void controlDeclineKey(RoutingContext ctx, String reason) {
        String customerUid = ctx.pathParam("customer_uid");
        if (store.customer(customerUid) == null) {
            reply(ctx, 404, -1, UNKNOWN_CUSTOMER, null);
            return;
        }
        if (reason == null || reason.isBlank()) {
            keyDeclines.remove(customerUid);
        } else {
            keyDeclines.put(customerUid, reason);
        }
        reply(ctx, 200, 0, null, Map.of("customer_uid", customerUid, "fail_reason", reason == null ? "" : reason));
    }

    private void controlDeposit(RoutingContext ctx) {
        IamportPayment payment = store.byImpUid(ctx.pathParam("imp_uid"));
        if (payment == null) {
            reply(ctx, 404, -1, NOT_FOUND, null);
            return;
        }
        if (!payment.deposit(IamportStore.newApplyNum(), nowSeconds())) {
            reply(ctx, 200, 1, "입금대기(ready) 상태가 아닙니다. (status: " + payment.status() + ")", null);
            return;
        }
        paid.incrementAndGet();
        notify(payment, IamportPayment.PAID, null);
        reply(ctx, 200, 0, null, payment.toJson());
    }

    /** A virtual account closed in the admin console before its deposit: cancelled unpaid, announced by its webhook. */
    private void controlCloseUnpaid(RoutingContext ctx) {
        IamportPayment payment = store.byImpUid(ctx.pathParam("imp_uid"));
        if (payment == null) {
            reply(ctx, 404, -1, NOT_FOUND, null);
            return;
        }
        if (!payment.closeUnpaid(nowSeconds())) {
            reply(ctx, 200, 1, "입금대기(ready) 상태가 아닙니다. (status: " + payment.status() + ")", null);
            return;
        }
        notify(payment, IamportPayment.CANCELLED, null);
        reply(ctx, 200, 0, null, payment.toJson());
    }

    /** A cancel made in the admin console: no checksum, and the webhook is always sent. */
    private void controlConsoleCancel(RoutingContext ctx) {
        Long amount = IamportParams.parse(ctx).amount("amount", false);
        cancel(ctx, store.byImpUid(ctx.pathParam("imp_uid")), amount, null, "관리자 콘솔 취소", true);
    }

    private Map<String, Object> statsJson() {
        Stats s = stats();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("charges", s.charges());
        json.put("paid", s.paid());
        json.put("failed", s.failed());
        json.put("cancels", s.cancels());
        json.put("tokensIssued", s.tokensIssued());
        json.put("requests", s.requests());
        return json;
    }

    // ---- plumbing

    /** The webhook iamport would send: to the payment's notice_url, else paybridge's iamport endpoint. */
    private void notify(IamportPayment payment, String status, String cancellationId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("imp_uid", payment.impUid);
        body.put("merchant_uid", payment.merchantUid);
        body.put("status", status);
        if (cancellationId != null) {
            body.put("cancellation_id", cancellationId);
        }
        String base = settings.webhookBaseUrl();
        if (payment.noticeUrl == null && (base == null || base.isBlank())) {
            return; // no notification URL set in the "console"
        }
        String url = payment.noticeUrl != null ? payment.noticeUrl : base + "/iamport";
        webhooks.send(url, settings.iamportWebhookContentType(), body);
    }

    private void failure(RoutingContext ctx) {
        if (ctx.failure() instanceof IamportBadRequest bad) {
            reply(ctx, 400, -1, bad.getMessage(), null);
            return;
        }
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (status >= 500) {
            LOG.warn("iamport sandbox failed on {}", ctx.normalizedPath(), ctx.failure());
        }
        String message = status == 413 ? "Request Entity Too Large" : status >= 500 ? "Internal Server Error" : "Bad Request";
        reply(ctx, status, -1, message, null);
    }

    private void serverError(RoutingContext ctx) {
        reply(ctx, 500, -1, "Internal Server Error", null);
    }

    private void reply(RoutingContext ctx, int httpStatus, int code, String message, Object response) {
        reply(ctx, httpStatus, code, message, response, Duration.ZERO);
    }

    /** Writes the envelope after the configured latency (plus {@code extra}), on a timer, never blocking. */
    private void reply(RoutingContext ctx, int httpStatus, int code, String message, Object response, Duration extra) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("code", code);
        envelope.put("message", message);
        envelope.put("response", response);
        String body;
        try {
            body = JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long delayMs = settings.latency().plus(extra).toMillis();
        if (delayMs <= 0) {
            write(ctx, httpStatus, body);
        } else {
            vertx.setTimer(delayMs, id -> write(ctx, httpStatus, body));
        }
    }

    private static void write(RoutingContext ctx, int httpStatus, String body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // the caller gave up (e.g. timed out on a HANG charge)
        }
        ctx.response()
                .setStatusCode(httpStatus)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body);
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
