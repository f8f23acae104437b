//! The SQL of the mutual-trade ledger (docs/customs.md, "The mutual-trade ledger"): border
//! residents, their lots, the day's total each lot is checked against, and the products made
//! from lots. A lot is recorded only with one conditional update of the resident's day
//! (`… WHERE value_fen + $lot <= $allowance`), in the lot's transaction: like stock, two lots
//! recorded at once on PostgreSQL (READ COMMITTED) queue on that row and the second is decided
//! on the first's committed total.

use silkstream_catalog::db::now_ms;
use tracing::instrument;

use super::FeedStore;
use crate::domain::error::{Error, Result};

/// A border resident as stored (never the plain ID number).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentRow {
    pub id: i64,
    pub id_masked: String,
    pub name: String,
    pub certificate_number: String,
    pub certificate_expires: String,
    pub created_at: i64,
}

/// A lot as listed, with its resident's name and the products made from it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LotRow {
    pub id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub day: String,
    pub goods: String,
    pub hs_code: String,
    pub quantity: i64,
    pub unit: String,
    pub value_fen: i64,
    pub origin_country: String,
    pub processing_firm: String,
    pub created_at: i64,
}

/// A lot to record.
pub struct NewLot<'a> {
    pub resident_id: i64,
    pub day: &'a str,
    pub goods: &'a str,
    pub hs_code: &'a str,
    pub quantity: i64,
    pub unit: &'a str,
    pub value_fen: i64,
    pub origin_country: &'a str,
    pub processing_firm: &'a str,
    pub recorded_by: &'a str,
}

/// What recording a lot did.
pub enum Recorded {
    Lot(i64),
    /// The resident's lots of that day would pass the allowance: what they hold already.
    OverAllowance {
        already_fen: i64,
    },
}

impl FeedStore {
    /// Adds a border resident; 409 when one with the same ID number exists.
    #[instrument(skip_all)]
    pub(crate) async fn add_resident(
        &self,
        id_hash: &str,
        id_masked: &str,
        name: &str,
        certificate_number: &str,
        certificate_expires: &str,
    ) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO border_residents (id_hash, id_masked, name, certificate_number, \
             certificate_expires, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id_hash) DO NOTHING RETURNING id",
        )
        .bind(id_hash)
        .bind(id_masked)
        .bind(name)
        .bind(certificate_number)
        .bind(certificate_expires)
        .bind(now_ms())
        .fetch_optional(self.db.writer())
        .await?;
        row.map(|(id,)| id).ok_or_else(|| {
            Error::conflict(
                "resident_exists",
                "a border resident with this ID number is already recorded",
            )
        })
    }

    pub(crate) async fn residents(&self) -> Result<Vec<ResidentRow>> {
        Ok(sqlx::query_as(
            "SELECT id, id_masked, name, certificate_number, certificate_expires, created_at \
             FROM border_residents ORDER BY id",
        )
        .fetch_all(self.db.reader())
        .await?)
    }

    pub(crate) async fn resident(&self, id: i64) -> Result<ResidentRow> {
        sqlx::query_as(
            "SELECT id, id_masked, name, certificate_number, certificate_expires, created_at \
             FROM border_residents WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.db.reader())
        .await?
        .ok_or_else(|| Error::not_found(format!("border resident {id}")))
    }

    /// Records a lot if the resident's lots of its day stay within `allowance_fen`.
    #[instrument(skip_all, fields(resident_id = lot.resident_id))]
    pub(crate) async fn record_lot(
        &self,
        lot: &NewLot<'_>,
        allowance_fen: i64,
    ) -> Result<Recorded> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO mutual_trade_days (resident_id, day, value_fen) VALUES ($1, $2, 0) \
             ON CONFLICT (resident_id, day) DO NOTHING",
        )
        .bind(lot.resident_id)
        .bind(lot.day)
        .execute(&mut *tx)
        .await?;
        let raised = sqlx::query(
            "UPDATE mutual_trade_days SET value_fen = value_fen + $1 \
             WHERE resident_id = $2 AND day = $3 AND value_fen + $1 <= $4",
        )
        .bind(lot.value_fen)
        .bind(lot.resident_id)
        .bind(lot.day)
        .bind(allowance_fen)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if raised != 1 {
            let (already_fen,): (i64,) = sqlx::query_as(
                "SELECT value_fen FROM mutual_trade_days WHERE resident_id = $1 AND day = $2",
            )
            .bind(lot.resident_id)
            .bind(lot.day)
            .fetch_one(&mut *tx)
            .await?;
            return Ok(Recorded::OverAllowance { already_fen });
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO mutual_trade_lots (resident_id, day, goods, hs_code, quantity, unit, \
             value_fen, origin_country, processing_firm, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(lot.resident_id)
        .bind(lot.day)
        .bind(lot.goods)
        .bind(lot.hs_code)
        .bind(lot.quantity)
        .bind(lot.unit)
        .bind(lot.value_fen)
        .bind(lot.origin_country)
        .bind(lot.processing_firm)
        .bind(lot.recorded_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Recorded::Lot(id))
    }

    /// Lots, newest first (the latest 500), or those of one day.
    pub(crate) async fn lots(&self, day: Option<&str>) -> Result<Vec<LotRow>> {
        Ok(sqlx::query_as(
            "SELECT l.id, l.resident_id, r.name AS resident_name, l.day, l.goods, l.hs_code, \
             l.quantity, l.unit, l.value_fen, l.origin_country, l.processing_firm, l.created_at \
             FROM mutual_trade_lots l JOIN border_residents r ON r.id = l.resident_id \
             WHERE ($1 = '' OR l.day = $1) ORDER BY l.id DESC LIMIT 500",
        )
        .bind(day.unwrap_or(""))
        .fetch_all(self.db.reader())
        .await?)
    }

    /// The products made from each lot, by lot id.
    pub(crate) async fn lot_products(&self) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT lot_id, product_id FROM lot_products ORDER BY lot_id, product_id",
        )
        .fetch_all(self.db.reader())
        .await?)
    }

    /// Records that `product_id` is made from lot `lot_id` (404 for an unknown lot; once).
    pub(crate) async fn link_lot_product(&self, lot_id: i64, product_id: i64) -> Result<()> {
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM mutual_trade_lots WHERE id = $1")
                .bind(lot_id)
                .fetch_optional(self.db.reader())
                .await?;
        if known.is_none() {
            return Err(Error::not_found(format!("mutual-trade lot {lot_id}")));
        }
        sqlx::query(
            "INSERT INTO lot_products (lot_id, product_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (product_id, lot_id) DO NOTHING",
        )
        .bind(lot_id)
        .bind(product_id)
        .bind(now_ms())
        .execute(self.db.writer())
        .await?;
        Ok(())
    }
}
