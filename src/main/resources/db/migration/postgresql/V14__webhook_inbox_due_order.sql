-- The processing queue's index also in the order entries are taken up (see h2/V14 for why), built and
-- the old one dropped CONCURRENTLY: the webhook intake of nodes still running keeps storing deliveries
-- while it is built (a plain CREATE INDEX holds inserts back for the whole build, and DROP INDEX takes
-- the table). Flyway runs a script of only such statements outside a transaction, so a node stopped
-- half-way leaves what it did: the first statement drops a build left unfinished (PostgreSQL keeps it as
-- an invalid index, which writes still maintain and no query uses), and the script runs again whole.
-- A statement that fails (rather than a node that stops) is recorded as a failed migration by Flyway:
-- the next start refuses to run until `flyway repair` (or deleting that row of flyway_schema_history).
DROP INDEX CONCURRENTLY IF EXISTS webhook_inbox_due_order_idx;
CREATE INDEX CONCURRENTLY webhook_inbox_due_order_idx ON webhook_inbox (status, next_attempt_at, received_at);
DROP INDEX CONCURRENTLY IF EXISTS webhook_inbox_due_idx;
