package paybridge.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paybridge.ledger.Database;
import paybridge.ledger.Sql;
import paybridge.ledger.Transactions;

/**
 * {@code policy: {ref: oneTransaction}} commits what its steps wrote when they succeed and rolls it back
 * when they fail, judged on the steps alone: an exception handled on the exchange before the policy
 * (a doCatch earlier in the route) does not roll back a change the steps answered 200.
 */
class OneTransactionTest {
    private Database db;
    private DefaultCamelContext context;
    private AuditStore audit;

    @BeforeEach
    void start() throws Exception {
        db = Database.open("jdbc:h2:mem:onetx" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        context = new DefaultCamelContext();
        context.getRegistry().bind("dataSource", DataSource.class, db.dataSource());
        Transactions transactions = new Transactions(db.dataSource());
        context.getRegistry().bind("transactions", transactions);
        context.getRegistry().bind("oneTransaction", new OneTransaction(transactions));
        // a lambda, not a RouteBuilder subclass: camel-main's package scan would pick that up in every app test
        RouteBuilder.addRoutes(context, rb -> {
            rb.onException(IllegalArgumentException.class).handled(true)
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, rb.constant(409));
            // an earlier step failed and was handled; then the change, which succeeds
            rb.from("direct:earlierHandledThenChange")
                    .doTry()
                        .throwException(new IllegalStateException("a lookup that failed and was handled"))
                    .doCatch(IllegalStateException.class)
                        .log("handled: ${exception.message}")
                    .end()
                    .policy("oneTransaction")
                        .process(e -> audit.append("ops", "test.change", e.getMessage().getBody(String.class), null))
                        .setHeader(Exchange.HTTP_RESPONSE_CODE, rb.constant(200))
                    .end();
            // an earlier handled exception, then a change refused by its steps (409 from the error handler)
            rb.from("direct:earlierHandledThenRefused")
                    .doTry()
                        .throwException(new IllegalStateException("a lookup that failed and was handled"))
                    .doCatch(IllegalStateException.class)
                        .log("handled: ${exception.message}")
                    .end()
                    .policy("oneTransaction")
                        .process(e -> audit.append("ops", "test.change", e.getMessage().getBody(String.class), null))
                        .throwException(new IllegalArgumentException("refused after the row was written"))
                    .end();
        });
        context.start();
        audit = new AuditStore(new Sql(context), transactions, new paybridge.ledger.CommitHorizon(new Sql(context), transactions, () -> false));
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
        db.close();
    }

    private boolean recorded(String target) {
        return audit.page(null, null, null, null, null, 1000).stream().anyMatch(e -> target.equals(e.target()));
    }

    @Test
    void anExceptionHandledBeforeThePolicyDoesNotRollBackASuccessfulChange() {
        Exchange done = context.createProducerTemplate().request("direct:earlierHandledThenChange",
                e -> e.getMessage().setBody("kept-1"));
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
        assertThat(recorded("kept-1")).as("the change answered 200 is committed").isTrue();
    }

    @Test
    void aChangeItsStepsRefuseIsRolledBackAlsoAfterAnEarlierHandledException() {
        Exchange refused = context.createProducerTemplate().request("direct:earlierHandledThenRefused",
                e -> e.getMessage().setBody("gone-1"));
        assertThat(refused.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(409);
        assertThat(recorded("gone-1")).as("the refused change leaves nothing").isFalse();
    }
}
