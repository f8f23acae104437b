-- The mutual-trade ledger (docs/customs.md, "The mutual-trade ledger"): border residents, the
-- lots of goods each brings across under the duty-free allowance, the day's running total per
-- resident that the allowance is checked against, and the products made from a lot.

-- A border resident (边民): their PRC resident ID number only as a keyed hash (the same key
-- and hash as orderers', docs/security.md) and masked, their name and their border-resident
-- certificate (number and last valid day, `YYYY-MM-DD`).
CREATE TABLE border_residents (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    id_hash              TEXT   NOT NULL UNIQUE,
    id_masked            TEXT   NOT NULL,
    name                 TEXT   NOT NULL,
    certificate_number   TEXT   NOT NULL,
    certificate_expires  TEXT   NOT NULL,
    created_at           BIGINT NOT NULL
);

-- A resident's value brought in on one day, in CNY fen: the row a lot's conditional update
-- raises only while it stays within the allowance in force that day.
CREATE TABLE mutual_trade_days (
    resident_id  BIGINT NOT NULL REFERENCES border_residents (id),
    day          TEXT   NOT NULL,
    value_fen    BIGINT NOT NULL CHECK (value_fen >= 0),
    PRIMARY KEY (resident_id, day)
);

-- A lot: what one resident brought in on one day (goods, HS code, quantity and its unit,
-- value in CNY fen, country of origin) and the processing firm that took it for local
-- processing.
CREATE TABLE mutual_trade_lots (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id      BIGINT NOT NULL REFERENCES border_residents (id),
    day              TEXT   NOT NULL,
    goods            TEXT   NOT NULL,
    hs_code          TEXT   NOT NULL,
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit             TEXT   NOT NULL,
    value_fen        BIGINT NOT NULL CHECK (value_fen > 0),
    origin_country   TEXT   NOT NULL,
    processing_firm  TEXT   NOT NULL,
    recorded_by      TEXT   NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX mutual_trade_lots_day ON mutual_trade_lots (day);

-- The provenance of a product made from lots: one row per (product, lot).
CREATE TABLE lot_products (
    lot_id      BIGINT NOT NULL REFERENCES mutual_trade_lots (id),
    product_id  BIGINT NOT NULL REFERENCES products (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (product_id, lot_id)
);
