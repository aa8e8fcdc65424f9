package paybridge.sandbox.toss;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
import paybridge.sandbox.TestAmounts;
import paybridge.sandbox.VendorSimulator;
import paybridge.sandbox.WebhookSender;

/**
 * Simulates Toss Payments' API (TOSS.md), mounted at {@code /sandbox/toss}:
 * <ul>
 *   <li>{@code POST /v1/billing/authorizations/issue} issues a billing key from an {@code authKey}
 *       this simulator handed out ({@code POST /_control/auth-key}, the billing window's success
 *       redirect); an authKey issues once, and only for its customerKey;</li>
 *   <li>{@code POST /v1/billing/{billingKey}} charges it: the key's {@code customerKey} must match
 *       ({@code NOT_MATCHES_CUSTOMER_KEY}), an orderId is used once ({@code DUPLICATED_ORDER_ID}),
 *       declines are 4xx with Toss's codes;</li>
 *   <li>{@code POST /v1/payments/{paymentKey}/cancel} with {@code cancelAmount}, partial or full, each
 *       a {@code cancels[]} entry with its {@code transactionKey};</li>
 *   <li>{@code GET /v1/payments/{paymentKey}} and {@code GET /v1/payments/orders/{orderId}}.</li>
 * </ul>
 * Every POST honours {@code Idempotency-Key}: the same key on the same path answers the first answer
 * again instead of doing the work again (a 5xx answer is not kept: nothing was done). Every call
 * needs {@code Authorization: Basic base64("<secret key>:")} with {@value #SECRET_KEY}. The charge
 * amount picks the outcome ({@link TestAmounts}; {@value #HARD_DECLINE}: a HARD decline,
 * {@code INVALID_STOPPED_CARD}). Webhooks {@code {eventType, createdAt, data}} go to
 * {@code <webhookBaseUrl>/toss}.
 * <p>
 * Test hooks outside Toss's API, without auth or latency: {@code GET /_stats}, {@code GET /_records},
 * {@code POST /_control/auth-key} ({@code {"customerKey"}}: an authKey as the billing window hands
 * one out), {@code POST /_control/deposit/{paymentKey}} (a virtual account is paid),
 * {@code POST /_control/payment} ({@code {"orderId", "amount", "orderName"}}: a payment made in Toss's
 * own checkout, announced by its webhook), {@code POST /_control/decline-key/{billingKey}}
 * ({@code {"code", "message"}}: every later charge on the key is declined with it; no code = normal).
 * <p>
 * Test hooks for what Toss does rarely, each on one payment or authKey so tests do not disturb each other:
 * <ul>
 *   <li>{@code POST /_control/cancel-fault/{paymentKey}} {@code {"next", "newestFirst", "webhooks"}}:
 *       {@code next} shapes the payment's next cancel — {@code PROCESSING} (applied, its answer held back
 *       for {@code hang}, and a re-ask with the same Idempotency-Key meanwhile answered 409
 *       {@code IDEMPOTENT_REQUEST_PROCESSING}, as Toss answers while the first request is still being
 *       processed), {@code APPLIED_THEN_5XX} (applied, then answered 500: not kept under the key, so a
 *       re-ask runs it again), {@code APPLIED_THEN_5XX_LATE} (the same, its 500 arriving after {@code hang}:
 *       to the caller a lost answer), {@code UNFINISHED} (listed with {@code cancelStatus} {@code IN_PROGRESS},
 *       nothing returned until {@code POST /_control/finish-cancel/{paymentKey}}), {@code IGNORED} (not
 *       applied, answered 200 with the payment as it stands, as Toss may answer the second of two cancels
 *       within about 1 s, which it ignores); {@code newestFirst}
 *       lists {@code cancels[]} newest first (Toss promises no order); {@code webhooks: false} sends
 *       none for the payment (a delivery that never arrives);</li>
 *   <li>{@code POST /_control/auth-key} with {@code "fault": "PROCESSING"}: the issuance is done, its
 *       answer held back for {@code hang}, re-asks meanwhile answered 409 {@code IDEMPOTENT_REQUEST_PROCESSING};</li>
 *   <li>{@code POST /_control/charge-fault/{orderId}} {@code {"next": "PROCESSING"}}: the charge of that orderId
 *       is done, its answer held back for {@code hang}, re-asks meanwhile answered 409
 *       {@code IDEMPOTENT_REQUEST_PROCESSING};</li>
 *   <li>{@code POST /_control/unrouted} {@code {"prefixes": [...]}}: Toss API requests whose path starts
 *       with one of them are answered as a path Toss does not serve (404 {@code NOT_FOUND}), as after a
 *       wrong base URL or an egress proxy that does not route them; {@code GET /_lookups/{ref}}: how many
 *       lookups a paymentKey or orderId had.</li>
 * </ul>
 */
