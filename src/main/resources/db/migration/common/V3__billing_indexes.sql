-- Recurring billing (issue 5): a run's document counts its attempts by state while it runs and
-- when it ends; the claims of a run are found by run_id.
CREATE INDEX billing_attempts_run_idx ON billing_attempts (run_id, state);
CREATE INDEX billing_attempts_period_idx ON billing_attempts (subscription_id, period_date, state);
