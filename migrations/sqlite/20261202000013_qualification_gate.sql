-- The qualification gate (docs/cross-border.md): merchants as rows, their credentials, the
-- insurer's link of an insurance product, and hosts' profiles. Timestamps are milliseconds since
-- the Unix epoch (BIGINT); dates are `YYYY-MM-DD` text.

-- A merchant: the seller of record of its products.
CREATE TABLE merchants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT   NOT NULL UNIQUE,
    country     TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A licence, registration or declaration a merchant holds: its kind (see
-- crates/catalog/data/regulated-categories.json), number, issuer, the days it is valid (both
-- inclusive) and the markets it covers (a JSON array of country codes). A revoked credential is
-- kept, with the time it was revoked.
CREATE TABLE merchant_credentials (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id  BIGINT NOT NULL REFERENCES merchants (id),
    kind         TEXT   NOT NULL,
    number       TEXT   NOT NULL,
    issuer       TEXT   NOT NULL,
    valid_from   TEXT   NOT NULL,
    valid_until  TEXT   NOT NULL,
    markets      TEXT   NOT NULL,
    revoked_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX merchant_credentials_merchant ON merchant_credentials (merchant_id, kind);
CREATE INDEX merchant_credentials_until ON merchant_credentials (valid_until);

-- Today's products: one merchant per distinct name, in the country of its first product.
INSERT INTO merchants (name, country, created_at, updated_at)
SELECT p.merchant,
       (SELECT q.origin_country FROM products q WHERE q.merchant = p.merchant ORDER BY q.id LIMIT 1),
       MIN(p.created_at), MIN(p.created_at)
FROM products p GROUP BY p.merchant ORDER BY MIN(p.id);

ALTER TABLE products ADD COLUMN merchant_id BIGINT REFERENCES merchants (id);
UPDATE products SET merchant_id = (SELECT m.id FROM merchants m WHERE m.name = products.merchant);
CREATE INDEX products_merchant ON products (merchant_id);

-- An insurance product is never sold in a live room: it carries only the link to the licensed
-- insurer's own platform.
ALTER TABLE products ADD COLUMN insurer_url TEXT;

-- A host's profile: the legal name and birth date they give, the operator's real-name
-- verification, and the guardian's consent on file (hosts aged 16 and 17).
CREATE TABLE host_profiles (
    token_id              BIGINT PRIMARY KEY REFERENCES tokens (id),
    legal_name            TEXT   NOT NULL,
    birth_date            TEXT   NOT NULL,
    verified_at           BIGINT,
    verified_by           TEXT,
    guardian_consent_ref  TEXT,
    guardian_consent_at   BIGINT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
