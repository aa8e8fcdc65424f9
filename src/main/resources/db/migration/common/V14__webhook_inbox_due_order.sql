-- The processing queue's index also in the order entries are taken up: received_at after the retry time.
-- A poll then reads its batch as one range of the index (new entries: status RECEIVED, no retry time,
-- oldest first; retries: status PENDING, retry time reached, soonest first) and stops at the batch's
-- size, instead of reading and sorting every open entry on every poll (a backlog of 10,000 read whole
-- 50 times over). It replaces the index of the same name, so an intake still writes as many indexes.
-- On PostgreSQL the build holds inserts into webhook_inbox back while it runs (CREATE INDEX without
-- CONCURRENTLY: one migration set for both databases, each in a transaction); vendors retry a delivery
-- that was not answered.
DROP INDEX webhook_inbox_due_idx;
CREATE INDEX webhook_inbox_due_idx ON webhook_inbox (status, next_attempt_at, received_at);
