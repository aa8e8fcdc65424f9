-- Billing keys issued through POST /api/billing-keys from a customer's authorization (Toss: authKey ->
-- billingKey). The authorization is the idempotency key: the same authKey again answers the key issued
-- the first time without calling the vendor. Only its SHA-256 (hex) is kept, never the authKey itself.
-- status PENDING: the vendor was (or is being) asked; in_flight_until (database clock) says from when
-- a request with the same authKey may ask again (with the same Idempotency-Key: the vendor answers its
-- first answer, never a second key). ISSUED: billing_key and the card as the vendor masks it.
CREATE TABLE billing_keys (
    vendor           VARCHAR(16)  NOT NULL,
    auth_key_hash    CHAR(64)     NOT NULL,
    customer_id      VARCHAR(64)  NOT NULL,
    status           VARCHAR(16)  NOT NULL CHECK (status IN ('PENDING', 'ISSUED')),
    billing_key      VARCHAR(200),
    card_number      VARCHAR(40),
    card_issuer      VARCHAR(40),
    in_flight_until  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    issued_at        TIMESTAMP WITH TIME ZONE,
    CONSTRAINT billing_keys_pk PRIMARY KEY (vendor, auth_key_hash),
    CONSTRAINT billing_keys_issued_has_key CHECK (status <> 'ISSUED' OR billing_key IS NOT NULL)
);
