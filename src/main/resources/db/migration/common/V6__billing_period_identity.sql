-- Recurring billing: a period's identity, and a double charge an operator must see (CONTRACT §3).
--
-- 1. A period is its subscription and its index (the n-th period since the anchor), not the yyyyMMdd
--    of its id: that date depends on PAYBRIDGE_BILLING_TIMEZONE at the time of the claim, so a changed
--    zone (or two nodes with different zones) could claim one period twice under two dates.
--    period_index is fixed when the attempt is claimed; each attempt of a period is claimed once
--    (subscription_id, period_index, attempt_no), and at most one attempt of a period is PAID
--    (subscription_id, paid_period_index).
ALTER TABLE billing_attempts ADD COLUMN period_index INTEGER;
-- Existing attempts: every PAID attempt moved its subscription one period on, and a subscription
-- never skips a period, so counting back from the subscription's current period, an attempt's index
-- is that period minus the PAID attempts of its subscription dated on or after it (also right for
-- the attempts of one unpaid period claimed under two dates). Counted from the current period, not
-- from the anchor: a period PAID twice under two dates (two nodes with different zones before this
-- version) shifts only the indexes of the oldest periods (below 0: no index), never those of the
-- periods still to be claimed.
UPDATE billing_attempts SET period_index = (
    SELECT s.period_index FROM subscriptions s WHERE s.subscription_id = billing_attempts.subscription_id) - (
    SELECT COUNT(*) FROM billing_attempts p
    WHERE p.subscription_id = billing_attempts.subscription_id AND p.state = 'PAID'
        AND p.period_date >= billing_attempts.period_date);
UPDATE billing_attempts SET period_index = NULL WHERE period_index < 0;
-- An attempt of a period already claimed under another date (a zone change before this version)
-- keeps no index: the first claim keeps the period, the later one can never block it.
UPDATE billing_attempts SET period_index = NULL WHERE EXISTS (
    SELECT 1 FROM billing_attempts o
    WHERE o.subscription_id = billing_attempts.subscription_id AND o.period_index = billing_attempts.period_index
        AND o.attempt_no = billing_attempts.attempt_no
        AND (o.claimed_at < billing_attempts.claimed_at
            OR (o.claimed_at = billing_attempts.claimed_at AND o.payment_id < billing_attempts.payment_id)));
ALTER TABLE billing_attempts ADD COLUMN paid_period_index INTEGER;
UPDATE billing_attempts SET paid_period_index = period_index WHERE state = 'PAID';

-- 2. PAID_DUPLICATE: the vendor's record showed an attempt charged after another attempt of its
--    period was PAID (e.g. a NOT_CHARGED conclusion the vendor later contradicted, when the period's
--    next attempt had already been paid). double_charge_of names the attempt that paid the period.
--    The state column is rebuilt to widen its (unnamed, hence not portably droppable) CHECK.
ALTER TABLE billing_attempts ADD COLUMN double_charge_of VARCHAR(40);
ALTER TABLE billing_attempts ADD COLUMN state_new VARCHAR(16);
UPDATE billing_attempts SET state_new = state;
ALTER TABLE billing_attempts DROP CONSTRAINT IF EXISTS billing_attempts_paid_consistent;
DROP INDEX IF EXISTS billing_attempts_state_idx;
DROP INDEX IF EXISTS billing_attempts_run_idx;
DROP INDEX IF EXISTS billing_attempts_period_idx;
ALTER TABLE billing_attempts DROP COLUMN state;
ALTER TABLE billing_attempts RENAME COLUMN state_new TO state;
ALTER TABLE billing_attempts ALTER COLUMN state SET NOT NULL;
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_state_ck CHECK (state IN ('CLAIMED', 'SENT', 'PAID',
    'DECLINED', 'PENDING', 'UNKNOWN', 'NOT_CHARGED', 'PAID_DUPLICATE'));
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_paid_consistent
    CHECK ((state = 'PAID') = (paid_period IS NOT NULL));
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_paid_index_consistent
    CHECK (paid_period_index IS NULL OR state = 'PAID');
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_period_index_uk
    UNIQUE (subscription_id, period_index, attempt_no);
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_one_paid_index_uk
    UNIQUE (subscription_id, paid_period_index);
CREATE INDEX billing_attempts_state_idx ON billing_attempts (state);
CREATE INDEX billing_attempts_run_idx ON billing_attempts (run_id, state);
CREATE INDEX billing_attempts_period_idx ON billing_attempts (subscription_id, period_date, state);
