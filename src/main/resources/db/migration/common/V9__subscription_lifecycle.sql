-- Subscription lifecycle (CONTRACT §2-3): terms changed by PATCH, resume from PAST_DUE, HARD declines,
-- the list. One file for H2 (PostgreSQL mode) and PostgreSQL.

-- 1. An attempt keeps the terms it was claimed with. The claim (one INSERT ... SELECT from the
--    subscription's row) copies them, so a PATCH committed before the claim applies to it and one
--    committed after it never changes it, on any node, without a lock held across the vendor call.
--    NULL on attempts claimed before this version: they are charged with the subscription's terms.
ALTER TABLE billing_attempts ADD COLUMN vendor VARCHAR(16);
ALTER TABLE billing_attempts ADD COLUMN billing_key VARCHAR(80);
ALTER TABLE billing_attempts ADD COLUMN amount BIGINT;
ALTER TABLE billing_attempts ADD COLUMN currency CHAR(3);
ALTER TABLE billing_attempts ADD COLUMN order_name VARCHAR(40);
ALTER TABLE billing_attempts ADD COLUMN customer_name VARCHAR(100);
ALTER TABLE billing_attempts ADD COLUMN customer_phone VARCHAR(40);
ALTER TABLE billing_attempts ADD COLUMN customer_email VARCHAR(200);
-- a DECLINED attempt's category (the vendor's decline table when it was decided): HARD made the
-- subscription PAST_DUE at once; SOFT (or NULL: declined before this version) went on with dunning
ALTER TABLE billing_attempts ADD COLUMN decline_category VARCHAR(4);
ALTER TABLE billing_attempts ADD CONSTRAINT billing_attempts_decline_category_ck
    CHECK (decline_category IS NULL OR decline_category IN ('SOFT', 'HARD'));

-- 2. PAST_DUE facts: since when, why (RETRIES_EXHAUSTED or HARD_DECLINE), and the attempt that made it so.
ALTER TABLE subscriptions ADD COLUMN past_due_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE subscriptions ADD COLUMN past_due_reason VARCHAR(20);
ALTER TABLE subscriptions ADD COLUMN past_due_payment_id VARCHAR(40);
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_past_due_reason_ck
    CHECK (past_due_reason IS NULL OR past_due_reason IN ('RETRIES_EXHAUSTED', 'HARD_DECLINE'));
-- subscriptions PAST_DUE before this version got there by exhausting their retries
UPDATE subscriptions SET past_due_since = updated_at, past_due_reason = 'RETRIES_EXHAUSTED',
    past_due_payment_id = last_payment_id
WHERE state = 'PAST_DUE';

-- 3. Dunning restarted by a resume: declines are counted from attempt retry_base_attempt of the
--    period and retries are due at retry_from + each delay (NULL: from attempt 0 and the period's due date).
ALTER TABLE subscriptions ADD COLUMN retry_base_attempt INTEGER;
ALTER TABLE subscriptions ADD COLUMN retry_from TIMESTAMP WITH TIME ZONE;

-- 4. GET /api/subscriptions: oldest createdAt first, ties by id (the cursor is that pair), per customer too
CREATE INDEX subscriptions_created_idx ON subscriptions (created_at, subscription_id);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id, created_at, subscription_id);

-- 5. The run document: how many of the attempts due were dunning retries
ALTER TABLE billing_runs ADD COLUMN count_retries INTEGER DEFAULT 0 NOT NULL;
-- HARD declines of a run are read from its attempts
CREATE INDEX billing_attempts_run_category_idx ON billing_attempts (run_id, decline_category);
