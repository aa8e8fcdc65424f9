-- What the due queries' two ranges rely on, held by the database (see h2/V14): entries already
-- otherwise (only by hand) are made due now, then the constraint is added for new writes only (NOT
-- VALID: no scan of the table while it is taken); V14_2 checks the existing rows without holding
-- writers back. Intake queues behind the ALTER while it waits for the table: after 3 s it gives up,
-- and so does the start-up (the next start tries again).
SET LOCAL lock_timeout = '3s';
UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP
WHERE status = 'PENDING' AND flagged = FALSE AND next_attempt_at IS NULL;
UPDATE webhook_inbox SET next_attempt_at = NULL WHERE status = 'RECEIVED' AND next_attempt_at IS NOT NULL;
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_due_times CHECK (
    (status <> 'RECEIVED' OR next_attempt_at IS NULL)
    AND (status <> 'PENDING' OR flagged OR next_attempt_at IS NOT NULL)) NOT VALID;