public final class TossSimulator implements VendorSimulator {
    public static final String VENDOR = "toss";
    /** The secret key the simulator accepts (a test key: it opens nothing but the simulator). */
    public static final String SECRET_KEY = "test_sk_sandbox_paybridge";
    /** A charge of this amount is declined HARD: 403 {@code INVALID_STOPPED_CARD} (card suspended). */
    public static final long HARD_DECLINE = 4005;

    private static final Logger LOG = LoggerFactory.getLogger(TossSimulator.class);
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String JSON_UTF8 = "application/json; charset=utf-8";
    private static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    private static final String ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final WebhookSender webhooks;
    private final SecureRandom random = new SecureRandom();
    private final String expectedAuthorization =
            "Basic " + Base64.getEncoder().encodeToString((SECRET_KEY + ":").getBytes(StandardCharsets.UTF_8));

    /** authKey → customerKey (or "" for any); removed when it issued its billing key. */
    private final Map<String, String> authKeys = new ConcurrentHashMap<>();
    /** billingKey → customerKey. */
    private final Map<String, String> billingKeys = new ConcurrentHashMap<>();
    private final Map<String, String[]> keyDeclines = new ConcurrentHashMap<>();
    private final Map<String, TossPayment> byPaymentKey = new ConcurrentHashMap<>();
    private final Map<String, TossPayment> byOrderId = new ConcurrentHashMap<>();
    /** "<path> <Idempotency-Key>" → the first answer {status, body}. */
    private final Map<String, Object[]> answers = new ConcurrentHashMap<>();
    /** The slots whose first request is still being processed (its answer not given yet). */
    private final java.util.Set<String> processing = ConcurrentHashMap.newKeySet();
    /** paymentKey → the fault of its next cancel (PROCESSING, APPLIED_THEN_5XX(_LATE), UNFINISHED, IGNORED). */
    private final Map<String, String> nextCancelFault = new ConcurrentHashMap<>();
    /** authKey → the fault of its issuance (PROCESSING). */
    private final Map<String, String> issueFaults = new ConcurrentHashMap<>();
    /** orderId → the fault of its charge (PROCESSING). */
    private final Map<String, String> chargeFaults = new ConcurrentHashMap<>();
    private final java.util.Set<String> silentPayments = ConcurrentHashMap.newKeySet();
    private volatile java.util.List<String> unrouted = java.util.List.of();
    private final Map<String, AtomicLong> lookups = new ConcurrentHashMap<>();
    private final AtomicLong processingConflicts = new AtomicLong();
    private final AtomicLong unroutedHits = new AtomicLong();

    private final AtomicLong charges = new AtomicLong();
    private final AtomicLong paid = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong issueCalls = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    public TossSimulator(Vertx vertx, SandboxSettings settings, WebhookSender webhooks) {
        this.vertx = vertx;
        this.settings = settings;
        this.webhooks = webhooks;
    }

