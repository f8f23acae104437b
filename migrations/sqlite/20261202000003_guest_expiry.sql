-- Guest buyers (made by POST /api/v1/buyers) who never order are deleted with their token once
-- this time (ms since the epoch) has passed; NULL for buyers made by the CLI or the demo.
ALTER TABLE buyers ADD COLUMN guest_until BIGINT;
CREATE INDEX buyers_guest_until ON buyers (guest_until);
