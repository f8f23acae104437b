-- Product and variant pictures (docs/images.md). A picture is stored once per content
-- (`image_blobs`, keyed by the hash of its decoded pixels) however many products show it;
-- `refs` counts the `product_images` rows that show it and is changed only by a conditional
-- update of its own row, so an upload and a delete of the same picture queue on that row
-- (PostgreSQL) or the one writer (SQLite), and the last delete removes the blob row in the same
-- transaction. The served files (one per size) live in `image_files` when the database is the
-- store (PostgreSQL, or an in-memory SQLite), or in a folder next to the SQLite file, named
-- `{key}-{size}.{ext}` as here. `alt` is in the product's source locale; a translation carries the
-- alt text of the product's pictures in its locale (`translations.image_alts`, a JSON object by
-- picture id), put and screened with its title. Timestamps are milliseconds since the Unix epoch.
CREATE TABLE image_blobs (
    key         TEXT    PRIMARY KEY,
    refs        BIGINT  NOT NULL CHECK (refs >= 0),
    width       BIGINT  NOT NULL,
    height      BIGINT  NOT NULL,
    ext         TEXT    NOT NULL CHECK (ext IN ('jpg', 'png')),
    created_at  BIGINT  NOT NULL
);

CREATE TABLE image_files (
    name   TEXT    PRIMARY KEY,
    key    TEXT    NOT NULL REFERENCES image_blobs (key),
    bytes  BLOB   NOT NULL
);
CREATE INDEX image_files_key ON image_files (key);

CREATE TABLE product_images (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  BIGINT  NOT NULL REFERENCES products (id),
    variant_id  BIGINT  REFERENCES variants (id),
    position    BIGINT  NOT NULL,
    key         TEXT    NOT NULL REFERENCES image_blobs (key),
    alt         TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX product_images_product ON product_images (product_id, position);
CREATE INDEX product_images_key ON product_images (key);

ALTER TABLE translations ADD COLUMN image_alts TEXT NOT NULL DEFAULT '{}';
