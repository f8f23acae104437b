-- Money that did not pay an order (docs/payments.md): what is owed back, and every signed
-- callback whatever became of it. Timestamps are milliseconds since the Unix epoch (BIGINT).

-- Money owed back to a buyer, one row per amount: a transaction whose amount or currency was
-- not its order's (`mismatch`), money for an order that could no longer be paid
-- (`order_not_payable`), or a paid order cancelled by its host, an operator or an admin
-- (`order_cancelled`). Who decided it: the provider's callback (`provider <name>`) or the
-- person (`<role> #<token id> <name>`, with the token id). Refunding itself happens at the
-- provider; this is the list operators work from.
CREATE TABLE refunds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id           BIGINT REFERENCES payments (id),
    order_id             BIGINT NOT NULL REFERENCES orders (id),
    session_id           BIGINT NOT NULL,
    provider             TEXT   NOT NULL,
    transaction_id       TEXT,
    amount_minor         BIGINT NOT NULL,
    currency             TEXT   NOT NULL,
    reason               TEXT   NOT NULL
                         CHECK (reason IN ('mismatch', 'order_not_payable', 'order_cancelled')),
    decided_by           TEXT   NOT NULL,
    decided_by_token_id  BIGINT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE INDEX refunds_session ON refunds (session_id);

-- Every callback whose signature verified, whatever its fate: settled (`paid`, `failed`,
-- `mismatch`, `refund_due`), a repeat of a settled transaction (`repeat`), or refused before
-- settling (`refused`: a body the contract does not take, an unknown payment); with the answer
-- given and what could be read of the body (its first 4,096 bytes as sent).
CREATE TABLE payment_callback_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    provider        TEXT   NOT NULL,
    received_at     BIGINT NOT NULL,
    outcome         TEXT   NOT NULL,
    answer_status   BIGINT NOT NULL,
    code            TEXT,
    payment_id      BIGINT,
    transaction_id  TEXT,
    body            TEXT   NOT NULL
);
CREATE INDEX payment_callback_log_received ON payment_callback_log (received_at);
