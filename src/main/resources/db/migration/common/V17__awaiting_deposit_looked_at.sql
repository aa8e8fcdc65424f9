-- A virtual account waiting for its deposit is looked at by reconcile too (its deposit's webhook may
-- never come): the rows already waiting join reconcile's schedule at once.
UPDATE payments SET next_look_at = CURRENT_TIMESTAMP WHERE status = 'AWAITING_DEPOSIT' AND next_look_at IS NULL;
