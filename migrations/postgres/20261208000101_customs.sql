-- The customs mode of each order (docs/customs.md). A merchant's customs registration (its
-- 10-character code at China Customs and the name registered with it) is what a CEB303
-- declaration names as the e-commerce firm (ebcCode, ebcName). An order records, beside the
-- mode decided when it is confirmed, the reason of that decision (a code: `bonded_warehouse`,
-- `overseas_warehouse`, `over_b2c_threshold`, `product_b2b`, `retail_parcel`). Warehouses
-- already carry their kind (`border`, the ordinary one; `overseas`; `bonded`).
ALTER TABLE merchants ADD COLUMN customs_code TEXT;
ALTER TABLE merchants ADD COLUMN customs_name TEXT;
ALTER TABLE orders ADD COLUMN customs_reason TEXT;
