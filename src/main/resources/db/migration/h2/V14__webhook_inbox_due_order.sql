-- The processing queue's index also in the order entries are taken up: received_at after the retry time.
-- A poll then reads its batch as one range of the index (new entries: status RECEIVED, no retry time,
-- oldest first; retries: status PENDING, retry time reached, soonest first) and stops at the batch's
-- size, instead of reading and sorting every open entry on every poll (a backlog of 10,000 read whole
-- 50 times over). It replaces webhook_inbox_due_idx, so an intake still writes as many indexes.
-- (PostgreSQL: the same in postgresql/V14*, built without holding the table's writers back.)
CREATE INDEX webhook_inbox_due_order_idx ON webhook_inbox (status, next_attempt_at, received_at);
DROP INDEX webhook_inbox_due_idx;

-- (vendor, received_at) serves no statement on H2: GET /api/webhooks is one fixed statement whose filters
-- are parameters that may be NULL, for which H2 uses no index; it reads newest first through
-- webhook_inbox_received_idx and filters. Every intake and every claim and outcome wrote it (H2 rewrites
-- each index of a row on every UPDATE of the row). PostgreSQL keeps it: its plans for a listing's first
-- runs see the values and can use it.
DROP INDEX webhook_inbox_vendor_idx;

-- What the two ranges rely on, held by the database: a new entry (RECEIVED) has no retry time, and a
-- retry (PENDING) that is not flagged has one. paybridge never writes anything else; a hand-made change
-- that would (an entry unflagged by an UPDATE that leaves no retry time) is refused instead of leaving
-- the entry outside both ranges, never processed. Entries already so are made due now.
UPDATE webhook_inbox SET next_attempt_at = CURRENT_TIMESTAMP
WHERE status = 'PENDING' AND flagged = FALSE AND next_attempt_at IS NULL;
UPDATE webhook_inbox SET next_attempt_at = NULL WHERE status = 'RECEIVED' AND next_attempt_at IS NOT NULL;
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_due_times CHECK (
    (status <> 'RECEIVED' OR next_attempt_at IS NULL)
    AND (status <> 'PENDING' OR flagged OR next_attempt_at IS NOT NULL));
