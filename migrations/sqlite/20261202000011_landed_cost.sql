-- Landed-cost quotes (docs/cross-border.md): the rule table, loaded from
-- data/landed-cost-rules.json at start (origin 'file') or written by an admin (origin 'admin',
-- which the file no longer changes), and the quote each order was placed under.
CREATE TABLE landed_cost_rules (
    id          TEXT   PRIMARY KEY,
    spec        TEXT   NOT NULL,
    origin      TEXT   NOT NULL CHECK (origin IN ('file', 'admin')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

ALTER TABLE orders ADD COLUMN landed_cost TEXT;

CREATE INDEX orders_buyer_market ON orders (buyer_token_id, market, created_at);
