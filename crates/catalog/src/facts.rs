//! What other crates read of the catalog's variants, products, prices, warehouses and stock:
//! the catalog owns those tables, and the live sale (`silkstream-feed`) reaches them only
//! through these functions. Those read inside the caller's write take its connection, so the
//! answer is the one its transaction sees. Errors are the catalog's [`Error`](crate::Error).

use std::collections::HashSet;

use crate::db::{Conn, Db, Params};
use crate::error::Result;

/// What placing an order or opening a sale reads of a variant (one query).
#[derive(Debug, Clone)]
pub struct VariantFacts {
    pub product_id: i64,
    /// The variant's SKU now (an order shows its variant's current SKU).
    pub sku: String,
    pub customs_mode: Option<String>,
    /// The variant or its product is archived.
    pub archived: bool,
    pub category: String,
    pub weight_g: i64,
}

/// The facts of variant `variant_id`, if it exists.
pub async fn variant_facts(db: &Db, variant_id: i64) -> Result<Option<VariantFacts>> {
    type Facts = (
        i64,
        Option<String>,
        Option<i64>,
        Option<i64>,
        String,
        i64,
        String,
    );
    let row: Option<Facts> = sqlx::query_as(
        "SELECT v.product_id, pr.customs_mode, v.archived_at, pr.archived_at, pr.category, \
         pr.weight_g, v.sku FROM variants v JOIN products pr ON pr.id = v.product_id \
         WHERE v.id = $1",
    )
    .bind(variant_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(
        |(product_id, customs_mode, va, pa, category, weight_g, sku)| VariantFacts {
            product_id,
            sku,
            customs_mode,
            archived: va.is_some() || pa.is_some(),
            category,
            weight_g,
        },
    ))
}

/// Of the variants `ids` (sorted, without repeats), those archived or whose product is, read
/// in the caller's transaction in one query (the desk's batch).
pub async fn archived_among(conn: &mut Conn, ids: &[i64]) -> Result<HashSet<i64>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let list = Params::new(conn).list(ids.len());
    let sql = format!(
        "SELECT v.id FROM variants v JOIN products pr ON pr.id = v.product_id \
         WHERE v.id IN ({list}) AND (v.archived_at IS NOT NULL OR pr.archived_at IS NOT NULL)"
    );
    let mut q = sqlx::query_as::<_, (i64,)>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}

/// Whether product `product_id` exists (`Some`) and is archived (`Some(true)`).
pub async fn product_archived(db: &Db, product_id: i64) -> Result<Option<bool>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT archived_at FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(row.map(|(archived_at,)| archived_at.is_some()))
}

/// The variant's set price in `currency`, if it has one (never a converted one).
pub async fn set_price(db: &Db, variant_id: i64, currency: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT amount_minor FROM prices WHERE variant_id = $1 AND currency = $2")
            .bind(variant_id)
            .bind(currency)
            .fetch_optional(db.reader())
            .await?;
    Ok(row.map(|r| r.0))
}

/// A warehouse serving a market, with its stock of one variant.
#[derive(Debug, Clone)]
pub struct Serving {
    pub warehouse_id: i64,
    pub code: String,
    /// The market (country) it serves.
    pub country: String,
    /// Units of the variant available there (0 without a stock row).
    pub available: i64,
}

/// Every (warehouse, market it serves) pair with the warehouse's stock of `variant_id`, by
/// warehouse id.
pub async fn serving_warehouses(db: &Db, variant_id: i64) -> Result<Vec<Serving>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT w.id, w.code, mw.country, COALESCE(s.available, 0) FROM warehouses w \
         JOIN market_warehouses mw ON mw.warehouse_id = w.id \
         LEFT JOIN stock s ON s.warehouse_id = w.id AND s.variant_id = $1 \
         ORDER BY w.id",
    )
    .bind(variant_id)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(warehouse_id, code, country, available)| Serving {
            warehouse_id,
            code,
            country,
            available,
        })
        .collect())
}
