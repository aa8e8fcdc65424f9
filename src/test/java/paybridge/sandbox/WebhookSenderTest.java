package paybridge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's webhook sender against a real HTTP server that answers each delivery 200 ms late. */
class WebhookSenderTest {
    private Vertx vertx;
    private HttpServer receiver;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        receiver = vertx.createHttpServer().requestHandler(request -> {
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            request.body().onSuccess(body -> {
                bodies.add(request.getHeader("Content-Type") + " " + body.toString());
                vertx.setTimer(200, id -> {
                    open.decrementAndGet();
                    request.response().setStatusCode(200).end();
                });
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBurstIsDeliveredWholeWithAtMost32OnTheWire() throws Exception {
        WebhookSender sender = new WebhookSender(vertx);
        String url = "http://127.0.0.1:" + receiver.actualPort() + "/webhooks/steppay";
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(sender.send(url, "application/json", Map.of("orderId", "o-" + i)));
        }
        for (CompletableFuture<Integer> f : sent) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        }
        assertThat(sender.sentCount()).isEqualTo(200);
        assertThat(sender.pendingCount()).isZero();
        assertThat(mostOpen.get()).isEqualTo(WebhookSender.MAX_IN_FLIGHT);
        assertThat(bodies).hasSize(200).allMatch(b -> b.startsWith("application/json; charset=utf-8 {\"orderId\":\"o-"));
    }

    @Test
    void aFormWebhookIsUrlEncodedAndAnUnreachableReceiverCountsAsFailed() throws Exception {
        WebhookSender sender = new WebhookSender(vertx);
        String url = "http://127.0.0.1:" + receiver.actualPort() + "/webhooks/iamport";
        assertThat(sender.send(url, "application/x-www-form-urlencoded", Map.of("imp_uid", "imp_1 2"))
                .get(10, TimeUnit.SECONDS)).isEqualTo(200);
        assertThat(bodies).containsExactly("application/x-www-form-urlencoded; charset=utf-8 imp_uid=imp_1+2");

        receiver.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        WebhookSender fresh = new WebhookSender(vertx); // no kept-alive connection: the connect is refused
        assertThat(fresh.send(url, "application/json", Map.of("orderId", "gone")).get(15, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(fresh.failedCount()).isEqualTo(1);
        assertThat(fresh.pendingCount()).isZero();
    }
}
