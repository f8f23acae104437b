//! The SQL of customs (docs/customs.md): waybills, declaration batches and declarations, the
//! pre-check's reads of the orders it checks, the withdrawal list and the orders by mode. The
//! payments the pre-check reads come through the payments store ([`super::payments`]); the
//! catalog's facts through `silkstream_catalog::customs`. An order is declared at most once:
//! `declarations.order_id` is the primary key, and a batch keeps only the rows its own insert
//! wrote (`ON CONFLICT DO NOTHING`).

use silkstream_catalog::db::now_ms;
use tracing::instrument;

use super::FeedStore;
use crate::domain::error::{Error, Result};

/// A waybill as the carrier issued it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WaybillRow {
    pub order_id: i64,
    pub carrier: String,
    pub tracking_number: String,
    pub weight_g: i64,
    pub consignee_name: String,
    pub consignee_phone: String,
    pub consignee_country: String,
    pub consignee_city: String,
    pub consignee_address: String,
    pub updated_at: i64,
}

/// An order the pre-check looks at: a retail parcel (9610), not cancelled (an unpaid one is
/// `no_payment`), not declared yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub id: i64,
    pub session_id: i64,
    pub variant_id: i64,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub ship_to: String,
    pub status: String,
    pub rate_cny: Option<String>,
    pub value_cny_fen: Option<i64>,
    pub created_at: i64,
}

/// Which orders a batch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Orders confirmed within `[from, to)` (ms): one day in one time zone.
    Day { from: i64, to: i64 },
    /// Orders of one live session.
    Session(i64),
}

/// A batch as listed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub id: i64,
    pub scope: String,
    pub day: Option<String>,
    pub utc_offset: Option<String>,
    pub session_id: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub pending: i64,
    pub declared: i64,
    pub accepted: i64,
    pub rejected: i64,
}

/// A declaration as listed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeclarationRow {
    pub order_id: i64,
    pub batch_id: i64,
    pub guid: String,
    pub state: String,
    pub receipt: Option<String>,
    pub declared_at: Option<i64>,
    pub receipt_at: Option<i64>,
    pub created_at: i64,
}

/// A declared order that was cancelled or refunded since: to withdraw.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WithdrawalRow {
    pub order_id: i64,
    pub batch_id: i64,
    pub guid: String,
    pub state: String,
    pub order_status: String,
    pub cancel_reason: Option<String>,
    /// The latest refund's reason, when money is owed back.
    pub refund_reason: Option<String>,
}

/// What a new batch is made of: each order with the guid and message prepared for it.
pub struct Prepared {
    pub order_id: i64,
    pub guid: String,
    pub message: String,
}

const CANDIDATE_SELECT: &str = "SELECT o.id, o.session_id, o.variant_id, o.quantity, \
     o.currency, o.unit_price_minor, o.total_minor, o.ship_to, o.status, o.rate_cny, \
     o.value_cny_fen, o.created_at FROM orders o \
     WHERE o.customs_mode = '9610' \
     AND o.status IN ('confirmed', 'paid', 'shipped', 'delivered') \
     AND NOT EXISTS (SELECT 1 FROM declarations d WHERE d.order_id = o.id)";

