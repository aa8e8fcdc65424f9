-- The feed (GET /api/events) reads in (created_at, seq) order below the commit horizon (seq alone is not
-- commit order: a transaction that inserted first may commit last). The time index gains seq for that
-- order, and the type filter's index reads it too; same number of indexes as before.
DROP INDEX events_created_idx;
CREATE INDEX events_created_idx ON events (created_at, seq);
DROP INDEX events_type_idx;
CREATE INDEX events_type_idx ON events (type, created_at, seq);
