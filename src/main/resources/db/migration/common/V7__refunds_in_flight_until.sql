-- When a refund can no longer be in flight at its vendor (database clock): written with the row as
-- CURRENT_TIMESTAMP + the operation's in-flight horizon (OperationDeadline). A refund still PENDING
-- (its node stopped between the row and its finish) or UNKNOWN past this moment is looked up by the
-- reconcile-refunds route; before it, the cancel may still be on its way and nothing is concluded.
ALTER TABLE refunds ADD COLUMN in_flight_until TIMESTAMP WITH TIME ZONE;
-- rows written before this column: their call ended long ago, or their node is gone; ten minutes
-- after their last change is well past any vendor deadline
UPDATE refunds SET in_flight_until = updated_at + INTERVAL '10' MINUTE;
ALTER TABLE refunds ALTER COLUMN in_flight_until SET NOT NULL;
-- a row written without a bound (an operator's tool) is not in flight: reconcile may look at it at once
ALTER TABLE refunds ALTER COLUMN in_flight_until SET DEFAULT CURRENT_TIMESTAMP;
-- the reconcile-refunds route scans open refunds past their bound
CREATE INDEX refunds_open_idx ON refunds (status, in_flight_until);
