-- A claim checks that its run has no attempt of the subscription yet (one attempt per subscription per
-- run): found by the subscription and the run, whatever the run's size.
CREATE INDEX billing_attempts_subscription_run_idx ON billing_attempts (subscription_id, run_id);
