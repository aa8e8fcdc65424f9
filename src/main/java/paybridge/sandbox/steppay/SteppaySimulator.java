package paybridge.sandbox.steppay;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.sandbox.SandboxSettings;
import paybridge.sandbox.VendorSimulator;
import paybridge.sandbox.TestAmounts;
import paybridge.sandbox.WebhookSender;
import paybridge.sandbox.steppay.SteppayPayment.Method;
import paybridge.sandbox.steppay.SteppayPayment.Status;

/**
 * Simulates Steppay's "비관리형 (Self) 결제" API, mounted at {@code /sandbox/steppay}:
 * <ul>
 *   <li>{@code POST /api/payment/billing} charges a billing key (the idKey of a COMPLETE
 *       {@code *_BILL} payment). Like the real vendor it has no idempotency: a repeated
 *       {@code partnerOrderId} charges again. The answer body is undocumented at the vendor, so
 *       {@link SandboxSettings#steppayBillingResponse()} chooses the receipt ({@code full}) or
 *       nothing ({@code empty}).</li>
 *   <li>{@code POST /api/internal/payment/cancel} refunds all or part of a payment; the header
 *       {@code Secret-Key} is accepted there too (the vendor's documents spell it so).</li>
 *   <li>{@code GET /api/payment/receipt/{idKey}} and {@code GET /api/v1/orders/{orderIdOrCode}}.</li>
 * </ul>
 * Every vendor call needs {@code Secret-Token}; every vendor answer is delayed by
 * {@link SandboxSettings#latency()}. The charge amount picks the outcome ({@link TestAmounts}).
 * Webhooks {@code {webHookType, orderId, idKey}} go to {@code <webhookBaseUrl>/steppay}.
 * <p>
 * Test hooks outside Steppay's API, without auth or latency: {@code GET /_stats},
 * {@code POST /_control/first-payment} (the customer's first payment in the browser SDK),
 * {@code POST /_control/deposit/{idKey}} (the customer pays into a virtual account),
 * {@code POST /_control/close-unpaid/{idKey}} (a virtual account closed before its deposit: CANCELED,
 * never paid),
 * {@code POST /_control/console-cancel/{idKey}} (a cancel in Steppay's console, {@code {"amount"}}
 * optional), {@code POST /_control/cancel-progress/{idKey}} and {@code /_control/cancel-complete/{idKey}}
 * (a cancel Steppay accepts and processes later: {@code CANCEL_PROGRESS} meanwhile), and
 * {@code POST /_control/cancel-history/{on|off}} (receipts with or without {@code cancelHistory}),
 * {@code POST /_control/cancel-answers/{hold|release}} (cancels applied and announced at once, their
 * answers held back until released), {@code POST /_control/receipts/{fail|ok}} (receipt lookups
 * answered 503 until ok again), {@code POST /_control/decline-key/{idKey}} ({@code {"errorCode",
 * "errorMessage"}}: every later billing charge on that key is declined with that error, as an issuer
 * refusing the card would be; no errorCode = charge it normally again).
 * Amount {@value #FORBIDDEN_DECLINE} (a charge or a cancel) is refused with a 403 business error.
 * <p>
 * <b>Seeded at start:</b> a COMPLETE {@code CARD_BILL} payment of 100 KRW with idKey
 * {@value #SEED_ID_KEY} (the vendor documentation's example), orderId 1, partnerOrderId
 * {@value #SEED_PARTNER_ORDER_ID}: a walkthrough can charge that billing key at once.
 */
public final class SteppaySimulator implements VendorSimulator {
    public static final String VENDOR = "steppay";
    public static final String SEED_ID_KEY = "16057932413479698c8vqQG0kMix9";
    public static final String SEED_PARTNER_ORDER_ID = "sandbox-first-payment";
    static final String SEED_PARTNER_USER_ID = "sandbox-user";
    static final long SEED_AMOUNT = 100;

    private static final Logger LOG = LoggerFactory.getLogger(SteppaySimulator.class);
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String JSON_UTF8 = "application/json; charset=utf-8";

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final WebhookSender webhooks;
    private final SteppayStore store = new SteppayStore();

