-- The feed (GET /api/events) reads in (created_at, seq) order below the commit horizon (seq alone is not
-- commit order: a transaction that inserted first may commit last). The time index and the type filter's
-- index in that order replace the two before them: as many indexes as before.
-- (PostgreSQL: the same in paybridge.ledger.V16__events_feed_order, built without holding writers back.)
CREATE INDEX events_feed_idx ON events (created_at, seq);
DROP INDEX events_created_idx;
CREATE INDEX events_type_feed_idx ON events (type, created_at, seq);
DROP INDEX events_type_idx;
