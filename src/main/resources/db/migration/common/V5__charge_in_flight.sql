-- When a charge attempt can no longer be in flight, and when reconcile looks at it next.
-- All times here are set and compared on the database's clock (CURRENT_TIMESTAMP), never a node's.
--
-- in_flight_until: the attempt's horizon (CONTRACT §2): set when the attempt is recorded (and when a
--   NOT_CHARGED attempt is reopened for a new send) to CURRENT_TIMESTAMP + the vendor operation's
--   whole deadline + a margin. "Never charged" is concluded only after it; /resolve refuses before it.
-- next_look_at / looks: reconcile's own schedule per row (backoff), so rows it cannot settle never
--   stay in front of newer ones. NULL = not looked at again (decided).
-- unsettled_reason: why the last look could not settle the row (left for an operator), NULL otherwise.
-- overturned_from / overturned_at: a conclusion (failure_code NOT_CHARGED or OPERATOR) that the
--   vendor's record later showed wrong: the payment became PAID then. Billing finds a period
--   re-sent meanwhile with: status = 'PAID' AND overturned_from IS NOT NULL.
ALTER TABLE payments ADD COLUMN in_flight_until TIMESTAMP WITH TIME ZONE;
ALTER TABLE payments ADD COLUMN next_look_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE payments ADD COLUMN looks INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE payments ADD COLUMN unsettled_reason VARCHAR(40);
ALTER TABLE payments ADD COLUMN overturned_from VARCHAR(64);
ALTER TABLE payments ADD COLUMN overturned_at TIMESTAMP WITH TIME ZONE;

-- attempts open while this version is installed: a generous horizon from now (the longest default
-- operation is 30 s + 10 s + 30 s), and looked at once it has passed
UPDATE payments SET in_flight_until = CURRENT_TIMESTAMP + CAST(120 AS BIGINT) * INTERVAL '1' SECOND,
    next_look_at = CURRENT_TIMESTAMP + CAST(120 AS BIGINT) * INTERVAL '1' SECOND
WHERE status IN ('PENDING', 'UNKNOWN');
UPDATE payments SET in_flight_until = updated_at WHERE in_flight_until IS NULL;

-- reconcile reads the rows due for a look, earliest first
CREATE INDEX payments_next_look_idx ON payments (next_look_at);
