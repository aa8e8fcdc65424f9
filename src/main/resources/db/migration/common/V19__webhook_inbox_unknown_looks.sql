-- How many of an entry's lookups the vendor answered that it does not know the payment. A delivery is
-- rejected as unknown only after a few such answers: lookups that failed (the vendor unreachable) are
-- attempts, but say nothing about the payment, and must not use up those few.
ALTER TABLE webhook_inbox ADD COLUMN unknown_looks INTEGER DEFAULT 0 NOT NULL;
