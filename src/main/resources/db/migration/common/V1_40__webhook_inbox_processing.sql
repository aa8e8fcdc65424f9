-- Webhook inbox processing (issue 4). Versioned 1.40 rather than 2 so that it never collides with
-- another branch's next migration. One file for H2 (PostgreSQL mode) and PostgreSQL.

-- an entry whose lookups failed on every scheduled retry: still PENDING (never dropped), no longer
-- retried automatically; POST /api/webhooks/{inboxId}/replay tries it again
ALTER TABLE webhook_inbox ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
-- the vendor's reference the delivery names (iamport imp_uid, Steppay idKey), for operators
ALTER TABLE webhook_inbox ADD COLUMN vendor_ref VARCHAR(100);

-- GET /api/webhooks?vendor=: newest first per vendor
CREATE INDEX webhook_inbox_vendor_idx ON webhook_inbox (vendor, received_at);
