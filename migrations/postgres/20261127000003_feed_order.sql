-- The WebSocket feed: global event ids handed out in commit order, and running totals per
-- session and currency written with the orders they count.

-- One row. Every transaction that logs events takes it (after its session's row) and draws the
-- events' ids from it, so ids are gapless and increase in commit order across sessions: a
-- reader that has seen id N will never see a smaller id appear later.
CREATE TABLE event_clock (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    last_id  BIGINT NOT NULL
);
INSERT INTO event_clock (id, last_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;

-- Orders, units and GMV of a session per currency, kept by the transactions that confirm and
-- cancel orders (under the session's row lock), so the host's feed carries exact totals.
CREATE TABLE session_totals (
    session_id  BIGINT NOT NULL REFERENCES sessions (id),
    currency    TEXT   NOT NULL,
    orders      BIGINT NOT NULL,
    units       BIGINT NOT NULL,
    gmv_minor   BIGINT NOT NULL,
    PRIMARY KEY (session_id, currency)
);
INSERT INTO session_totals (session_id, currency, orders, units, gmv_minor)
SELECT session_id, currency, COUNT(*), SUM(quantity), SUM(total_minor)
FROM orders WHERE status <> 'cancelled' GROUP BY session_id, currency;
