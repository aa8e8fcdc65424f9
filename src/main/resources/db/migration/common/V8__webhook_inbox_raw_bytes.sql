-- A webhook body that is not readable text (not valid in its charset, or holding NUL bytes, which
-- PostgreSQL text columns refuse) is kept byte for byte in body_bytes, with body NULL; a readable
-- body stays in body as text (the hot path, and what operators read). Exactly one of them is set.
-- BYTEA is PostgreSQL's binary type and H2 (PostgreSQL mode) knows it as VARBINARY.
ALTER TABLE webhook_inbox ADD COLUMN body_bytes BYTEA;
ALTER TABLE webhook_inbox ALTER COLUMN body DROP NOT NULL;
ALTER TABLE webhook_inbox ADD CONSTRAINT webhook_inbox_body_present CHECK (body IS NOT NULL OR body_bytes IS NOT NULL);
