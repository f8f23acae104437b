-- Ordering by comment (docs/live-room.md): a buyer's saved delivery address and currency (what a
-- comment order is placed with; `PUT /api/v1/buyers/me/ship-to`), a session's own order
-- keywords (null: the built-in ones), and the order a comment became.
ALTER TABLE buyers ADD COLUMN ship_to TEXT;
ALTER TABLE buyers ADD COLUMN currency TEXT;
ALTER TABLE sessions ADD COLUMN chat_keywords TEXT;
ALTER TABLE chat_messages ADD COLUMN order_id BIGINT REFERENCES orders (id);
