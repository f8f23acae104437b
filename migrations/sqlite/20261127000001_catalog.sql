-- Catalog: products, variants, prices, rates, warehouses, stock, markets, translations; and the
-- API tokens. Timestamps are milliseconds since the Unix epoch (BIGINT on both backends).

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'host', 'buyer', 'operator')),
    digest      TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant        TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    hs_code         TEXT    NOT NULL,
    origin_country  TEXT    NOT NULL,
    weight_g        BIGINT  NOT NULL,
    customs_mode    TEXT,
    source_locale   TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    attributes      TEXT    NOT NULL,
    search_text     TEXT    NOT NULL,
    source_digest   TEXT    NOT NULL,
    archived_at     BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX products_category ON products (category);

CREATE TABLE variants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  BIGINT  NOT NULL REFERENCES products (id),
    sku         TEXT    NOT NULL UNIQUE,
    options     TEXT    NOT NULL,
    barcode     TEXT,
    archived_at BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE prices (
    variant_id    BIGINT NOT NULL REFERENCES variants (id),
    currency      TEXT   NOT NULL,
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (variant_id, currency)
);

CREATE TABLE rates (
    currency    TEXT   NOT NULL,
    valid_from  TEXT   NOT NULL,
    rate        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (currency, valid_from)
);

CREATE TABLE warehouses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    country     TEXT   NOT NULL,
    kind        TEXT   NOT NULL CHECK (kind IN ('border', 'overseas', 'bonded')),
    created_at  BIGINT NOT NULL
);

CREATE TABLE stock (
    variant_id    BIGINT NOT NULL REFERENCES variants (id),
    warehouse_id  BIGINT NOT NULL REFERENCES warehouses (id),
    available     BIGINT NOT NULL CHECK (available >= 0),
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (variant_id, warehouse_id)
);

CREATE TABLE markets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    country     TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    currencies  TEXT   NOT NULL,
    locales     TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE market_warehouses (
    country       TEXT   NOT NULL REFERENCES markets (country),
    warehouse_id  BIGINT NOT NULL REFERENCES warehouses (id),
    PRIMARY KEY (country, warehouse_id)
);

CREATE TABLE translations (
    product_id     BIGINT NOT NULL REFERENCES products (id),
    locale         TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    description    TEXT   NOT NULL,
    attributes     TEXT   NOT NULL,
    source_digest  TEXT   NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (product_id, locale)
);