    @Override
    public Router router() {
        Router router = Router.router(vertx);
        router.route("/v1/*").handler(ctx -> {
            requests.incrementAndGet();
            ctx.next();
        });
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.route("/v1/*").handler(this::auth);
        router.route("/v1/*").handler(this::routed);
        router.post("/v1/billing/authorizations/issue").handler(ctx -> idempotent(ctx, this::issue));
        router.post("/v1/billing/:billingKey").handler(ctx -> idempotent(ctx, this::charge));
        router.post("/v1/payments/:paymentKey/cancel").handler(ctx -> idempotent(ctx, this::cancel));
        router.get("/v1/payments/orders/:orderId").handler(ctx -> found(ctx, byOrderId.get(looked(ctx.pathParam("orderId")))));
        router.get("/v1/payments/:paymentKey").handler(ctx -> found(ctx, byPaymentKey.get(looked(ctx.pathParam("paymentKey")))));
        router.get("/_stats").handler(ctx -> write(ctx, 200, stats()));
        router.get("/_records").handler(ctx -> {
            JsonArray all = new JsonArray();
            byPaymentKey.values().forEach(p -> all.add(p.json()));
            write(ctx, 200, new JsonObject().put("records", all));
        });
        router.post("/_control/auth-key").handler(this::handOutAuthKey);
        router.post("/_control/deposit/:paymentKey").handler(this::deposit);
        router.post("/_control/payment").handler(this::checkoutPayment);
        router.post("/_control/decline-key/:billingKey").handler(this::declineKey);
        router.post("/_control/cancel-fault/:paymentKey").handler(this::cancelFault);
        router.post("/_control/charge-fault/:orderId").handler(ctx -> {
            JsonObject body = jsonBody(ctx);
            chargeFaults.put(ctx.pathParam("orderId"), body == null || text(body, "next") == null ? "" : text(body, "next"));
            write(ctx, 200, new JsonObject());
        });
        router.post("/_control/finish-cancel/:paymentKey").handler(this::finishCancel);
        router.post("/_control/unrouted").handler(this::unrouted);
        router.get("/_lookups/:ref").handler(ctx -> write(ctx, 200, new JsonObject().put("lookups",
                lookups.getOrDefault(ctx.pathParam("ref"), new AtomicLong()).get())));
        router.route().last().handler(ctx -> answer(ctx, 404, error("NOT_FOUND", "존재하지 않는 API 입니다.")));
        router.route().failureHandler(ctx -> {
            int status = ctx.statusCode() == -1 ? 500 : ctx.statusCode();
            if (status >= 500) {
                LOG.warn("Toss simulator failed on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            }
            answer(ctx, status, error(status >= 500 ? "FAILED_INTERNAL_SYSTEM_PROCESSING" : "INVALID_REQUEST",
                    "요청을 처리할 수 없습니다."));
        });
        return router;
    }

    // ---- counters (also GET /_stats)

    /** Billing charges that created a payment (paid, declined, virtual account, hung). */
    public long charges() {
        return charges.get();
    }

    /** Billing-key issuance calls that issued a key (not the replays of an Idempotency-Key). */
    public long issued() {
        return issued.get();
    }

    /** POSTs answered with the first answer of their Idempotency-Key. */
    public long replays() {
        return replays.get();
    }

    public JsonObject stats() {
        return new JsonObject().put("charges", charges.get()).put("paid", paid.get()).put("failed", failed.get())
                .put("cancels", cancels.get()).put("issued", issued.get()).put("issueCalls", issueCalls.get())
                .put("idempotentReplays", replays.get()).put("requests", requests.get())
                .put("processingConflicts", processingConflicts.get()).put("unrouted", unroutedHits.get());
    }

    // ---- Toss API

    private void auth(RoutingContext ctx) {
        String presented = ctx.request().getHeader("Authorization");
        if (presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expectedAuthorization.getBytes(StandardCharsets.UTF_8))) {
            ctx.next();
        } else {
            answer(ctx, 401, error("UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."));
        }
    }

    /** A path this simulator is told not to serve: answered as any path Toss does not have. */
    private void routed(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        int at = path.indexOf("/v1/");
        String apiPath = at < 0 ? path : path.substring(at);
        for (String prefix : unrouted) {
            if (apiPath.startsWith(prefix)) {
                unroutedHits.incrementAndGet();
                answer(ctx, 404, error("NOT_FOUND", "존재하지 않는 API 입니다."));
                return;
            }
        }
        ctx.next();
    }

    private String looked(String ref) {
        lookups.computeIfAbsent(ref, k -> new AtomicLong()).incrementAndGet();
        return ref;
    }

    /**
     * What an operation answers: a status, a body, how long the answer is held back (the lost-answer
     * case), and whether the work counts as still being processed until the answer is given (a re-ask
     * meanwhile is answered 409 {@code IDEMPOTENT_REQUEST_PROCESSING}).
     */
    private record Answer(int status, JsonObject body, Duration delay, boolean processingUntilAnswered) {
        Answer(int status, JsonObject body) {
            this(status, body, Duration.ZERO, false);
        }

        Answer(int status, JsonObject body, Duration delay) {
            this(status, body, delay, false);
        }
    }

    /**
     * Runs the operation once per Idempotency-Key and path: a repeated key is answered the first answer
     * at once (also while the first answer is still held back: the work is done), a 5xx is not kept.
     */
    private void idempotent(RoutingContext ctx, java.util.function.Function<RoutingContext, Answer> operation) {
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key != null && key.length() > 300) {
            answer(ctx, 400, error("INVALID_REQUEST", "Idempotency-Key는 300자 이하여야 합니다."));
            return;
        }
        String slot = key == null ? null : ctx.normalizedPath() + " " + key;
        if (slot != null && processing.contains(slot)) {
            processingConflicts.incrementAndGet();
            answer(ctx, 409, error("IDEMPOTENT_REQUEST_PROCESSING", "이전 멱등 요청이 처리 중입니다."));
            return;
        }
        if (slot != null) {
            Object[] first = answers.get(slot);
            if (first != null) {
                replays.incrementAndGet();
                answer(ctx, (Integer) first[0], (JsonObject) first[1]);
                return;
            }
        }
        Answer a;
        synchronized (this) { // one operation at a time: the checks and the state change are one step
            Object[] first = slot == null ? null : answers.get(slot);
            if (slot != null && processing.contains(slot)) {
                processingConflicts.incrementAndGet();
                a = new Answer(409, error("IDEMPOTENT_REQUEST_PROCESSING", "이전 멱등 요청이 처리 중입니다."));
            } else if (first != null) {
                replays.incrementAndGet();
                a = new Answer((Integer) first[0], (JsonObject) first[1]);
            } else {
                a = operation.apply(ctx);
                if (slot != null && a.status() < 500) {
                    if (a.processingUntilAnswered()) {
                        processing.add(slot);
                    } else {
                        answers.put(slot, new Object[] {a.status(), a.body()});
                    }
                }
            }
        }
        if (slot != null && a.processingUntilAnswered() && a.status() < 500) {
            // the first request is finished when its answer leaves: from then on a re-ask gets that answer
            Answer done = a;
            long delay = Math.max(1, settings.latency().toMillis() + a.delay().toMillis());
            vertx.setTimer(delay, id -> {
                answers.put(slot, new Object[] {done.status(), done.body()});
                processing.remove(slot);
                write(ctx, done.status(), done.body());
            });
            return;
        }
        answer(ctx, a.status(), a.body(), a.delay());
    }

