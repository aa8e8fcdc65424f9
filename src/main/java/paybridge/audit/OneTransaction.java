package paybridge.audit;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import paybridge.ledger.Transactions;

/**
 * {@code policy: {ref: oneTransaction, steps: [...]}}: the steps' statements as one database transaction
 * ({@link Transactions}), committed when they end without error and rolled back when any of them fails,
 * also when the entry route's error handler has already turned the failure into a problem answer. A
 * service's own transaction inside joins it. Used where a change is one transaction, so its audit row
 * ({@link AuditTrail#record}) commits with it or not at all.
 *
 * <p>The steps run on the calling thread (bean and direct: steps do), which is what binds their
 * statements to the transaction. Work inside must not rely on going on after one of its statements
 * failed (PostgreSQL refuses every statement after that until the rollback); the services used here
 * (resolve, subscription create, PATCH, DELETE, resume) do not.
 */
public final class OneTransaction implements Policy {
    private final Transactions transactions;

    public OneTransaction(Transactions transactions) {
        this.transactions = transactions;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        return exchange -> {
            // an exception handled earlier on this exchange (a doCatch, an error handler before the
            // policy) says nothing about these steps: only one caught by them counts
            Object caughtBefore = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT);
            try {
                transactions.run(() -> {
                    try {
                        processor.process(exchange);
                    } catch (Exception e) {
                        exchange.setException(e);
                    }
                    if (failed(exchange, caughtBefore)) {
                        throw new RolledBack();
                    }
                });
            } catch (RolledBack expected) {
                // the exchange carries the failure (or the problem answer made of it)
            }
        };
    }

    /**
     * The steps failed: the exchange carries an exception, or the steps' error handling caught one (a
     * different object from the one caught before them), or their answer is an error status.
     */
    static boolean failed(Exchange exchange, Object caughtBefore) {
        if (exchange.getException() != null || exchange.isRollbackOnly()) {
            return true;
        }
        Object caught = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT);
        if (caught != null && caught != caughtBefore) {
            return true;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status != null && status >= 400;
    }

    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super("rolled back", null, false, false);
        }
    }
}
