package paybridge.billing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import paybridge.canonical.PaymentStatus;

/**
 * A FAILED payment as a billing outcome: paybridge's own conclusions and an operator's decisions are no
 * decline (the period's next attempt id is due at once, no retry counted); a vendor's failure code is.
 */
class DunningOutcomeTest {

    @Test
    void conclusionsAndOperatorsDecisionsAreNoDecline() {
        assertThat(DunningPolicy.classify(PaymentStatus.FAILED, "NOT_CHARGED")).isEqualTo(DunningPolicy.Outcome.NOT_CHARGED);
        assertThat(DunningPolicy.classify(PaymentStatus.FAILED, "OPERATOR")).isEqualTo(DunningPolicy.Outcome.NOT_CHARGED);
        // an operator's FAILED of a charge whose order id the vendor held for another payment
        assertThat(DunningPolicy.classify(PaymentStatus.FAILED, "ORDER_ID_IN_USE")).isEqualTo(DunningPolicy.Outcome.NOT_CHARGED);
        assertThat(DunningPolicy.classify(PaymentStatus.FAILED, "REJECT_CARD_PAYMENT")).isEqualTo(DunningPolicy.Outcome.DECLINED);
        // a FAILED without a code (a row written before codes were recorded on every move to FAILED): a decline,
        // never a failure of the billing run that reads it
        assertThat(DunningPolicy.classify(PaymentStatus.FAILED, null)).isEqualTo(DunningPolicy.Outcome.DECLINED);
    }
}