    private Answer issue(RoutingContext ctx) {
        issueCalls.incrementAndGet();
        JsonObject body = jsonBody(ctx);
        String authKey = body == null ? null : text(body, "authKey");
        String customerKey = body == null ? null : text(body, "customerKey");
        if (authKey == null || customerKey == null) {
            return new Answer(400, error("INVALID_REQUEST", "authKey, customerKey는 필수 값입니다."));
        }
        String owner = authKeys.get(authKey);
        if (owner == null) {
            return new Answer(400, error("INVALID_AUTH_KEY", "유효하지 않은 authKey 입니다."));
        }
        if (!owner.isEmpty() && !owner.equals(customerKey)) {
            return new Answer(403, error("NOT_MATCHES_CUSTOMER_KEY", "authKey의 customerKey와 일치하지 않습니다."));
        }
        authKeys.remove(authKey);
        String billingKey = random(43, true) + "=";
        billingKeys.put(billingKey, customerKey);
        issued.incrementAndGet();
        boolean slow = "PROCESSING".equals(issueFaults.remove(authKey));
        return new Answer(200, new JsonObject()
                .put("mId", "tvivarepublica")
                .put("customerKey", customerKey)
                .put("authenticatedAt", now())
                .put("method", "카드")
                .put("billingKey", billingKey)
                .put("card", new JsonObject().put("issuerCode", "61").put("acquirerCode", "31")
                        .put("number", "43301234****123*").put("cardType", "신용").put("ownerType", "개인")),
                slow ? settings.hang() : Duration.ZERO, slow);
    }

