-- Other nodes join a run only once the node that started it has prepared it: applied the outcomes decided
-- since earlier runs (a "never charged" the vendor's record overturned moves its subscription on). Joined
-- before that, a node could charge the next attempt of a period that was in fact paid. A run RUNNING when
-- this is applied was started by a version that prepared before anything else: joinable as it was.
-- One file for H2 (PostgreSQL mode) and PostgreSQL.
ALTER TABLE billing_runs ADD COLUMN prepared_at TIMESTAMP WITH TIME ZONE;
UPDATE billing_runs SET prepared_at = started_at WHERE status = 'RUNNING';