    /**
     * A billing charge or a cancel of this amount is refused with HTTP 403 and a business errorCode
     * ({@code PAYMENT_NOT_ALLOWED} / {@code CANCEL_NOT_ALLOWED}): Steppay's error shape comes as 400 or
     * 403 (VENDORS.md); a 403 about the payment is a decline, not a credentials problem. Nothing changes.
     */
    public static final long FORBIDDEN_DECLINE = 4031;

    // receipts list cancelHistory unless a test turned it off (POST /_control/cancel-history/off)
    private volatile boolean cancelHistory = true;
    // receipts answer 503 while a test turned them off (POST /_control/receipts/fail): a lookup that fails
    private volatile boolean receiptsFail;
    // while held (POST /_control/cancel-answers/hold), a cancel is applied and announced at once but its
    // answer waits for /_control/cancel-answers/release: what the vendor's webhook does meanwhile is seen first
    private volatile boolean holdCancelAnswers;
    private final java.util.List<Runnable> heldCancelAnswers = new java.util.ArrayList<>();
    // idKey -> {errorCode, errorMessage} every billing charge on it is declined with (test control)
    private final java.util.Map<String, String[]> keyDeclines = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong charges = new AtomicLong();
    private final AtomicLong paid = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong billingCalls = new AtomicLong();
    // billing calls between arrival and answer, and the most there have been at once
    private static final String ANSWERED = "sandboxBillingAnswered";
    private final AtomicInteger billingInFlight = new AtomicInteger();
    private final AtomicInteger billingInFlightMax = new AtomicInteger();

