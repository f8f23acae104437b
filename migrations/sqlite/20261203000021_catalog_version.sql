-- The catalog's version: one row, raised by every transaction that changes what a product read
-- shows (a product, its variants, prices, stock set by an admin, translations, merchant names,
-- the rate table). Each instance reads it on a short clock and drops its cache of rendered
-- products when it moved: how a change made on one instance reaches the caches of the others
-- (docs/feed.md, "The catalog's read cache"). Stock moved by orders and sales reaches them
-- through the event log instead.
CREATE TABLE catalog_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);
