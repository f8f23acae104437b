-- Feed: guest buyers, live sessions, showcase, flash sales, per-buyer sale counters, orders and
-- the per-session event log. Timestamps are milliseconds since the Unix epoch (BIGINT).

CREATE TABLE buyers (
    token_id      BIGINT PRIMARY KEY REFERENCES tokens (id),
    display_name  TEXT   NOT NULL,
    country       TEXT   NOT NULL,
    city          TEXT   NOT NULL,
    locale        TEXT   NOT NULL,
    client_addr   TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    host_token_id      BIGINT  NOT NULL REFERENCES tokens (id),
    title              TEXT    NOT NULL,
    language           TEXT    NOT NULL,
    markets            TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('scheduled', 'live', 'ended')),
    scheduled_at       BIGINT,
    started_at         BIGINT,
    ended_at           BIGINT,
    pinned_product_id  BIGINT  REFERENCES products (id),
    next_seq           BIGINT  NOT NULL DEFAULT 0,
    peak_viewers       BIGINT  NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX sessions_host ON sessions (host_token_id);

CREATE TABLE showcase (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    product_id  BIGINT NOT NULL REFERENCES products (id),
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (session_id, product_id)
);

CREATE TABLE flash_sales (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       BIGINT  NOT NULL REFERENCES sessions (id),
    variant_id       BIGINT  NOT NULL REFERENCES variants (id),
    warehouse_id     BIGINT  NOT NULL REFERENCES warehouses (id),
    allocated        BIGINT  NOT NULL CHECK (allocated > 0),
    remaining        BIGINT  NOT NULL CHECK (remaining >= 0),
    returned         BIGINT  NOT NULL DEFAULT 0 CHECK (returned >= 0),
    per_buyer_limit  BIGINT  NOT NULL CHECK (per_buyer_limit > 0),
    prices           TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('open', 'paused', 'ended')),
    starts_at        BIGINT  NOT NULL,
    ends_at          BIGINT  NOT NULL,
    ended_at         BIGINT,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX flash_sales_session ON flash_sales (session_id);
CREATE INDEX flash_sales_due ON flash_sales (state, ends_at);

CREATE TABLE sale_buyers (
    sale_id         BIGINT NOT NULL REFERENCES flash_sales (id),
    buyer_token_id  BIGINT NOT NULL REFERENCES tokens (id),
    units           BIGINT NOT NULL CHECK (units >= 0),
    PRIMARY KEY (sale_id, buyer_token_id)
);

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id        BIGINT  NOT NULL REFERENCES sessions (id),
    sale_id           BIGINT  REFERENCES flash_sales (id),
    buyer_token_id    BIGINT  NOT NULL REFERENCES tokens (id),
    idempotency_key   TEXT    NOT NULL,
    request_digest    TEXT    NOT NULL,
    variant_id        BIGINT  NOT NULL REFERENCES variants (id),
    product_id        BIGINT  NOT NULL REFERENCES products (id),
    warehouse_id      BIGINT  NOT NULL REFERENCES warehouses (id),
    quantity          BIGINT  NOT NULL CHECK (quantity > 0),
    currency          TEXT    NOT NULL,
    unit_price_minor  BIGINT  NOT NULL,
    total_minor       BIGINT  NOT NULL,
    market            TEXT    NOT NULL,
    buyer_city        TEXT    NOT NULL,
    locale            TEXT    NOT NULL,
    customs_mode      TEXT,
    ship_to           TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('confirmed', 'paid', 'shipped', 'delivered', 'cancelled')),
    pay_by            BIGINT  NOT NULL,
    paid_at           BIGINT,
    shipped_at        BIGINT,
    delivered_at      BIGINT,
    cancelled_at      BIGINT,
    cancel_reason     TEXT,
    carrier           TEXT,
    tracking_number   TEXT,
    created_at        BIGINT  NOT NULL,
    UNIQUE (buyer_token_id, idempotency_key)
);
CREATE INDEX orders_session ON orders (session_id);
CREATE INDEX orders_sale ON orders (sale_id);
CREATE INDEX orders_unpaid ON orders (status, pay_by);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  BIGINT  NOT NULL REFERENCES sessions (id),
    seq         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (session_id, seq)
);
