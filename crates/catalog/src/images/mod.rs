//! Product and variant pictures (docs/images.md): an upload is decoded and re-encoded at the
//! sizes the pages need ([`process`]), stored once per content ([`files`]: a folder next to the
//! SQLite file, or the database), shown in order on a product or one of its variants, with alt
//! text in the product's source locale and, through the translation routes, in each translated
//! one; served by name with long-lived immutable caching ([`routes`]).
//!
//! Every write is a catalog write ([`crate::write`]): it raises `catalog_version`, so the
//! rendered products that carry the pictures are dropped from every instance's cache.
//!
//! A picture's bytes are shared by every product image that shows it; `image_blobs.refs`
//! counts them. An upload raises it with one upsert of the blob's row and a delete lowers it
//! with one conditional update, both in the write's transaction, and the delete that takes it
//! to zero removes the row (and, in the database store, the files) in that transaction: on
//! PostgreSQL the two queue on the blob's row, on SQLite on the one writer. In the folder
//! store the files are written before the transaction and removed after it, both under the
//! folder's lock, so an upload never finds its files removed under it and a failed write
//! leaves no file behind; what a crash between a file operation and its transaction leaves is
//! removed by the sweep at start ([`ImageStore::sweep`]).

pub mod files;
pub mod process;
pub mod routes;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cache::Changed;
use crate::db::{now_ms, placeholders, rfc3339};
use crate::error::{Error, Result};
use crate::store::{fetch_all_args, Arg, CatalogStore};

pub use files::{Files, ImageStore, DEFAULT_CACHE_BYTES, DEFAULT_MAX_BYTES};
pub use process::{ImageLimits, Processed, SIZES};

/// The longest alt text, in characters.
pub const MAX_ALT: usize = 250;

/// The URL of each size of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImageUrls {
    /// At most 160 pixels on its longest side: lists, pickers, the dashboard's rows.
    pub thumb: String,
    /// At most 720 pixels: a phone's width.
    pub phone: String,
    /// At most 1,600 pixels.
    pub large: String,
}

/// A picture of a product, or of one of its variants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductImage {
    pub id: i64,
    pub product_id: i64,
    /// The variant it shows, or null for the whole product.
    pub variant_id: Option<i64>,
    /// Its place among the product's pictures (1 is shown first).
    pub position: i64,
    /// Alt text in the product's source locale (may be empty).
    pub alt: String,
    /// Alt text per translated locale (from the product's translations).
    pub alts: BTreeMap<String, String>,
    /// The upright picture's size as uploaded.
    pub width: i64,
    pub height: i64,
    /// Served with `Cache-Control: public, max-age=31536000, immutable`: a URL names its
    /// content and never changes what it serves.
    pub urls: ImageUrls,
    pub created_at: String,
}

/// A product's pictures as the API answers them, rendered to JSON once when the product is read
/// from the database: a cached product is cloned for every reader whose answer adds landed
/// costs (a buyer), and its pictures then cost a reference count and a copy of their bytes, not
/// a clone and a serialization of each picture (the catalog-read benchmark's "with pictures").
#[derive(Debug, Clone)]
pub struct ImageList(Arc<serde_json::value::RawValue>);

impl ImageList {
    pub fn new(images: &[ProductImage]) -> Result<Self> {
        let json = serde_json::to_string(images).map_err(Error::internal)?;
        let raw = serde_json::value::RawValue::from_string(json).map_err(Error::internal)?;
        Ok(ImageList(Arc::from(raw)))
    }
}

impl Serialize for ImageList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ImageList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        Ok(ImageList(Arc::from(raw)))
    }
}

/// Changes to a picture; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImagePatch {
    /// Alt text in the product's source locale; screened by the claims filter like a title.
    pub alt: Option<String>,
    /// `null` shows the picture for the whole product.
    #[serde(default, deserialize_with = "crate::model::double_option")]
    #[schema(value_type = Option<i64>)]
    pub variant_id: Option<Option<i64>>,
}

/// A new order of a product's pictures: every picture of the product, once.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageOrder {
    pub image_ids: Vec<i64>,
}

/// The URL path a size of a picture is served at.
pub fn url(key: &str, size: &str, ext: &str) -> String {
    format!("/api/v1/images/{}", files::file_name(key, size, ext))
}

fn urls(key: &str, ext: &str) -> ImageUrls {
    ImageUrls {
        thumb: url(key, "thumb", ext),
        phone: url(key, "phone", ext),
        large: url(key, "large", ext),
    }
}

