-- Payments (docs/payments.md): an order becomes paid only on its payment provider's signed
-- callback. Timestamps are milliseconds since the Unix epoch (BIGINT).

-- A payment of an order through a provider: started by the buyer's POST /orders/{id}/pay
-- (pending; at most one pending per order), completed by the provider's callback: paid (with
-- the provider's transaction id and the time), failed, or refund_due (money that came for an
-- order that could no longer be paid: cancelled, or past its payment window).
CREATE TABLE payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    provider        TEXT   NOT NULL,
    amount_minor    BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    status          TEXT   NOT NULL
                    CHECK (status IN ('pending', 'paid', 'failed', 'refund_due')),
    transaction_id  TEXT,
    created_at      BIGINT NOT NULL,
    completed_at    BIGINT
);
CREATE UNIQUE INDEX payments_one_pending ON payments (order_id) WHERE status = 'pending';
CREATE INDEX payments_order ON payments (order_id);

-- Every provider transaction a verified callback reported, once per (provider, transaction
-- id): what the provider said (status, amount, currency), what became of it (paid, failed,
-- mismatch: amount or currency not the order's, refund_due) and the answer given, which a
-- repeat of the callback gets again without changing anything.
CREATE TABLE payment_callbacks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    provider        TEXT   NOT NULL,
    transaction_id  TEXT   NOT NULL,
    payment_id      BIGINT NOT NULL REFERENCES payments (id),
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    status          TEXT   NOT NULL,
    amount_minor    BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    outcome         TEXT   NOT NULL
                    CHECK (outcome IN ('paid', 'failed', 'mismatch', 'refund_due')),
    answer_status   BIGINT NOT NULL,
    answer          TEXT   NOT NULL,
    received_at     BIGINT NOT NULL,
    UNIQUE (provider, transaction_id)
);
CREATE INDEX payment_callbacks_payment ON payment_callbacks (payment_id);
