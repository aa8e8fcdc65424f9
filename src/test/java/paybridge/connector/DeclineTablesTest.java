package paybridge.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;
import paybridge.canonical.Failure;
import paybridge.canonical.PaymentStatus;
import paybridge.connector.iamport.IamportDeclines;
import paybridge.connector.steppay.SteppayDeclines;
import java.util.List;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import paybridge.Settings;
import paybridge.connector.iamport.IamportConnector;
import paybridge.connector.steppay.SteppayConnector;

/** Each connector's decline table (CONTRACT §2 failure.category, §3 HARD declines), and the settings that extend it. */
class DeclineTablesTest {

    @Test
    void iamportReadsThePgCodeFromTheFailureText() {
        IamportDeclines table = new IamportDeclines(Set.of());
        // VENDORS.md's example of a refused key-in, and an `again` on a card whose expiry passed
        assertThat(table.category(new Failure("IAMPORT_REJECTED", "카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림")))
                .isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("IAMPORT_FAILED", "[F113]거래거절 유효기간오류"))).isEqualTo(DeclineCategory.HARD);
        assertThat(table.category(new Failure("VENDOR_DECLINED",
                "카드정보 인증 및 빌키 발급에 실패하였습니다. [400]Error From NICEPAY. (message: 유효기간오류, code:F113)")))
                .isEqualTo(DeclineCategory.HARD);
        // not listed: SOFT
        assertThat(table.category(new Failure("IAMPORT_FAILED", "[4004] 잔액부족"))).isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("IAMPORT_REJECTED", "등록되지 않은 구매자입니다."))).isEqualTo(DeclineCategory.SOFT);
        assertThat(table.category(new Failure("IAMPORT_FAILED", null))).isEqualTo(DeclineCategory.SOFT);
        // an operator's codes, with or without brackets
        IamportDeclines extended = new IamportDeclines(DeclineTable.parseCodes(" [4004], F999 ,,"));
        assertThat(extended.category(new Failure("IAMPORT_FAILED", "[4004] 잔액부족"))).isEqualTo(DeclineCategory.HARD);
        assertThat(extended.category(new Failure("IAMPORT_FAILED", "code:F999 분실카드"))).isEqualTo(DeclineCategory.HARD);
    }

    @Test
    void steppayListsNoCodeOfItsOwnAndTakesTheOperators() {
        assertThat(new SteppayDeclines(Set.of()).category(new Failure("PAYMENT_FAILED", "카드 승인 거절")))
                .isEqualTo(DeclineCategory.SOFT);
        assertThat(new SteppayDeclines(Set.of()).category(new Failure("BILLING_KEY_NOT_FOUND", "빌링키를 찾을 수 없습니다.")))
                .isEqualTo(DeclineCategory.SOFT);
        SteppayDeclines extended = new SteppayDeclines(DeclineTable.parseCodes("BILLING_KEY_NOT_FOUND"));
        assertThat(extended.category(new Failure("BILLING_KEY_NOT_FOUND", "빌링키를 찾을 수 없습니다.")))
                .isEqualTo(DeclineCategory.HARD);
        assertThat(extended.category(new Failure("PAYMENT_FAILED", "x"))).isEqualTo(DeclineCategory.SOFT);
    }

    @Test
    void onlyAVendorsDeclineOfAFailedPaymentHasACategory() {
        // the registry asks the payment's connector, each built with its hard-decline-codes setting
        Properties p = new Properties();
        p.setProperty("paybridge.steppay.hard-decline-codes", "BILLING_KEY_NOT_FOUND");
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(p);
        Settings settings = new Settings(camel.getPropertiesComponent());
        DeclineClassifier classifier = new ConnectorRegistry(List.of(new IamportConnector(settings),
                new SteppayConnector(settings)));
        Failure f113 = new Failure("IAMPORT_FAILED", "[F113]거래거절 유효기간오류");
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "iamport", f113)).isEqualTo(DeclineCategory.HARD);
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "steppay", f113)).isEqualTo(DeclineCategory.SOFT);
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "steppay", new Failure("BILLING_KEY_NOT_FOUND", "m")))
                .isEqualTo(DeclineCategory.HARD);
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "unknown-vendor", f113)).isEqualTo(DeclineCategory.SOFT);
        // paybridge's own conclusions and an operator's decision: no category
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "iamport", new Failure("NOT_CHARGED", "[F113]"))).isNull();
        assertThat(classifier.categoryOf(PaymentStatus.FAILED, "iamport", new Failure("OPERATOR", "checked"))).isNull();
        // not a decline
        assertThat(classifier.categoryOf(PaymentStatus.UNKNOWN, "iamport", new Failure("VENDOR_TIMEOUT", "m"))).isNull();
        assertThat(classifier.classified(PaymentStatus.FAILED, "iamport", f113).category()).isEqualTo(DeclineCategory.HARD);
    }

    @Test
    void aDeclineIsReadByItsVendorsTableOnANodeThatDoesNotServeTheVendor() {
        // a node serving steppay only applies an iamport attempt's decline to billing (a run's prepare, after
        // the node that charged it died): HARD stays HARD, or dunning would charge the dead card again
        Properties p = new Properties();
        p.setProperty("paybridge.steppay.hard-decline-codes", "BILLING_KEY_NOT_FOUND");
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(p);
        Settings settings = new Settings(camel.getPropertiesComponent());
        ConnectorRegistry steppayOnly = new ConnectorRegistry(List.of(new SteppayConnector(settings)),
                java.util.Map.of("iamport", new IamportConnector(settings)));
        assertThat(steppayOnly.find("iamport")).as("not enabled here").isEmpty();
        assertThat(steppayOnly.categoryOf(PaymentStatus.FAILED, "iamport", new Failure("IAMPORT_FAILED", "[F113]거래거절 유효기간오류")))
                .isEqualTo(DeclineCategory.HARD);
        ConnectorRegistry iamportOnly = new ConnectorRegistry(List.of(new IamportConnector(settings)),
                java.util.Map.of("steppay", new SteppayConnector(settings)));
        assertThat(iamportOnly.categoryOf(PaymentStatus.FAILED, "steppay", new Failure("BILLING_KEY_NOT_FOUND", "m")))
                .isEqualTo(DeclineCategory.HARD);
    }
}
