//! The operators' reads across sessions: sold orders summed by the database for the sales report
//! (one row per session, market, currency and quarter hour, however many orders), and the export's
//! orders a page at a time. Formatting and grouping are `crate::reports`.

use super::FeedStore;
use crate::error::Result;

/// The sold (not cancelled) orders of one session, market and currency in one quarter hour, as
/// the database summed them: what the sales report groups (every offset any zone has used since
/// 1972 is a whole number of quarter hours from UTC, Kathmandu's +5:45 and Chatham's +12:45
/// included, so a quarter hour never straddles two days in any zone).
#[derive(sqlx::FromRow)]
pub(crate) struct SoldSum {
    pub session_id: i64,
    pub host_id: i64,
    pub host: String,
    pub market: String,
    pub currency: String,
    /// Its first moment, in ms since the epoch.
    pub bucket_ms: i64,
    pub orders: i64,
    pub units: i64,
    /// Within one session and currency: bounded by the session's totals, which fit 64 bits.
    pub total_minor: i64,
    /// The orders' stored CNY values in fen, of those that have one.
    pub cny_fen: i64,
    /// How many of the orders have a stored CNY value.
    pub rated: i64,
}

/// The quarter hour the sales report sums orders by.
pub(crate) const BUCKET_MS: i64 = 15 * 60 * 1000;

/// Orders the export reads at a time, each page one chunk of the answer (public for the
/// end-to-end test that counts the chunks, `the_export_streams_a_page_at_a_time`).
pub const EXPORT_PAGE: i64 = 500;

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
    /// Why the order has its customs mode.
    pub customs_reason: Option<String>,
    /// The mutual-trade lot the product is made from (the first, when several).
    pub mutual_trade_lot: Option<i64>,
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
    /// The status of the order's latest payment.
    pub payment_status: Option<String>,
    /// The money owed back for the order, in its currency (`refunds`).
    pub refund_minor: Option<i64>,
    /// Who decided the latest refund of the order.
    pub refund_decided_by: Option<String>,
    /// The orderer of an order into CN: the name and the ID number masked (never the plain
    /// number, which is not stored).
    pub orderer_name: Option<String>,
    pub orderer_id_masked: Option<String>,
}

impl FeedStore {
    /// The orders not cancelled, summed per session, market, currency and quarter hour.
    pub(crate) async fn sold_sums(&self) -> Result<Vec<SoldSum>> {
        let sql = format!(
            "SELECT o.session_id, s.host_token_id AS host_id, t.name AS host, o.market, \
             o.currency, (o.created_at / {BUCKET_MS}) * {BUCKET_MS} AS bucket_ms, \
             COUNT(*) AS orders, CAST(SUM(o.quantity) AS BIGINT) AS units, \
             CAST(SUM(o.total_minor) AS BIGINT) AS total_minor, \
             CAST(COALESCE(SUM(o.value_cny_fen), 0) AS BIGINT) AS cny_fen, \
             COUNT(o.value_cny_fen) AS rated \
             FROM orders o JOIN sessions s ON s.id = o.session_id \
             JOIN tokens t ON t.id = s.host_token_id WHERE o.status <> 'cancelled' \
             GROUP BY o.session_id, s.host_token_id, t.name, o.market, o.currency, \
             o.created_at / {BUCKET_MS} ORDER BY o.session_id, bucket_ms"
        );
        Ok(sqlx::query_as(&sql).fetch_all(self.db.reader()).await?)
    }

    /// The orders after id `after`, at most `limit`, in id order, with their host, buyer, SKU,
    /// HS code, warehouse and recipient; people-written text made single-line (rows older than
    /// the checks).
    pub(crate) async fn export_rows(&self, after: i64, limit: i64) -> Result<Vec<ExportRow>> {
        use silkstream_catalog::text::clean_line;
        let rows: Vec<ExportRow> = sqlx::query_as(
            "SELECT o.id, o.created_at, o.session_id, t.name AS host, o.market, o.buyer_city, \
             v.sku, pr.hs_code, o.quantity, o.unit_price_minor, o.total_minor, o.currency, \
             o.customs_mode, w.code AS warehouse, o.status, o.tracking_number, \
             s.host_token_id AS host_id, o.buyer_token_id AS buyer_id, COALESCE(b.display_name, '') AS buyer_name, \
             o.ship_to, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, \
             o.cancel_reason, o.carrier, o.rate_cny, o.value_cny_fen, \
             (SELECT p.status FROM payments p WHERE p.order_id = o.id \
              ORDER BY p.id DESC LIMIT 1) AS payment_status, \
             (SELECT CAST(SUM(r.amount_minor) AS BIGINT) FROM refunds r \
              WHERE r.order_id = o.id AND r.currency = o.currency) AS refund_minor, \
             (SELECT r.decided_by FROM refunds r WHERE r.order_id = o.id \
              ORDER BY r.id DESC LIMIT 1) AS refund_decided_by, o.orderer_name, o.orderer_id_masked, \
             o.customs_reason, (SELECT MIN(lp.lot_id) FROM lot_products lp \
              WHERE lp.product_id = o.product_id) AS mutual_trade_lot FROM orders o JOIN sessions s ON s.id = o.session_id \
             LEFT JOIN buyers b ON b.token_id = o.buyer_token_id \
             JOIN tokens t ON t.id = s.host_token_id JOIN variants v ON v.id = o.variant_id \
             JOIN products pr ON pr.id = o.product_id JOIN warehouses w ON w.id = o.warehouse_id \
             WHERE o.id > $1 ORDER BY o.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
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
                r.refund_decided_by = r.refund_decided_by.as_deref().map(clean_line);
                r.orderer_name = r.orderer_name.as_deref().map(clean_line);
                r
            })
            .collect())
    }
}