    public SteppaySimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
        this.settings = settings;
        this.webhooks = webhooks;
        store.create(SEED_ID_KEY, SEED_PARTNER_ORDER_ID, SEED_PARTNER_USER_ID, "Sandbox first payment",
                Method.CARD_BILL, SEED_AMOUNT, Status.COMPLETE);
    }

    @Override
    public Router router() {
        Router router = Router.router(vertx);
        router.route("/api/*").handler(ctx -> {
            requests.incrementAndGet();
            ctx.next();
        });
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post("/api/payment/billing").handler(ctx -> {
            billingCalls.incrementAndGet();
            ctx.next();
        }).handler(auth(false)).handler(this::billing);
        router.post("/api/internal/payment/cancel").handler(auth(true)).handler(this::cancel);
        router.get("/api/payment/receipt/:idKey").handler(auth(false)).handler(this::receipt);
        router.get("/api/v1/orders/:orderIdOrCode").handler(auth(false)).handler(this::order);
        router.get("/_stats").handler(ctx -> write(ctx, 200, stats()));
        // every payment as its receipt (with cancelHistory): a chaos audit compares them with the ledger
        router.get("/_records").handler(ctx -> write(ctx, 200, new JsonObject().put("records", store.records())));
        router.post("/_control/first-payment").handler(this::firstPayment);
        router.post("/_control/deposit/:idKey").handler(this::deposit);
        router.post("/_control/close-unpaid/:idKey").handler(this::closeUnpaid);
        router.post("/_control/console-cancel/:idKey").handler(this::consoleCancel);
        router.post("/_control/cancel-progress/:idKey").handler(this::cancelProgress);
        router.post("/_control/cancel-complete/:idKey").handler(this::cancelComplete);
        router.post("/_control/cancel-history/:onOff").handler(this::cancelHistorySwitch);
        router.post("/_control/cancel-answers/:holdOrRelease").handler(this::cancelAnswers);
        router.post("/_control/receipts/:failOrOk").handler(this::receiptsSwitch);
        router.post("/_control/decline-key/:idKey").handler(this::declineKey);
        router.route().last().handler(ctx -> answer(ctx, 404, error("NOT_FOUND", "존재하지 않는 API 입니다.", null)));
        // A failure handler on the sub-router itself: a sub-router's errorHandler is not consulted
        // for failures raised inside it (the root router's is), so errors keep Steppay's shape here.
        router.route().failureHandler(this::failure);
        return router;
    }

    // ---- counters (also served as GET /_stats) ----

    /** Billing calls that created a payment: paid, hung, virtual account or FAILED. */
    public long charges() {
        return charges.get();
    }

    /** Payments that reached COMPLETE: billing charges, first payments and deposits (not the seed). */
    public long paid() {
        return paid.get();
    }

    /** Billing charges the issuer declined (stored as FAILED). */
    public long failed() {
        return failed.get();
    }

    /** Successful cancels, full or partial. */
    public long cancels() {
        return cancels.get();
    }

    /** The most billing calls that were open at once (arrived, not yet answered): the caller's concurrency. */
    public int billingInFlightMax() {
        return billingInFlightMax.get();
    }

    /** Every call to a Steppay API path, accepted or not. */
    public long requests() {
        return requests.get();
    }

    /**
     * Every billing call (a charge on an idKey), accepted or not: unlike {@link #requests}, no lookup or
     * cancel that a node's background work sends meanwhile is among them.
     */
    public long billingCalls() {
        return billingCalls.get();
    }

    public JsonObject stats() {
        return new JsonObject()
                .put("billingCalls", billingCalls())
                .put("charges", charges())
                .put("paid", paid())
                .put("failed", failed())
                .put("cancels", cancels())
                .put("requests", requests())
                .put("billingInFlightMax", billingInFlightMax());
    }

    // ---- Steppay API ----

    private void billing(RoutingContext ctx) {
        billingInFlightMax.accumulateAndGet(billingInFlight.incrementAndGet(), Math::max);
        // closed before the answer is written (the caller may send its next call the moment it reads
        // it, possibly to another event loop), or when the caller hung up; once either way
        AtomicBoolean open = new AtomicBoolean(true);
        Runnable answered = () -> {
            if (open.compareAndSet(true, false)) {
                billingInFlight.decrementAndGet();
            }
        };
        ctx.put(ANSWERED, answered);
        ctx.addEndHandler(done -> answered.run());
        JsonObject body = jsonObjectBody(ctx);
        if (body == null) {
            answer(ctx, 400, notAnObject());
            return;
        }
        JsonArray problems = new JsonArray();
        String idKey = requiredText(body, "idKey", "idKey", problems);
        JsonObject partner = optionalObject(body, "partner", problems);
        JsonObject product = optionalObject(body, "product", problems);
        optionalObject(body, "customer", problems);
        String partnerOrderId = requiredText(partner, "partnerOrderId", "partner.partnerOrderId", problems);
        String partnerUserId = optionalText(partner, "partnerUserId", "partner.partnerUserId", problems);
        String itemName = optionalText(product, "itemName", "product.itemName", problems);
        Long amount = product == null ? null : money(product.getValue("amount"));
        if (amount == null || amount <= 0) {
            problems.add(problem("product.amount", "0보다 큰 정수 금액이 필요합니다."));
        }
        for (String field : new String[] {"taxFreeAmount", "discount"}) {
            Object raw = body.getValue(field);
            Long value = money(raw);
            if (raw != null && (value == null || value < 0)) {
                problems.add(problem(field, "0 이상의 정수 금액이어야 합니다."));
            }
        }
        if (!problems.isEmpty()) {
            answer(ctx, 400, invalidRequest(problems));
            return;
        }
        SteppayPayment key = store.byIdKey(idKey);
        if (key == null || !key.isBillingKey()) {
            answer(ctx, 400, error("BILLING_KEY_NOT_FOUND", "빌링키를 찾을 수 없습니다.", null));
            return;
        }
        if (amount == TestAmounts.SERVER_ERROR) {
            // The vendor broke before charging anything: nothing stored, no webhook.
            answer(ctx, 500, error("INTERNAL_SERVER_ERROR", "서버 오류가 발생했습니다.", null));
            return;
        }
        if (amount == FORBIDDEN_DECLINE) {
            answer(ctx, 403, error("PAYMENT_NOT_ALLOWED", "결제가 허용되지 않는 빌링키입니다.", null));
            return;
        }
        String[] forced = keyDeclines.get(idKey);
        if (amount == TestAmounts.DECLINE || forced != null) {
            SteppayPayment payment = store.create(null, partnerOrderId, partnerUserId, itemName,
                    Method.CARD_BILL, amount, Status.FAILED);
            charges.incrementAndGet();
            failed.incrementAndGet();
            webhook("FAILED", payment);
            answer(ctx, 400, forced != null ? error(forced[0], forced[1], null)
                    : error("PAYMENT_FAILED", "카드 승인 거절: 잔액부족", null));
            return;
        }
        boolean virtualAccount = amount == TestAmounts.VIRTUAL_ACCOUNT;
        SteppayPayment payment = store.create(null, partnerOrderId, partnerUserId, itemName,
                virtualAccount ? Method.VBANK : Method.CARD_BILL, amount,
                virtualAccount ? Status.VIRTUAL_BANK_STANDBY : Status.COMPLETE);
        charges.incrementAndGet();
        if (!virtualAccount) {
            paid.incrementAndGet();
        }
        LOG.debug("Steppay sandbox charged orderId {} ({} KRW)", payment.orderId, amount);
        // The webhook leaves before the answer: with HANG the caller has given up by the time it
        // would arrive, yet the charge exists and is announced (the UNKNOWN outcome).
        webhook(virtualAccount ? "VBANK" : "PAYMENT", payment);
        JsonObject answer = "empty".equalsIgnoreCase(settings.steppayBillingResponse()) ? null : payment.receipt();
        Duration extra = amount == TestAmounts.HANG ? settings.hang() : Duration.ZERO;
        answer(ctx, 200, answer, extra);
    }

    private void cancel(RoutingContext ctx) {
        JsonObject body = jsonObjectBody(ctx);
        if (body == null) {
            answer(ctx, 400, notAnObject());
            return;
        }
        JsonArray problems = new JsonArray();
        String idKey = requiredText(body, "idKey", "idKey", problems);
        Long requestPrice = money(body.getValue("requestPrice"));
        if (requestPrice == null) {
            problems.add(problem("requestPrice", "정수 금액(숫자 또는 숫자 문자열)이 필요합니다."));
        }
        if (!problems.isEmpty()) {
            answer(ctx, 400, invalidRequest(problems));
            return;
        }
        SteppayPayment payment = store.byIdKey(idKey);
        if (payment == null) {
            answer(ctx, 404, paymentNotFound());
            return;
        }
        if (requestPrice == FORBIDDEN_DECLINE) {
            answer(ctx, 403, error("CANCEL_NOT_ALLOWED", "취소가 허용되지 않는 결제입니다.", null));
            return;
        }
        SteppayPayment.Cancel done;
        try {
            done = payment.cancel(requestPrice, store.newTid(), SteppayStore.now());
        } catch (SteppayPayment.CancelRefused refused) {
            answer(ctx, 400, error(refused.reason.name(), refused.getMessage(), null));
            return;
        }
        cancels.incrementAndGet();
        webhook("CANCELED", payment);
        String receiptUrl = "http://" + hostOf(ctx) + ctx.mountPoint() + "/api/payment/receipt/" + payment.idKey;
        JsonObject cancelled = new JsonObject()
                .put("result", "SUCCESS")
                .put("code", 200)
                .put("message", "취소 성공")
                .put("id", payment.orderId)
                .put("response", new JsonObject()
                        .put("tid", payment.tid)
                        .put("paymentReceiptUrl", receiptUrl)
                        .put("cancelPayment", new JsonObject()
                                .put("canceledAmount", done.canceledAmount())
                                .put("tid", done.tid())
                                .put("paymentStatus", done.status().name())
                                .put("canceledDate", done.canceledDate())));
        synchronized (heldCancelAnswers) {
            if (holdCancelAnswers) {
                heldCancelAnswers.add(() -> answer(ctx, 200, cancelled));
                return;
            }
        }
        answer(ctx, 200, cancelled);
    }

    /** {@code hold}: cancel answers wait; {@code release}: they are sent, and later ones at once again. */
    private void cancelAnswers(RoutingContext ctx) {
        String mode = ctx.pathParam("holdOrRelease");
        java.util.List<Runnable> release = new java.util.ArrayList<>();
        synchronized (heldCancelAnswers) {
            if ("hold".equals(mode)) {
                holdCancelAnswers = true;
            } else if ("release".equals(mode)) {
                holdCancelAnswers = false;
                release.addAll(heldCancelAnswers);
                heldCancelAnswers.clear();
            } else {
                write(ctx, 400, invalidRequest(new JsonArray().add(problem("mode", "hold 또는 release 이어야 합니다."))));
                return;
            }
        }
        release.forEach(Runnable::run);
        write(ctx, 200, new JsonObject().put("held", "hold".equals(mode)).put("released", release.size()));
    }

    private void receipt(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (receiptsFail) {
            answer(ctx, 503, error("SERVICE_UNAVAILABLE", "잠시 후 다시 시도해 주세요.", null));
        } else if (payment == null) {
            answer(ctx, 404, paymentNotFound());
        } else {
            answer(ctx, 200, payment.receipt(cancelHistory));
        }
    }

    private void order(RoutingContext ctx) {
        SteppayPayment payment = store.byOrderIdOrCode(ctx.pathParam("orderIdOrCode"));
        if (payment == null) {
            answer(ctx, 404, error("ORDER_NOT_FOUND", "주문을 찾을 수 없습니다.", null));
        } else {
            answer(ctx, 200, payment.order());
        }
    }

    // ---- test control (not Steppay's API) ----

    private void firstPayment(RoutingContext ctx) {
        JsonObject body = jsonObjectBody(ctx);
        if (body == null) {
            write(ctx, 400, notAnObject());
            return;
        }
        JsonArray problems = new JsonArray();
        String partnerOrderId = requiredText(body, "partnerOrderId", "partnerOrderId", problems);
        String partnerUserId = optionalText(body, "partnerUserId", "partnerUserId", problems);
        String itemName = optionalText(body, "itemName", "itemName", problems);
        // 0 KRW is allowed: Steppay issues billing keys on 0-won first payments too.
        Long amount = money(body.getValue("amount"));
        if (amount == null || amount < 0) {
            problems.add(problem("amount", "0 이상의 정수 금액이 필요합니다."));
        }
        String methodName = optionalText(body, "paymentMethod", "paymentMethod", problems);
        Method method = Method.CARD_BILL;
        if (methodName != null) {
            try {
                method = Method.valueOf(methodName);
            } catch (IllegalArgumentException e) {
                problems.add(problem("paymentMethod", "알 수 없는 결제수단입니다."));
            }
        }
        String outcome = optionalText(body, "outcome", "outcome", problems);
        boolean abandoned = "USER_CANCELED".equals(outcome);
        if (outcome != null && !abandoned && !"COMPLETE".equals(outcome) && !"PAYMENT".equals(outcome)) {
            problems.add(problem("outcome", "COMPLETE 또는 USER_CANCELED 이어야 합니다."));
        }
        if (!problems.isEmpty()) {
            write(ctx, 400, invalidRequest(problems));
            return;
        }
        SteppayPayment payment = store.create(null, partnerOrderId, partnerUserId, itemName, method, amount,
                abandoned ? Status.USER_CANCELED : Status.COMPLETE);
        if (!abandoned) {
            paid.incrementAndGet();
        }
        webhook(abandoned ? "USER_CANCELED" : "PAYMENT", payment);
        write(ctx, 200, payment.receipt());
    }

    /**
     * A cancel made in Steppay's console (not through the API): applied at once and announced by the
     * CANCELED webhook. Body optional: {@code {"amount": n}}, default all that remains.
     */
    private void consoleCancel(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (payment == null) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        Long amount = controlAmount(ctx, payment);
        if (amount == null) {
            write(ctx, 400, invalidRequest(new JsonArray().add(problem("amount", "정수 금액이 필요합니다."))));
            return;
        }
        try {
            payment.cancel(amount, store.newTid(), SteppayStore.now());
        } catch (SteppayPayment.CancelRefused refused) {
            write(ctx, 400, error(refused.reason.name(), refused.getMessage(), null));
            return;
        }
        cancels.incrementAndGet();
        webhook("CANCELED", payment);
        write(ctx, 200, payment.receipt(cancelHistory));
    }

    /**
     * A cancel Steppay accepted but processes later (a virtual-account refund settles the next business
     * day): the receipt shows {@code CANCEL_PROGRESS} and nothing returned yet, until
     * {@code /_control/cancel-complete/{idKey}}. Body optional: {@code {"amount": n}}.
     */
    private void cancelProgress(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (payment == null) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        Long amount = controlAmount(ctx, payment);
        if (amount == null) {
            write(ctx, 400, invalidRequest(new JsonArray().add(problem("amount", "정수 금액이 필요합니다."))));
            return;
        }
        try {
            payment.startCancel(amount);
        } catch (SteppayPayment.CancelRefused refused) {
            write(ctx, 400, error(refused.reason.name(), refused.getMessage(), null));
            return;
        }
        write(ctx, 200, payment.receipt(cancelHistory));
    }

    /** Finishes the cancel in progress: returned, in the history, announced by the CANCELED webhook. */
    private void cancelComplete(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (payment == null) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        if (payment.completeCancel(store.newTid(), SteppayStore.now()) == null) {
            write(ctx, 400, error("NO_CANCEL_IN_PROGRESS", "진행 중인 취소가 없습니다.", null));
            return;
        }
        cancels.incrementAndGet();
        webhook("CANCELED", payment);
        write(ctx, 200, payment.receipt(cancelHistory));
    }

    /** {@code on} (default) or {@code off}: whether receipts carry {@code cancelHistory}. */
    private void cancelHistorySwitch(RoutingContext ctx) {
        String onOff = ctx.pathParam("onOff");
        if (!"on".equals(onOff) && !"off".equals(onOff)) {
            write(ctx, 400, invalidRequest(new JsonArray().add(problem("onOff", "on 또는 off 이어야 합니다."))));
            return;
        }
        cancelHistory = "on".equals(onOff);
        write(ctx, 200, new JsonObject().put("cancelHistory", cancelHistory));
    }

    private void receiptsSwitch(RoutingContext ctx) {
        String mode = ctx.pathParam("failOrOk");
        if (!"fail".equals(mode) && !"ok".equals(mode)) {
            write(ctx, 400, invalidRequest(new JsonArray().add(problem("mode", "fail 또는 ok 이어야 합니다."))));
            return;
        }
        receiptsFail = "fail".equals(mode);
        write(ctx, 200, new JsonObject().put("receiptsFail", receiptsFail));
    }

    /** {@code /_control/decline-key/{idKey}}: declines every later billing charge on the key (or no longer). */
    private void declineKey(RoutingContext ctx) {
        String idKey = ctx.pathParam("idKey");
        SteppayPayment key = store.byIdKey(idKey);
        if (key == null || !key.isBillingKey()) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        JsonObject body = jsonObjectBody(ctx);
        String code = body == null ? null : body.getString("errorCode");
        if (code == null || code.isBlank()) {
            keyDeclines.remove(idKey);
        } else {
            keyDeclines.put(idKey, new String[] {code, body.getString("errorMessage", "카드 승인 거절")});
        }
        write(ctx, 200, new JsonObject().put("idKey", idKey).put("errorCode", code));
    }

    /** The optional {@code amount} of a control call; all that remains when absent, null when invalid. */
    private static Long controlAmount(RoutingContext ctx, SteppayPayment payment) {
        JsonObject body = jsonObjectBody(ctx);
        if (body == null || body.getValue("amount") == null) {
            JsonObject receipt = payment.receipt();
            return receipt.getLong("amount") - receipt.getLong("canceledAmount");
        }
        return money(body.getValue("amount"));
    }

    private void deposit(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (payment == null) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        if (!payment.deposit(SteppayStore.now())) {
            write(ctx, 400, error("NOT_VIRTUAL_BANK_STANDBY", "입금 대기 중인 가상계좌 결제가 아닙니다.", null));
            return;
        }
        paid.incrementAndGet();
        webhook("PAYMENT", payment);
        write(ctx, 200, payment.receipt());
    }

    private void closeUnpaid(RoutingContext ctx) {
        SteppayPayment payment = store.byIdKey(ctx.pathParam("idKey"));
        if (payment == null) {
            write(ctx, 404, paymentNotFound());
            return;
        }
        if (!payment.closeUnpaid()) {
            write(ctx, 400, error("NOT_VIRTUAL_BANK_STANDBY", "입금 대기 중인 가상계좌 결제가 아닙니다.", null));
            return;
        }
        webhook("CANCELED", payment);
        write(ctx, 200, payment.receipt());
    }

    // ---- helpers ----

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode() == -1 ? 500 : ctx.statusCode();
        if (status == 413) {
            answer(ctx, 413, error("PAYLOAD_TOO_LARGE", "요청 본문이 너무 큽니다.", null));
        } else if (status >= 400 && status < 500) {
            answer(ctx, status, error("INVALID_REQUEST", "요청을 처리할 수 없습니다.", null));
        } else {
            LOG.warn("Steppay simulator failed on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            answer(ctx, 500, error("INTERNAL_SERVER_ERROR", "서버 오류가 발생했습니다.", null));
        }
    }

    /** Accepts {@code Secret-Token}, and on the cancel endpoint also {@code Secret-Key}. */
    private Handler<RoutingContext> auth(boolean acceptSecretKey) {
        return ctx -> {
            if (tokenMatches(ctx.request().getHeader("Secret-Token"))
                    || (acceptSecretKey && tokenMatches(ctx.request().getHeader("Secret-Key")))) {
                ctx.next();
            } else {
                answer(ctx, 403, error("INVALID_SECRET_TOKEN", "유효하지 않은 Secret Token 입니다.", null));
            }
        };
    }

    private boolean tokenMatches(String presented) {
        String expected = settings.steppaySecretToken();
        return presented != null && expected != null
                && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private void webhook(String type, SteppayPayment payment) {
        String base = settings.webhookBaseUrl();
        if (base == null || base.isBlank()) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("webHookType", type);
        fields.put("orderId", payment.orderId);
        fields.put("idKey", payment.idKey);
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/steppay";
        webhooks.send(url, settings.steppayWebhookContentType(), fields);
    }

    /**
     * Whole KRW from a JSON integer or a string of digits (the vendor's documents quote amounts
     * as strings); null for anything else, including fractions and exponents.
     */
    static Long money(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.bitLength() < 64 ? big.longValue() : null;
        }
        if (value instanceof String text && text.matches("-?\\d{1,18}")) {
            return Long.parseLong(text);
        }
        return null;
    }

    /** Steppay's answer to a body that is not a JSON object. */
    private JsonObject notAnObject() {
        return invalidRequest(new JsonArray().add(problem("body", "JSON 객체가 필요합니다.")));
    }

    private static JsonObject jsonObjectBody(RoutingContext ctx) {
        Buffer buffer = ctx.body().buffer();
        if (buffer == null || buffer.length() == 0) {
            return null;
        }
        try {
            return Json.decodeValue(buffer) instanceof JsonObject object ? object : null;
        } catch (DecodeException e) {
            return null;
        }
    }

    private static String requiredText(JsonObject parent, String key, String field, JsonArray problems) {
        Object value = parent == null ? null : parent.getValue(key);
        if (value instanceof String text && !text.isBlank()) {
            return text;
        }
        problems.add(problem(field, "필수 문자열 값입니다."));
        return null;
    }

    private static String optionalText(JsonObject parent, String key, String field, JsonArray problems) {
        Object value = parent == null ? null : parent.getValue(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        problems.add(problem(field, "문자열이어야 합니다."));
        return null;
    }

    private static JsonObject optionalObject(JsonObject parent, String key, JsonArray problems) {
        Object value = parent.getValue(key);
        if (value == null || value instanceof JsonObject) {
            return (JsonObject) value;
        }
        problems.add(problem(key, "JSON 객체여야 합니다."));
        return null;
    }

    private static JsonObject problem(String field, String message) {
        return new JsonObject().put("field", field).put("message", message);
    }

    private JsonObject invalidRequest(JsonArray problems) {
        return error("INVALID_REQUEST", "요청 값이 올바르지 않습니다.", problems);
    }

    private JsonObject paymentNotFound() {
        return error("PAYMENT_NOT_FOUND", "결제 정보를 찾을 수 없습니다.", null);
    }

    /** Steppay's error shape. */
    private JsonObject error(String code, String message, Object details) {
        return new JsonObject()
                .put("traceId", store.traceId())
                .put("errorCode", code)
                .put("errorMessage", message)
                .put("details", details);
    }

    private static String hostOf(RoutingContext ctx) {
        String host = ctx.request().getHeader("Host");
        return host == null || host.isBlank() ? "127.0.0.1" : host;
    }

    /** A vendor API answer: delayed by the configured latency, never blocking the event loop. */
    private void answer(RoutingContext ctx, int status, JsonObject body) {
        answer(ctx, status, body, Duration.ZERO);
    }

    private void answer(RoutingContext ctx, int status, JsonObject body, Duration extraDelay) {
        long delay = settings.latency().toMillis() + extraDelay.toMillis();
        if (delay <= 0) {
            write(ctx, status, body);
        } else {
            vertx.setTimer(delay, id -> write(ctx, status, body));
        }
    }

    /** Writes now; a null body is an empty answer. The caller may have hung up meanwhile. */
    private static void write(RoutingContext ctx, int status, JsonObject body) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        Runnable answered = ctx.get(ANSWERED);
        if (answered != null) {
            answered.run();
        }
        response.setStatusCode(status);
        if (body == null) {
            response.end();
        } else {
            response.putHeader("Content-Type", JSON_UTF8).end(body.toBuffer());
        }
    }
}
