-- China's cross-border retail import limits count per person, by the orderer's (订购人) real
-- name and resident ID number (docs/cross-border.md, "Per person"). An order into CN carries
-- the orderer's name, a keyed hash of the ID number (HMAC-SHA256 with the deployment's
-- identity key, never the plain number) and the number masked for views and exports.
ALTER TABLE orders ADD COLUMN orderer_name TEXT;
ALTER TABLE orders ADD COLUMN orderer_id_hash TEXT;
ALTER TABLE orders ADD COLUMN orderer_id_masked TEXT;

CREATE INDEX orders_orderer ON orders (orderer_id_hash, market, created_at);

-- One row per person an order was ever decided for: the row the order's transaction locks
-- (an upsert) before it reads that person's earlier orders, so that two orders of one person
-- on two tokens or in two sessions are decided one after the other.
CREATE TABLE cross_border_persons (
    id_hash     TEXT   PRIMARY KEY,
    created_at  BIGINT NOT NULL
);

-- The key of the ID numbers' hashes when no `identity_secret` is set: made by the first
-- instance that needs it, shared by all (docs/security.md, "ID numbers").
CREATE TABLE identity_key (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    key  TEXT   NOT NULL
);
