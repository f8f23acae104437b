-- The three-document pre-check and CEB303 declarations (docs/customs.md). Timestamps are
-- milliseconds since the Unix epoch (BIGINT).

-- An order's logistics waybill, as the carrier issued it: who carries it, the tracking
-- number, the weighed parcel and the consignee on the label. One per order, replaced when the
-- carrier issues a new one.
CREATE TABLE waybills (
    order_id           BIGINT NOT NULL PRIMARY KEY REFERENCES orders (id),
    carrier            TEXT   NOT NULL,
    tracking_number    TEXT   NOT NULL,
    weight_g           BIGINT NOT NULL CHECK (weight_g > 0),
    consignee_name     TEXT   NOT NULL,
    consignee_phone    TEXT   NOT NULL,
    consignee_country  TEXT   NOT NULL,
    consignee_city     TEXT   NOT NULL,
    consignee_address  TEXT   NOT NULL,
    recorded_by        TEXT   NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- A batch of declarations an operator created: the paid retail-parcel (9610) orders of one
-- day in one time zone (`day`, `utc_offset`), or of one live session (`session_id`).
CREATE TABLE declaration_batches (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    scope                TEXT   NOT NULL CHECK (scope IN ('day', 'session')),
    day                  TEXT,
    utc_offset           TEXT,
    session_id           BIGINT,
    created_by           TEXT   NOT NULL,
    created_by_token_id  BIGINT NOT NULL,
    created_at           BIGINT NOT NULL
);

-- An order's declaration: in exactly one batch (the primary key: an order is never declared
-- twice), with the CEB303 message as it was generated and its state: pending (prepared),
-- declared (handed to the firm that transmits it), then accepted or rejected with the
-- receipt's message as an operator recorded it.
CREATE TABLE declarations (
    order_id     BIGINT NOT NULL PRIMARY KEY REFERENCES orders (id),
    batch_id     BIGINT NOT NULL REFERENCES declaration_batches (id),
    guid         TEXT   NOT NULL UNIQUE,
    state        TEXT   NOT NULL
                 CHECK (state IN ('pending', 'declared', 'accepted', 'rejected')),
    message      TEXT   NOT NULL,
    receipt      TEXT,
    declared_at  BIGINT,
    receipt_at   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX declarations_batch ON declarations (batch_id);