    private Answer charge(RoutingContext ctx) {
        String billingKey = ctx.pathParam("billingKey");
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return new Answer(400, error("INVALID_REQUEST", "JSON 객체가 필요합니다."));
        }
        String customerKey = text(body, "customerKey");
        String orderId = text(body, "orderId");
        String orderName = text(body, "orderName");
        Object rawAmount = body.getValue("amount");
        long amount = rawAmount instanceof Integer || rawAmount instanceof Long ? ((Number) rawAmount).longValue() : -1;
        if (customerKey == null || orderName == null || amount <= 0 || orderId == null
                || !orderId.matches("[A-Za-z0-9_-]{6,64}") || orderName.length() > 100) {
            return new Answer(400, error("INVALID_REQUEST", "잘못된 요청입니다."));
        }
        String owner = billingKeys.get(billingKey);
        if (owner == null) {
            return new Answer(404, error("NOT_FOUND_BILLING_KEY", "존재하지 않는 빌링키 입니다."));
        }
        if (!owner.equals(customerKey)) {
            return new Answer(403, error("NOT_MATCHES_CUSTOMER_KEY", "빌링키와 customerKey가 일치하지 않습니다."));
        }
        if (byOrderId.containsKey(orderId)) {
            return new Answer(400, error("DUPLICATED_ORDER_ID", "이미 승인 및 취소가 진행된 중복된 주문번호 입니다."));
        }
        if (amount == TestAmounts.SERVER_ERROR) {
            return new Answer(500, error("FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다."));
        }
        String[] forced = keyDeclines.get(billingKey);
        String declineCode = forced != null ? forced[0] : amount == TestAmounts.DECLINE ? "REJECT_CARD_PAYMENT"
                : amount == HARD_DECLINE ? "INVALID_STOPPED_CARD" : null;
        boolean virtualAccount = amount == TestAmounts.VIRTUAL_ACCOUNT;
        TossPayment payment = new TossPayment(paymentKey(), orderId, orderName, amount, virtualAccount ? "가상계좌" : "카드",
                virtualAccount ? "WAITING_FOR_DEPOSIT" : declineCode != null ? "IN_PROGRESS" : "DONE", now(),
                "43301234****123*", customerKey, transactionKey());
        byPaymentKey.put(payment.paymentKey, payment);
        byOrderId.put(orderId, payment);
        charges.incrementAndGet();
        if (declineCode != null) {
            String message = forced != null ? forced[1] : amount == HARD_DECLINE ? "정지된 카드 입니다."
                    : "한도초과 혹은 잔액부족으로 결제에 실패했습니다.";
            payment.abort(declineCode, message);
            failed.incrementAndGet();
            return new Answer(403, error(declineCode, message));
        }
        if (!virtualAccount) {
            paid.incrementAndGet();
        }
        // the webhook leaves before the answer: with HANG the caller has given up by the time the answer
        // would arrive, yet the charge exists and is announced (the lost answer a re-ask settles)
        webhook("PAYMENT_STATUS_CHANGED", payment);
        if ("PROCESSING".equals(chargeFaults.remove(orderId))) {
            return new Answer(200, payment.json(), settings.hang(), true);
        }
        return new Answer(200, payment.json(), amount == TestAmounts.HANG ? settings.hang() : Duration.ZERO);
    }

    private Answer cancel(RoutingContext ctx) {
        TossPayment payment = byPaymentKey.get(ctx.pathParam("paymentKey"));
        JsonObject body = jsonBody(ctx);
        String reason = body == null ? null : text(body, "cancelReason");
        if (reason == null) {
            return new Answer(400, error("INVALID_REQUEST", "cancelReason은 필수 값입니다."));
        }
        if (payment == null) {
            return new Answer(404, error("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."));
        }
        Object raw = body.getValue("cancelAmount");
        long amount;
        synchronized (payment) {
            amount = raw == null ? payment.json().getLong("balanceAmount")
                    : raw instanceof Integer || raw instanceof Long ? ((Number) raw).longValue() : -1;
        }
        String fault = nextCancelFault.remove(payment.paymentKey);
        if ("IGNORED".equals(fault)) {
            // Toss ignores a second cancel of the paymentKey within about 1 s (TOSS.md); what it answers
            // then is not documented: here the payment as it stands, the other cancel listed, nothing done
            return new Answer(200, payment.json());
        }
        String refused = payment.cancel(amount, reason, transactionKey(), now(), "UNFINISHED".equals(fault));
        if (refused != null) {
            return new Answer(400, error(refused, switch (refused) {
                case "ALREADY_CANCELED_PAYMENT" -> "이미 취소된 결제 입니다.";
                case "NOT_CANCELABLE_AMOUNT" -> "취소 할 수 없는 금액 입니다.";
                default -> "취소 할 수 없는 결제 입니다.";
            }));
        }
        cancels.incrementAndGet();
        if ("UNFINISHED".equals(fault)) {
            return new Answer(200, payment.json()); // nothing returned yet: no status change to announce
        }
        webhook("PAYMENT_STATUS_CHANGED", payment);
        if (fault != null && fault.startsWith("APPLIED_THEN_5XX")) {
            // done and failed (nothing kept under the key); the late one's 500 is on the way for hang
            return new Answer(500, error("FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다."),
                    fault.endsWith("_LATE") ? settings.hang() : Duration.ZERO);
        }
        if ("PROCESSING".equals(fault)) {
            return new Answer(200, payment.json(), settings.hang(), true);
        }
        return new Answer(200, payment.json(), amount == TestAmounts.HANG ? settings.hang() : Duration.ZERO);
    }

    private void found(RoutingContext ctx, TossPayment payment) {
        if (payment == null) {
            answer(ctx, 404, error("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."));
        } else {
            answer(ctx, 200, payment.json());
        }
    }

    // ---- test control (not Toss's API)

    private void handOutAuthKey(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        String customerKey = body == null ? null : text(body, "customerKey");
        String authKey = "bln_" + random(24, false);
        authKeys.put(authKey, customerKey == null ? "" : customerKey);
        String fault = body == null ? null : text(body, "fault");
        if (fault != null) {
            issueFaults.put(authKey, fault);
        }
        write(ctx, 200, new JsonObject().put("authKey", authKey).put("customerKey", customerKey));
    }

    private void deposit(RoutingContext ctx) {
        TossPayment payment = byPaymentKey.get(ctx.pathParam("paymentKey"));
        if (payment == null || !payment.deposit(now())) {
            write(ctx, 400, error("NOT_WAITING_FOR_DEPOSIT", "입금 대기 중인 가상계좌 결제가 아닙니다."));
            return;
        }
        paid.incrementAndGet();
        webhook("DEPOSIT_CALLBACK", payment);
        write(ctx, 200, payment.json());
    }

    private void checkoutPayment(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        String orderId = body == null ? null : text(body, "orderId");
        Long amount = body == null ? null : body.getLong("amount");
        if (orderId == null || amount == null || amount <= 0) {
            write(ctx, 400, error("INVALID_REQUEST", "orderId, amount는 필수 값입니다."));
            return;
        }
        TossPayment payment;
        synchronized (this) {
            if (byOrderId.containsKey(orderId)) {
                write(ctx, 400, error("DUPLICATED_ORDER_ID", "이미 승인 및 취소가 진행된 중복된 주문번호 입니다."));
                return;
            }
            payment = new TossPayment(paymentKey(), orderId, body.getString("orderName", "checkout"), amount, "카드",
                    "DONE", now(), "43301234****123*", null, transactionKey());
            byPaymentKey.put(payment.paymentKey, payment);
            byOrderId.put(orderId, payment);
        }
        paid.incrementAndGet();
        webhook("PAYMENT_STATUS_CHANGED", payment);
        write(ctx, 200, payment.json());
    }

    private void declineKey(RoutingContext ctx) {
        String billingKey = ctx.pathParam("billingKey");
        JsonObject body = jsonBody(ctx);
        String code = body == null ? null : text(body, "code");
        if (code == null) {
            keyDeclines.remove(billingKey);
        } else {
            keyDeclines.put(billingKey, new String[] {code, body.getString("message", "카드 승인 거절")});
        }
        write(ctx, 200, new JsonObject().put("billingKey", billingKey).put("code", code));
    }

    private void cancelFault(RoutingContext ctx) {
        TossPayment payment = byPaymentKey.get(ctx.pathParam("paymentKey"));
        JsonObject body = jsonBody(ctx);
        if (payment == null || body == null) {
            write(ctx, 400, error("INVALID_REQUEST", "paymentKey and a JSON body are required"));
            return;
        }
        String next = text(body, "next");
        if (next != null) {
            nextCancelFault.put(payment.paymentKey, next);
        }
        if (body.containsKey("newestFirst")) {
            payment.newestFirst(body.getBoolean("newestFirst", false));
        }
        if (Boolean.FALSE.equals(body.getBoolean("webhooks"))) {
            silentPayments.add(payment.paymentKey);
        } else if (Boolean.TRUE.equals(body.getBoolean("webhooks"))) {
            silentPayments.remove(payment.paymentKey);
        }
        write(ctx, 200, new JsonObject().put("paymentKey", payment.paymentKey).put("next", next));
    }

    private void finishCancel(RoutingContext ctx) {
        TossPayment payment = byPaymentKey.get(ctx.pathParam("paymentKey"));
        if (payment == null || !payment.finishCancels()) {
            write(ctx, 400, error("NOT_CANCEL_IN_PROGRESS", "진행 중인 취소가 없습니다."));
            return;
        }
        webhook("PAYMENT_STATUS_CHANGED", payment);
        write(ctx, 200, payment.json());
    }

    private void unrouted(RoutingContext ctx) {
        JsonObject body = jsonBody(ctx);
        JsonArray prefixes = body == null ? null : body.getJsonArray("prefixes");
        java.util.List<String> list = new java.util.ArrayList<>();
        if (prefixes != null) {
            prefixes.forEach(p -> list.add(String.valueOf(p)));
        }
        unrouted = java.util.List.copyOf(list);
        write(ctx, 200, new JsonObject().put("prefixes", new JsonArray(list)));
    }

    // ---- helpers

    private void webhook(String eventType, TossPayment payment) {
        String base = settings.webhookBaseUrl();
        if (base == null || base.isBlank() || silentPayments.contains(payment.paymentKey)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("eventType", eventType);
        fields.put("createdAt", now());
        fields.put("data", payment.json().getMap());
        String url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/toss";
        webhooks.send(url, "application/json", fields);
    }

    private static String now() {
        return OffsetDateTime.now(SEOUL).format(ISO);
    }

    private String paymentKey() {
        return "tgen_" + OffsetDateTime.now(SEOUL).format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + random(24, false);
    }

    private String transactionKey() {
        return "txrd_" + random(30, false);
    }

    private String random(int length, boolean withDashes) {
        String alphabet = withDashes ? ALNUM + "-_" : ALNUM;
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(length);
        for (byte b : bytes) {
            sb.append(alphabet.charAt((b & 0xff) % alphabet.length()));
        }
        return sb.toString();
    }

    private static String text(JsonObject body, String key) {
        Object v = body.getValue(key);
        return v instanceof String s && !s.isBlank() ? s : null;
    }

    private static JsonObject jsonBody(RoutingContext ctx) {
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

    /** Toss's error shape. */
    private static JsonObject error(String code, String message) {
        return new JsonObject().put("code", code).put("message", message);
    }

    private void answer(RoutingContext ctx, int status, JsonObject body) {
        answer(ctx, status, body, Duration.ZERO);
    }

    /** A Toss API answer: delayed by the configured latency (and a hang), never blocking the event loop. */
    private void answer(RoutingContext ctx, int status, JsonObject body, Duration extra) {
        long delay = settings.latency().toMillis() + extra.toMillis();
        if (delay <= 0) {
            write(ctx, status, body);
        } else {
            vertx.setTimer(delay, id -> write(ctx, status, body));
        }
    }

    private static void write(RoutingContext ctx, int status, JsonObject body) {
        HttpServerResponse response = ctx.response();
        if (response.closed() || response.ended()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", JSON_UTF8).end(body.toBuffer());
    }
}