#[derive(sqlx::FromRow)]
struct ImageRow {
    id: i64,
    product_id: i64,
    variant_id: Option<i64>,
    position: i64,
    key: String,
    alt: String,
    width: i64,
    height: i64,
    ext: String,
    created_at: i64,
}

const IMAGE_SELECT: &str = "SELECT i.id, i.product_id, i.variant_id, i.position, i.key, i.alt, \
     b.width, b.height, b.ext, i.created_at FROM product_images i \
     JOIN image_blobs b ON b.key = i.key";

#[derive(sqlx::FromRow)]
struct AltRow {
    product_id: i64,
    locale: String,
    image_alts: String,
}

/// A translation's product, locale and alt texts (JSON), as `translations` holds them.
pub(crate) type TranslationAlts<'a> = (i64, &'a str, &'a str);

/// A translation's alt texts: picture id → text.
pub type ImageAlts = BTreeMap<String, String>;

/// Checks a translation's alt texts: each key a picture id, each text one clean line.
pub fn check_alts(alts: &ImageAlts) -> Result<BTreeMap<i64, String>> {
    let mut out = BTreeMap::new();
    for (id, alt) in alts {
        let field = format!("image_alts.{id}");
        let id: i64 = id
            .parse()
            .ok()
            .filter(|i| *i > 0)
            .ok_or_else(|| Error::invalid(&field, "a key is a picture's id"))?;
        out.insert(id, crate::text::line(&field, alt, MAX_ALT)?);
    }
    Ok(out)
}

