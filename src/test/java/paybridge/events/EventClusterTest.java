package paybridge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import paybridge.testing.FreePorts;
import paybridge.testing.Postgres;
import paybridge.testing.RunningPaybridge;

/**
 * Two nodes on one PostgreSQL, both delivering to the same destination: every event reaches the receiver
 * exactly once (leases: one node at a time per delivery), whichever node decided its fact.
 */
class EventClusterTest {

    @Test
    void twoNodesDeliverEachEventOncePerDestination() throws Exception {
        try (EventReceiver receiver = new EventReceiver(FreePorts.next()); Postgres pg = Postgres.createDatabase()) {
            CompletableFuture<RunningPaybridge> startA = CompletableFuture.supplyAsync(() -> RunningPaybridge.start(node(pg, "a", receiver)));
            CompletableFuture<RunningPaybridge> startB = CompletableFuture.supplyAsync(() -> RunningPaybridge.start(node(pg, "b", receiver)));
            try (RunningPaybridge a = startA.get(); RunningPaybridge b = startB.get()) {
                int n = 40;
                for (int i = 0; i < n; i++) {
                    RunningPaybridge node = i % 2 == 0 ? a : b;
                    assertThat(node.postJson("/api/payments", EventTypesTest.keyIn("cl-" + i, 1000 + i)).json()
                            .path("status").asText()).isEqualTo("PAID");
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> paidEvents(receiver).size() >= n);
                // a little longer: a second delivery of any of them would show now
                await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
                List<EventReceiver.Received> paid = paidEvents(receiver);
                Set<String> ids = new HashSet<>();
                paid.forEach(r -> ids.add(r.id()));
                assertThat(ids).hasSize(n);
                assertThat(paid).hasSize(n);
                // both nodes delivered (the work is shared, never duplicated)
                assertThat(a.get("/api/events?type=payment.paid&limit=1000").json().path("events")).hasSize(n);
            }
        }
    }

    private static List<EventReceiver.Received> paidEvents(EventReceiver receiver) {
        return receiver.ofType("payment.paid").stream()
                .filter(r -> r.json().path("data").path("paymentId").asText().startsWith("cl-")).toList();
    }

    private static Map<String, Object> node(Postgres pg, String name, EventReceiver receiver) {
        Map<String, Object> p = new HashMap<>();
        p.put("paybridge.db.url", pg.url());
        p.put("paybridge.db.user", pg.user());
        p.put("paybridge.db.password", "");
        p.put("paybridge.node.id", "events-" + name);
        p.put("paybridge.billing.quartz.instance-name", "paybridge-events-" + name);
        p.put("paybridge.events.destinations", "hook");
        p.put("paybridge.events.destination.hook.uri", receiver.url());
        p.put("paybridge.events.destination.hook.types", "payment.paid");
        p.put("paybridge.events.poll-interval", "PT0.1S");
        return p;
    }
}
