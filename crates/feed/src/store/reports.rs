//! The operators' reads across sessions: sold orders for the sales report, and every order with
//! what the export needs. Formatting and grouping are `crate::reports`.

use super::FeedStore;
use crate::error::Result;

/// A sold (not cancelled) order as the sales report groups it.
#[derive(sqlx::FromRow)]
pub(crate) struct SoldOrder {
    pub session_id: i64,
    pub host_id: i64,
    pub host: String,
    pub market: String,
    pub created_at: i64,
    pub currency: String,
    pub quantity: i64,
    pub total_minor: i64,
    /// The order's stored CNY value in fen; `None` when it has no rate.
    pub value_cny_fen: Option<i64>,
}

/// One order as the export prints it.
#[derive(sqlx::FromRow)]
pub(crate) struct ExportRow {
    pub id: i64,
    pub created_at: i64,
    pub session_id: i64,
    pub host: String,
    pub market: String,
    pub buyer_city: String,
    pub sku: String,
    pub hs_code: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub currency: String,
    pub customs_mode: Option<String>,
    pub warehouse: String,
    pub status: String,
    pub tracking_number: Option<String>,
    pub host_id: i64,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub ship_to: String,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub carrier: Option<String>,
    pub rate_cny: Option<String>,
    pub value_cny_fen: Option<i64>,
}

impl FeedStore {
    /// Every order not cancelled, in id order.
    pub(crate) async fn sold_orders(&self) -> Result<Vec<SoldOrder>> {
        Ok(sqlx::query_as(
            "SELECT o.session_id, s.host_token_id AS host_id, t.name AS host, o.market, \
             o.created_at, o.currency, o.quantity, o.total_minor, o.value_cny_fen \
             FROM orders o JOIN sessions s ON s.id = o.session_id \
             JOIN tokens t ON t.id = s.host_token_id WHERE o.status <> 'cancelled' ORDER BY o.id",
        )
        .fetch_all(self.db.reader())
        .await?)
    }

    /// Every order, in id order, with its host, buyer, SKU, HS code, warehouse and recipient;
    /// people-written text made single-line (rows older than the checks).
    pub(crate) async fn export_rows(&self) -> Result<Vec<ExportRow>> {
        use silkstream_catalog::text::clean_line;
        let rows: Vec<ExportRow> = sqlx::query_as(
            "SELECT o.id, o.created_at, o.session_id, t.name AS host, o.market, o.buyer_city, \
             v.sku, pr.hs_code, o.quantity, o.unit_price_minor, o.total_minor, o.currency, \
             o.customs_mode, w.code AS warehouse, o.status, o.tracking_number, \
             s.host_token_id AS host_id, o.buyer_token_id AS buyer_id, COALESCE(b.display_name, '') AS buyer_name, \
             o.ship_to, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, \
             o.cancel_reason, o.carrier, o.rate_cny, o.value_cny_fen \
             FROM orders o JOIN sessions s ON s.id = o.session_id \
             LEFT JOIN buyers b ON b.token_id = o.buyer_token_id \
             JOIN tokens t ON t.id = s.host_token_id JOIN variants v ON v.id = o.variant_id \
             JOIN products pr ON pr.id = o.product_id JOIN warehouses w ON w.id = o.warehouse_id \
             ORDER BY o.id",
        )
        .fetch_all(self.db.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.host = clean_line(&r.host);
                r.buyer_city = clean_line(&r.buyer_city);
                r.buyer_name = clean_line(&r.buyer_name);
                r.carrier = r.carrier.as_deref().map(clean_line);
                r.tracking_number = r.tracking_number.as_deref().map(clean_line);
                r
            })
            .collect())
    }
}
