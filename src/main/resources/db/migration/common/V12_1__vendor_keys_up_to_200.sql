-- Vendor-issued keys and references up to 200 characters: Toss documents paymentKey and billingKey as
-- "up to 200" (vendor-docs/TOSS.md), the widest of the connectors. Widening a VARCHAR keeps every row
-- (PostgreSQL does not rewrite the table; H2 changes the column's declared length).
ALTER TABLE payments ALTER COLUMN billing_key SET DATA TYPE VARCHAR(200);
ALTER TABLE payments ALTER COLUMN vendor_payment_ref SET DATA TYPE VARCHAR(200);
ALTER TABLE refunds ALTER COLUMN vendor_refund_ref SET DATA TYPE VARCHAR(200);
ALTER TABLE ledger_entries ALTER COLUMN vendor_payment_ref SET DATA TYPE VARCHAR(200);
ALTER TABLE webhook_inbox ALTER COLUMN vendor_ref SET DATA TYPE VARCHAR(200);
ALTER TABLE subscriptions ALTER COLUMN billing_key SET DATA TYPE VARCHAR(200);
ALTER TABLE billing_attempts ALTER COLUMN billing_key SET DATA TYPE VARCHAR(200);
