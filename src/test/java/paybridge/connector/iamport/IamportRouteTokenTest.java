package paybridge.connector.iamport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import paybridge.connector.ChargeOutcome;
import paybridge.connector.ChargeStatus;
import paybridge.connector.VendorHarness;

/** Token handling over real HTTP: each test has its own sandbox, so its request counters are exact. */
class IamportRouteTokenTest {

    @Test
    void oneTokenServesManyCalls() throws Exception {
        try (VendorHarness h = new VendorHarness()) {
            for (int i = 0; i < 10; i++) {
                ChargeOutcome o = h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), 1000, null),
                        ChargeOutcome.class);
                assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
            }
            var stats = h.stats("iamport");
            assertThat(stats.get("tokensIssued").asLong()).isEqualTo(1);
            // 10 charges + exactly one getToken (the vendor would hand the same token out again,
            // so tokensIssued alone could not tell a cached token from one asked for each time)
            assertThat(stats.get("requests").asLong()).isEqualTo(11);
        }
    }

    @Test
    void fiftyConcurrentChargesAskForOneToken() throws Exception {
        try (VendorHarness h = new VendorHarness(s -> s, p -> p.setProperty("paybridge.vendor.timeout", "PT10S"))) {
            ExecutorService pool = Executors.newFixedThreadPool(50);
            try {
                List<CompletableFuture<ChargeOutcome>> all = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    all.add(CompletableFuture.supplyAsync(() -> h.call("direct:iamport-keyin",
                            IamportRoutesTest.keyIn(IamportRoutesTest.id(), 1000, null), ChargeOutcome.class), pool));
                }
                for (CompletableFuture<ChargeOutcome> f : all) {
                    assertThat(f.get().status()).isEqualTo(ChargeStatus.PAID);
                }
            } finally {
                pool.shutdownNow();
            }
            var stats = h.stats("iamport");
            assertThat(stats.get("charges").asLong()).isEqualTo(50);
            assertThat(stats.get("requests").asLong()).isEqualTo(51);
            assertThat(stats.get("tokensIssued").asLong()).isEqualTo(1);
        }
    }

    @Test
    void anExpiredTokenIsRenewedOnceAndTheChargeGoesThroughOnce() throws Exception {
        try (VendorHarness h = new VendorHarness()) {
            assertThat(h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), 1000, null),
                    ChargeOutcome.class).status()).isEqualTo(ChargeStatus.PAID);
            h.expireIamportTokens();

            ChargeOutcome o = h.call("direct:iamport-keyin", IamportRoutesTest.keyIn(IamportRoutesTest.id(), 2000, null),
                    ChargeOutcome.class);
            assertThat(o.status()).isEqualTo(ChargeStatus.PAID);
            var stats = h.stats("iamport");
            assertThat(stats.get("tokensIssued").asLong()).isEqualTo(2);
            assertThat(stats.get("charges").asLong()).isEqualTo(2);
            // token, charge, then: rejected charge (401), token, charge
            assertThat(stats.get("requests").asLong()).isEqualTo(5);
        }
    }
}