impl CatalogStore {
    /// The pictures of these products, in order, with their alt texts per translated locale.
    pub(crate) async fn images_of(
        &self,
        product_ids: &[i64],
        translations: Option<&[TranslationAlts<'_>]>,
    ) -> Result<HashMap<i64, Vec<ProductImage>>> {
        if product_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let args: Vec<Arg> = product_ids.iter().map(|id| Arg::Int(*id)).collect();
        let sql = format!(
            "{IMAGE_SELECT} WHERE i.product_id IN ({}) ORDER BY i.product_id, i.position, i.id",
            placeholders(1, args.len())
        );
        let rows = fetch_all_args::<ImageRow>(self.db.reader(), &sql, &args).await?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        let read;
        let translations = match translations {
            Some(given) => given,
            None => {
                let sql = format!(
                    "SELECT product_id, locale, image_alts FROM translations \
                     WHERE product_id IN ({}) AND image_alts <> '{{}}' ORDER BY locale",
                    placeholders(1, args.len())
                );
                read = fetch_all_args::<AltRow>(self.db.reader(), &sql, &args).await?;
                &read
                    .iter()
                    .map(|r| (r.product_id, r.locale.as_str(), r.image_alts.as_str()))
                    .collect::<Vec<_>>()
            }
        };
        let mut alts: HashMap<(i64, i64), BTreeMap<String, String>> = HashMap::new();
        for (product_id, locale, image_alts) in translations {
            let by_id: ImageAlts = serde_json::from_str(image_alts).unwrap_or_default();
            for (id, alt) in by_id {
                if let Ok(id) = id.parse::<i64>() {
                    alts.entry((*product_id, id))
                        .or_default()
                        .insert((*locale).to_owned(), alt);
                }
            }
        }
        let mut out: HashMap<i64, Vec<ProductImage>> = HashMap::new();
        for row in rows {
            let image = ProductImage {
                id: row.id,
                product_id: row.product_id,
                variant_id: row.variant_id,
                position: row.position,
                alt: row.alt,
                alts: alts.remove(&(row.product_id, row.id)).unwrap_or_default(),
                width: row.width,
                height: row.height,
                urls: urls(&row.key, &row.ext),
                created_at: rfc3339(row.created_at),
            };
            out.entry(row.product_id).or_default().push(image);
        }
        Ok(out)
    }

    /// A product's pictures, in order (404 when the product does not exist).
    pub async fn list_images(&self, product_id: i64) -> Result<Vec<ProductImage>> {
        self.product_row(product_id).await?;
        Ok(self
            .images_of(&[product_id], None)
            .await?
            .remove(&product_id)
            .unwrap_or_default())
    }

    async fn image(&self, product_id: i64, image_id: i64) -> Result<ProductImage> {
        self.list_images(product_id)
            .await?
            .into_iter()
            .find(|i| i.id == image_id)
            .ok_or_else(|| Error::not_found(format!("image {image_id} of product {product_id}")))
    }

    /// Adds a processed upload as the product's last picture (of a variant of it, or of the
    /// whole product); `claims`' warned hits of its alt text go into the evidence log in the
    /// same transaction.
    pub async fn add_image(
        &self,
        product_id: i64,
        variant_id: Option<i64>,
        alt: &str,
        picture: &Processed,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<ProductImage> {
        let images = self.images().clone();
        let folder = images.lock_folder().await;
        images.files().write_folder(picture).await?;
        let added = self
            .add_image_row(product_id, variant_id, alt, picture, claims)
            .await;
        if added.is_err() {
            // Nothing references the files this upload may have written unless a committed
            // row does: remove them if none.
            images
                .files()
                .remove_unreferenced(&self.db, &picture.key, picture.ext())
                .await?;
        }
        let id = added?;
        drop(folder);
        self.image(product_id, id).await
    }

    async fn add_image_row(
        &self,
        product_id: i64,
        variant_id: Option<i64>,
        alt: &str,
        picture: &Processed,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<i64> {
        let now = now_ms();
        let mut w = self.write().await?;
        lock_product(w.tx(), product_id, now).await?;
        if let Some(v) = variant_id {
            check_variant(w.tx(), product_id, v).await?;
        }
        let (refs,): (i64,) = sqlx::query_as(
            "INSERT INTO image_blobs (key, refs, width, height, ext, created_at) \
             VALUES ($1, 1, $2, $3, $4, $5) \
             ON CONFLICT (key) DO UPDATE SET refs = image_blobs.refs + 1 RETURNING refs",
        )
        .bind(&picture.key)
        .bind(i64::from(picture.width))
        .bind(i64::from(picture.height))
        .bind(picture.ext())
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        if refs == 1 {
            self.images().files().insert_rows(w.tx(), picture).await?;
        }
        let (position,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM product_images WHERE product_id = $1",
        )
        .bind(product_id)
        .fetch_one(w.tx())
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO product_images (product_id, variant_id, position, key, alt, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(product_id)
        .bind(variant_id)
        .bind(position)
        .bind(&picture.key)
        .bind(alt)
        .bind(now)
        .fetch_one(w.tx())
        .await?;
        crate::claims::write_pending(claims, w.tx(), product_id).await?;
        w.changed(Changed::Product(product_id));
        w.commit().await?;
        Ok(id)
    }

    /// Changes a picture's alt text or the variant it shows.
    pub async fn update_image(
        &self,
        product_id: i64,
        image_id: i64,
        alt: Option<&str>,
        variant_id: Option<Option<i64>>,
        claims: Option<&crate::claims::Pending<'_>>,
    ) -> Result<ProductImage> {
        let now = now_ms();
        {
            let mut w = self.write().await?;
            lock_product(w.tx(), product_id, now).await?;
            if let Some(Some(v)) = variant_id {
                check_variant(w.tx(), product_id, v).await?;
            }
            let done = sqlx::query(
                "UPDATE product_images SET alt = COALESCE($3, alt), \
                 variant_id = CASE WHEN $4 = 1 THEN $5 ELSE variant_id END, updated_at = $6 \
                 WHERE id = $1 AND product_id = $2",
            )
            .bind(image_id)
            .bind(product_id)
            .bind(alt)
            .bind(i64::from(variant_id.is_some()))
            .bind(variant_id.flatten())
            .bind(now)
            .execute(w.tx())
            .await?
            .rows_affected();
            if done != 1 {
                return Err(Error::not_found(format!(
                    "image {image_id} of product {product_id}"
                )));
            }
            crate::claims::write_pending(claims, w.tx(), product_id).await?;
            w.changed(Changed::Product(product_id));
            w.commit().await?;
        }
        self.image(product_id, image_id).await
    }

    /// Puts a product's pictures in the order given: every one of them, once.
    pub async fn reorder_images(
        &self,
        product_id: i64,
        order: &[i64],
    ) -> Result<Vec<ProductImage>> {
        let now = now_ms();
        {
            let mut w = self.write().await?;
            lock_product(w.tx(), product_id, now).await?;
            let mut have = picture_ids(w.tx(), product_id).await?;
            have.sort_unstable();
            let mut given = order.to_vec();
            given.sort_unstable();
            if given.windows(2).any(|p| p[0] == p[1]) {
                return Err(Error::invalid("image_ids", "a picture is listed twice"));
            }
            if given != have {
                return Err(Error::invalid(
                    "image_ids",
                    format!(
                        "list every picture of product {product_id} once ({} now: {:?})",
                        have.len(),
                        have
                    ),
                ));
            }
            for (i, id) in order.iter().enumerate() {
                let done = sqlx::query(
                    "UPDATE product_images SET position = $3, updated_at = $4 \
                     WHERE id = $1 AND product_id = $2",
                )
                .bind(*id)
                .bind(product_id)
                .bind(i as i64 + 1)
                .bind(now)
                .execute(w.tx())
                .await?
                .rows_affected();
                if done != 1 {
                    return Err(Error::internal(format!(
                        "image {id} of product {product_id} vanished under its lock"
                    )));
                }
            }
            w.changed(Changed::Product(product_id));
            w.commit().await?;
        }
        self.list_images(product_id).await
    }

    /// Deletes a picture; its files go when no other picture shows the same content.
    pub async fn delete_image(&self, product_id: i64, image_id: i64) -> Result<()> {
        let images = self.images().clone();
        let folder = images.lock_folder().await;
        let now = now_ms();
        let mut w = self.write().await?;
        lock_product(w.tx(), product_id, now).await?;
        let deleted: Option<(String,)> = sqlx::query_as(
            "DELETE FROM product_images WHERE id = $1 AND product_id = $2 RETURNING key",
        )
        .bind(image_id)
        .bind(product_id)
        .fetch_optional(w.tx())
        .await?;
        let Some((key,)) = deleted else {
            return Err(Error::not_found(format!(
                "image {image_id} of product {product_id}"
            )));
        };
        let left: Option<(i64, String)> = sqlx::query_as(
            "UPDATE image_blobs SET refs = refs - 1 WHERE key = $1 AND refs > 0 \
             RETURNING refs, ext",
        )
        .bind(&key)
        .fetch_optional(w.tx())
        .await?;
        let Some((left, ext)) = left else {
            return Err(Error::internal(format!(
                "the picture {key} of image {image_id} has no counted blob"
            )));
        };
        if left == 0 {
            images.files().delete_rows(w.tx(), &key).await?;
            let gone = sqlx::query("DELETE FROM image_blobs WHERE key = $1 AND refs = 0")
                .bind(&key)
                .execute(w.tx())
                .await?
                .rows_affected();
            if gone != 1 {
                return Err(Error::internal(format!(
                    "the blob {key} changed under its row lock"
                )));
            }
        }
        w.changed(Changed::Product(product_id));
        w.commit().await?;
        if left == 0 {
            // The blob row went with this commit, under the folder's lock: its files go too.
            images.forget(&key, &ext);
            images.files().remove(&key, &ext).await?;
        }
        drop(folder);
        Ok(())
    }

    /// The pictures' store of this instance.
    pub fn images(&self) -> &Arc<ImageStore> {
        &self.images
    }
}

/// 422 unless every id is a picture of the product (a translation's alt texts name them).
pub(crate) async fn check_pictures_of(
    tx: &mut crate::db::Conn,
    product_id: i64,
    ids: impl Iterator<Item = &i64>,
) -> Result<()> {
    let have = picture_ids(tx, product_id).await?;
    for id in ids {
        if !have.contains(id) {
            return Err(Error::invalid(
                format!("image_alts.{id}"),
                format!("product {product_id} has no picture {id}"),
            ));
        }
    }
    Ok(())
}

/// The ids of a product's pictures, read in the caller's transaction.
async fn picture_ids(tx: &mut crate::db::Conn, product_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM product_images WHERE product_id = $1")
        .bind(product_id)
        .fetch_all(&mut *tx)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Takes the product's row for the rest of the transaction (on PostgreSQL; SQLite has the one
/// writer) and marks it changed: pictures are numbered in its order. 404 when it is not there.
async fn lock_product(tx: &mut crate::db::Conn, product_id: i64, now: i64) -> Result<()> {
    let done = sqlx::query("UPDATE products SET updated_at = $2 WHERE id = $1")
        .bind(product_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done != 1 {
        return Err(Error::not_found(format!("product {product_id}")));
    }
    Ok(())
}

/// 422 unless the variant is one of the product's.
async fn check_variant(tx: &mut crate::db::Conn, product_id: i64, variant_id: i64) -> Result<()> {
    let of: Option<(i64,)> = sqlx::query_as("SELECT product_id FROM variants WHERE id = $1")
        .bind(variant_id)
        .fetch_optional(&mut *tx)
        .await?;
    match of {
        Some((p,)) if p == product_id => Ok(()),
        _ => Err(Error::invalid(
            "variant_id",
            format!("variant {variant_id} is not a variant of product {product_id}"),
        )),
    }
}
