-- Each order carries the rate it was sold at (CNY per one major unit, the exact decimal text of
-- the rate table's entry in force on the order's UTC date) and its value in CNY fen, rounded
-- half away from zero; NULL in both when no rate was in force (the order is then named in
-- `missing_rates`). Every CNY figure is a sum of these stored values (docs/reports.md).
ALTER TABLE orders ADD COLUMN rate_cny TEXT;
ALTER TABLE orders ADD COLUMN value_cny_fen BIGINT;

-- Orders placed before this migration have no stored rate and stay NULL (reported in
-- `missing_rates`), except orders in CNY itself, whose rate is always 1.
UPDATE orders SET rate_cny = '1', value_cny_fen = total_minor WHERE currency = 'CNY';

-- The sessions' running totals carry the CNY value of the orders they count and how many of
-- them have no rate, so the host's feed shows the same CNY figure as the summary.
ALTER TABLE session_totals ADD COLUMN gmv_cny_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE session_totals ADD COLUMN unrated BIGINT NOT NULL DEFAULT 0;
UPDATE session_totals SET
    gmv_cny_fen = COALESCE((SELECT CAST(SUM(o.value_cny_fen) AS BIGINT) FROM orders o
        WHERE o.session_id = session_totals.session_id AND o.currency = session_totals.currency
        AND o.status <> 'cancelled'), 0),
    unrated = (SELECT COUNT(*) FROM orders o
        WHERE o.session_id = session_totals.session_id AND o.currency = session_totals.currency
        AND o.status <> 'cancelled' AND o.value_cny_fen IS NULL);
