-- Checks the rows V14_1's constraint was added over (SHARE UPDATE EXCLUSIVE: reads and writes go on),
-- after healing again any written by hand between V14_1's heal and its ALTER (none can be written now).
UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP
WHERE status = 'PENDING' AND flagged = FALSE AND next_attempt_at IS NULL;
UPDATE webhook_inbox SET next_attempt_at = NULL WHERE status = 'RECEIVED' AND next_attempt_at IS NOT NULL;
ALTER TABLE webhook_inbox VALIDATE CONSTRAINT webhook_inbox_due_times;
