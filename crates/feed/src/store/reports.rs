//! The operators' reads across sessions: sold orders summed by the database for the sales report
//! (one row per session, market, currency and quarter hour, however many orders), and the export's
//! orders a page at a time. Formatting and grouping are `crate::edge::reports`.

use super::{FeedStore, OrderRow, ORDER_ROW_COLUMNS, ORDER_ROW_FROM};
use crate::domain::error::Result;

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

/// One order as the export prints it: the order's row as every read of orders has it, and what
/// only the export shows beside it.
#[derive(sqlx::FromRow)]
pub(crate) struct ExportRow {
    #[sqlx(flatten)]
    pub order: OrderRow,
    /// The session's host's name.
    pub host: String,
    /// The product's HS code.
    pub hs_code: String,
    /// The mutual-trade lot the product is made from (the first, when several).
    pub mutual_trade_lot: Option<i64>,
    pub buyer_name: String,
    /// The status of the order's latest payment.
    pub payment_status: Option<String>,
    /// The money owed back for the order, in its currency (`refunds`).
    pub refund_minor: Option<i64>,
    /// Who decided the latest refund of the order.
    pub refund_decided_by: Option<String>,
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
        let sql = format!(
            "SELECT {ORDER_ROW_COLUMNS}, t.name AS host, pr.hs_code, \
             COALESCE(b.display_name, '') AS buyer_name, \
             (SELECT p.status FROM payments p WHERE p.order_id = o.id \
              ORDER BY p.id DESC LIMIT 1) AS payment_status, \
             (SELECT CAST(SUM(r.amount_minor) AS BIGINT) FROM refunds r \
              WHERE r.order_id = o.id AND r.currency = o.currency) AS refund_minor, \
             (SELECT r.decided_by FROM refunds r WHERE r.order_id = o.id \
              ORDER BY r.id DESC LIMIT 1) AS refund_decided_by, \
             (SELECT MIN(lp.lot_id) FROM lot_products lp \
              WHERE lp.product_id = o.product_id) AS mutual_trade_lot \
             FROM {ORDER_ROW_FROM} LEFT JOIN buyers b ON b.token_id = o.buyer_token_id \
             JOIN tokens t ON t.id = s.host_token_id JOIN products pr ON pr.id = o.product_id \
             WHERE o.id > $1 ORDER BY o.id LIMIT $2"
        );
        let rows: Vec<ExportRow> = sqlx::query_as(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(self.db.reader())
            .await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.host = clean_line(&r.host);
                r.order.buyer_city = clean_line(&r.order.buyer_city);
                r.buyer_name = clean_line(&r.buyer_name);
                r.order.carrier = r.order.carrier.as_deref().map(clean_line);
                r.order.tracking_number = r.order.tracking_number.as_deref().map(clean_line);
                r.refund_decided_by = r.refund_decided_by.as_deref().map(clean_line);
                r.order.orderer_name = r.order.orderer_name.as_deref().map(clean_line);
                r
            })
            .collect())
    }
}
