//! The one owner of stock movements: every unit that leaves or returns to a warehouse's
//! `stock` row moves through a function here, and each says whether it moved (`#[must_use]`).
//! Nothing else writes `stock`. The functions take the caller's transaction, so a move commits
//! with whatever it is for (an order, a sale's carve-out, a return) or not at all.
//!
//! Each move is one conditional `UPDATE`: on PostgreSQL (READ COMMITTED) a concurrent writer of
//! the same row waits for the row lock and then re-checks `available >= n` against the committed
//! value, so two transactions can never both take the last units; on SQLite the single writer
//! serialises them. A caller that moves several rows in one transaction moves them in
//! (variant, warehouse) order (see the feed's lock order).

use crate::codes::WarehouseKind;
use crate::db::Conn;
use crate::error::Result;

/// Whether units moved.
#[must_use = "a stock move that did not happen must not be treated as done"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Yes,
    /// Not enough units (or no stock row): nothing changed.
    No,
}

impl Moved {
    pub fn moved(self) -> bool {
        self == Moved::Yes
    }

    /// What a guarded single-row statement did, from the rows it affected.
    pub fn from_rows(rows: u64) -> Self {
        if rows == 1 {
            Moved::Yes
        } else {
            Moved::No
        }
    }
}

/// Takes `n` units of a variant from one warehouse, only if it has them.
pub async fn take(
    tx: &mut Conn,
    variant_id: i64,
    warehouse_id: i64,
    n: i64,
    now: i64,
) -> Result<Moved> {
    let rows = sqlx::query(
        "UPDATE stock SET available = available - $1, updated_at = $2 \
         WHERE variant_id = $3 AND warehouse_id = $4 AND available >= $1",
    )
    .bind(n)
    .bind(now)
    .bind(variant_id)
    .bind(warehouse_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(Moved::from_rows(rows))
}

/// Where [`take_for_market`] took the units: the warehouse, its kind and its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub warehouse_id: i64,
    pub kind: WarehouseKind,
    pub code: String,
}

/// Takes `n` units of a variant from the first warehouse (by id) serving `market` that has
/// them; where it took them from, or `None` when none has them. Usually one statement: the
/// conditional update of the first such warehouse, returning its kind and code. When that
/// warehouse lost its units between the choice and the row lock (PostgreSQL re-checks
/// `available >= n` on the committed row, not the choice), the warehouses are tried one by one.
pub async fn take_for_market(
    tx: &mut Conn,
    variant_id: i64,
    market: &str,
    n: i64,
    now: i64,
) -> Result<Option<Taken>> {
    let first: Option<(i64, String, String)> = sqlx::query_as(
        "UPDATE stock SET available = available - $1, updated_at = $2 \
         WHERE variant_id = $3 AND available >= $1 AND warehouse_id = (\
           SELECT s.warehouse_id FROM stock s JOIN market_warehouses mw \
           ON mw.warehouse_id = s.warehouse_id WHERE s.variant_id = $3 \
           AND mw.country = $4 AND s.available >= $1 ORDER BY s.warehouse_id LIMIT 1) \
         RETURNING warehouse_id, \
           (SELECT kind FROM warehouses w WHERE w.id = stock.warehouse_id), \
           (SELECT code FROM warehouses w WHERE w.id = stock.warehouse_id)",
    )
    .bind(n)
    .bind(now)
    .bind(variant_id)
    .bind(market)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((warehouse_id, kind, code)) = first {
        return Ok(Some(Taken {
            warehouse_id,
            kind: WarehouseKind::parse_stored(&kind),
            code,
        }));
    }
    let candidates: Vec<(i64,)> = sqlx::query_as(
        "SELECT s.warehouse_id FROM stock s JOIN market_warehouses mw \
         ON mw.warehouse_id = s.warehouse_id WHERE s.variant_id = $1 \
         AND mw.country = $2 AND s.available >= $3 ORDER BY s.warehouse_id",
    )
    .bind(variant_id)
    .bind(market)
    .bind(n)
    .fetch_all(&mut *tx)
    .await?;
    // What the SELECT saw may be gone by the time the row is locked: the conditional take
    // decides, and the next warehouse is tried.
    for (warehouse_id,) in candidates {
        if take(tx, variant_id, warehouse_id, n, now).await?.moved() {
            let (kind, code) = crate::customs::warehouse_in(tx, warehouse_id).await?;
            return Ok(Some(Taken {
                warehouse_id,
                kind,
                code,
            }));
        }
    }
    Ok(None)
}

/// Locks the stock rows of `variants` (sorted, without repeats) in (variant, warehouse) order
/// in the caller's transaction on PostgreSQL, so that a transaction taking units of several
/// variants queues behind another one instead of crossing it; nothing on SQLite (one write
/// transaction at a time).
pub async fn lock_variants(tx: &mut Conn, variants: &[i64]) -> Result<()> {
    if variants.is_empty() || !tx.backend_name().eq_ignore_ascii_case("postgresql") {
        return Ok(());
    }
    let list = crate::db::Params::new(tx).list(variants.len());
    let sql = format!(
        "SELECT 1 FROM stock WHERE variant_id IN ({list}) \
         ORDER BY variant_id, warehouse_id FOR UPDATE"
    );
    let mut q = sqlx::query(&sql);
    for v in variants {
        q = q.bind(*v);
    }
    q.fetch_all(&mut *tx).await?;
    Ok(())
}

/// Returns `n` units of a variant to a warehouse (a cancelled order, a sale's unsold units).
pub async fn put_back(
    tx: &mut Conn,
    variant_id: i64,
    warehouse_id: i64,
    n: i64,
    now: i64,
) -> Result<Moved> {
    if n <= 0 {
        return Ok(Moved::No);
    }
    let rows = sqlx::query(
        "UPDATE stock SET available = available + $1, updated_at = $2 \
         WHERE variant_id = $3 AND warehouse_id = $4",
    )
    .bind(n)
    .bind(now)
    .bind(variant_id)
    .bind(warehouse_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(Moved::from_rows(rows))
}

/// Sets a warehouse's count of a variant (an admin's stocktake), creating the row.
pub async fn set(
    tx: &mut Conn,
    variant_id: i64,
    warehouse_id: i64,
    available: i64,
    now: i64,
) -> Result<Moved> {
    let rows = sqlx::query(
        "INSERT INTO stock (variant_id, warehouse_id, available, updated_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (variant_id, warehouse_id) DO UPDATE \
         SET available = excluded.available, updated_at = excluded.updated_at",
    )
    .bind(variant_id)
    .bind(warehouse_id)
    .bind(available)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok(Moved::from_rows(rows))
}

/// Units of `variant_id` available at `warehouse_id` as the caller's transaction sees them (0
/// without a stock row): what a refused move tells the caller.
pub async fn available(tx: &mut Conn, variant_id: i64, warehouse_id: i64) -> Result<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2")
            .bind(variant_id)
            .bind(warehouse_id)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(row.map_or(0, |a| a.0))
}
