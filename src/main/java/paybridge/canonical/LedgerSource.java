package paybridge.canonical;

/** Who told paybridge about a ledger fact. It does not change the fact's event key. */
public enum LedgerSource {
    API, WEBHOOK, BILLING_RUN, RECONCILE, OPERATOR
}
