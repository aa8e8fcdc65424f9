-- The payment's last ledger entry when the refund was asked, before its cancel was sent: every return
-- recorded up to it happened at the vendor before this refund could, so refund reconcile never takes one of
-- them for this refund's (a console cancel of the same amount learnt by its webhook). An entry's id is
-- drawn when it is inserted, so an entry still uncommitted then has a higher id or was inserted earlier
-- still. NULL on refunds asked before this column: nothing is excluded for them.
ALTER TABLE refunds ADD COLUMN ledger_mark BIGINT;