impl FeedStore {
    /// Records (or replaces) an order's waybill; 404 for an unknown order.
    #[instrument(skip_all, fields(order_id = w.order_id))]
    pub(crate) async fn put_waybill(&self, w: &WaybillRow, by: &str) -> Result<()> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM orders WHERE id = $1")
            .bind(w.order_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(Error::not_found(format!("order {}", w.order_id)));
        }
        sqlx::query(
            "INSERT INTO waybills (order_id, carrier, tracking_number, weight_g, consignee_name, \
             consignee_phone, consignee_country, consignee_city, consignee_address, recorded_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             ON CONFLICT (order_id) DO UPDATE SET carrier = excluded.carrier, \
             tracking_number = excluded.tracking_number, weight_g = excluded.weight_g, \
             consignee_name = excluded.consignee_name, consignee_phone = excluded.consignee_phone, \
             consignee_country = excluded.consignee_country, \
             consignee_city = excluded.consignee_city, \
             consignee_address = excluded.consignee_address, recorded_by = excluded.recorded_by, \
             updated_at = excluded.updated_at",
        )
        .bind(w.order_id)
        .bind(&w.carrier)
        .bind(&w.tracking_number)
        .bind(w.weight_g)
        .bind(&w.consignee_name)
        .bind(&w.consignee_phone)
        .bind(&w.consignee_country)
        .bind(&w.consignee_city)
        .bind(&w.consignee_address)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The waybills of `order_ids`.
    pub(crate) async fn waybills(&self, order_ids: &[i64]) -> Result<Vec<WaybillRow>> {
        if order_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT order_id, carrier, tracking_number, weight_g, consignee_name, \
             consignee_phone, consignee_country, consignee_city, consignee_address, updated_at \
             FROM waybills WHERE order_id IN ({})",
            id_list(order_ids)
        );
        Ok(sqlx::query_as(&sql).fetch_all(self.db.reader()).await?)
    }

    /// The orders the pre-check looks at, in `scope` (every one when `None`), oldest first.
    pub(crate) async fn customs_candidates(
        &self,
        scope: Option<Scope>,
    ) -> Result<Vec<CandidateRow>> {
        let rows: Vec<CandidateRow> = match scope {
            None => {
                sqlx::query_as(&format!("{CANDIDATE_SELECT} ORDER BY o.id"))
                    .fetch_all(self.db.reader())
                    .await?
            }
            Some(Scope::Day { from, to }) => {
                sqlx::query_as(&format!(
                    "{CANDIDATE_SELECT} AND o.created_at >= $1 AND o.created_at < $2 ORDER BY o.id"
                ))
                .bind(from)
                .bind(to)
                .fetch_all(self.db.reader())
                .await?
            }
            Some(Scope::Session(id)) => {
                sqlx::query_as(&format!(
                    "{CANDIDATE_SELECT} AND o.session_id = $1 ORDER BY o.id"
                ))
                .bind(id)
                .fetch_all(self.db.reader())
                .await?
            }
        };
        Ok(rows)
    }

    /// Creates a batch of the prepared declarations, in one transaction: each order goes in
    /// only if no batch holds it (its insert meets the primary key otherwise: on PostgreSQL it
    /// waits for the other batch's transaction and then skips the order). `None`, and nothing
    /// written, when every order was taken meanwhile; else the batch id and its orders.
    #[instrument(skip_all)]
    pub(crate) async fn create_batch(
        &self,
        scope: &str,
        day: Option<(&str, &str)>,
        session_id: Option<i64>,
        by: (&str, i64),
        prepared: &[Prepared],
    ) -> Result<Option<(i64, Vec<i64>)>> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let (batch_id,): (i64,) = sqlx::query_as(
            "INSERT INTO declaration_batches (scope, day, utc_offset, session_id, created_by, \
             created_by_token_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(scope)
        .bind(day.map(|d| d.0))
        .bind(day.map(|d| d.1))
        .bind(session_id)
        .bind(by.0)
        .bind(by.1)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut taken = Vec::new();
        for p in prepared {
            let rows = sqlx::query(
                "INSERT INTO declarations (order_id, batch_id, guid, state, message, created_at) \
                 VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT (order_id) DO NOTHING",
            )
            .bind(p.order_id)
            .bind(batch_id)
            .bind(&p.guid)
            .bind(&p.message)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if rows == 1 {
                taken.push(p.order_id);
            }
        }
        if taken.is_empty() {
            // Dropping the transaction rolls the empty batch back.
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some((batch_id, taken)))
    }

    /// Batches, newest first, with their declarations counted by state.
    pub(crate) async fn batches(&self) -> Result<Vec<BatchRow>> {
        Ok(sqlx::query_as(
            "SELECT b.id, b.scope, b.day, b.utc_offset, b.session_id, b.created_by, b.created_at, \
             CAST(COALESCE(SUM(CASE WHEN d.state = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending, \
             CAST(COALESCE(SUM(CASE WHEN d.state = 'declared' THEN 1 ELSE 0 END), 0) AS BIGINT) AS declared, \
             CAST(COALESCE(SUM(CASE WHEN d.state = 'accepted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS accepted, \
             CAST(COALESCE(SUM(CASE WHEN d.state = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT) AS rejected \
             FROM declaration_batches b LEFT JOIN declarations d ON d.batch_id = b.id \
             GROUP BY b.id, b.scope, b.day, b.utc_offset, b.session_id, b.created_by, b.created_at \
             ORDER BY b.id DESC LIMIT 200",
        )
        .fetch_all(self.db.reader())
        .await?)
    }

    /// The declarations of batch `id` (404 for an unknown batch).
    pub(crate) async fn batch_declarations(&self, id: i64) -> Result<Vec<DeclarationRow>> {
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM declaration_batches WHERE id = $1")
                .bind(id)
                .fetch_optional(self.db.reader())
                .await?;
        if known.is_none() {
            return Err(Error::not_found(format!("declaration batch {id}")));
        }
        Ok(sqlx::query_as(
            "SELECT order_id, batch_id, guid, state, receipt, declared_at, receipt_at, created_at \
             FROM declarations WHERE batch_id = $1 ORDER BY order_id",
        )
        .bind(id)
        .fetch_all(self.db.reader())
        .await?)
    }

    /// The CEB303 message of an order's declaration (404 when the order is not declared).
    pub(crate) async fn declaration_message(&self, order_id: i64) -> Result<String> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT message FROM declarations WHERE order_id = $1")
                .bind(order_id)
                .fetch_optional(self.db.reader())
                .await?;
        row.map(|(m,)| m)
            .ok_or_else(|| Error::not_found(format!("declaration of order {order_id}")))
    }

    /// Marks a batch's pending declarations declared (handed to the transmitting firm); how
    /// many moved. 404 for an unknown batch.
    pub(crate) async fn declare_batch(&self, id: i64) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let known: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM declaration_batches WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(Error::not_found(format!("declaration batch {id}")));
        }
        let n = sqlx::query(
            "UPDATE declarations SET state = 'declared', declared_at = $1 \
             WHERE batch_id = $2 AND state = 'pending'",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Records the receipt of a declared order's declaration: `accepted` or `rejected`, with
    /// its message. Only from `declared` (409 otherwise; 404 when the order is not declared).
    pub(crate) async fn record_receipt(
        &self,
        order_id: i64,
        state: &str,
        receipt: &str,
    ) -> Result<()> {
        let n = sqlx::query(
            "UPDATE declarations SET state = $1, receipt = $2, receipt_at = $3 \
             WHERE order_id = $4 AND state = 'declared'",
        )
        .bind(state)
        .bind(receipt)
        .bind(now_ms())
        .bind(order_id)
        .execute(self.db.writer())
        .await?
        .rows_affected();
        if n == 1 {
            return Ok(());
        }
        let row: Option<(String,)> =
            sqlx::query_as("SELECT state FROM declarations WHERE order_id = $1")
                .bind(order_id)
                .fetch_optional(self.db.writer())
                .await?;
        match row {
            None => Err(Error::not_found(format!("declaration of order {order_id}"))),
            Some((s,)) => Err(Error::conflict(
                "declaration_state",
                format!("the declaration is {s}: a receipt is recorded only for a declared one"),
            )),
        }
    }

    /// Declarations (not rejected) whose order was cancelled or has money owed back since:
    /// what the transmitting firm must withdraw.
    pub(crate) async fn withdrawals(&self) -> Result<Vec<WithdrawalRow>> {
        Ok(sqlx::query_as(
            "SELECT d.order_id, d.batch_id, d.guid, d.state, o.status AS order_status, \
             o.cancel_reason, (SELECT r.reason FROM refunds r WHERE r.order_id = o.id \
             ORDER BY r.id DESC LIMIT 1) AS refund_reason \
             FROM declarations d JOIN orders o ON o.id = d.order_id \
             WHERE d.state <> 'rejected' AND (o.status = 'cancelled' \
             OR EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)) ORDER BY d.order_id",
        )
        .fetch_all(self.db.reader())
        .await?)
    }

    /// Orders not cancelled, counted by customs mode (`""` for none).
    pub(crate) async fn orders_by_mode(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(customs_mode, '') AS mode, COUNT(*) AS n FROM orders \
             WHERE status <> 'cancelled' GROUP BY COALESCE(customs_mode, '') ORDER BY 1",
        )
        .fetch_all(self.db.reader())
        .await?)
    }
}

/// `1, 2, 3` of ids (integers: nothing to quote).
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
