//! The feed store: guest buyers, sessions, showcase and pin, flash sales, orders and the event
//! log, on SQLite and PostgreSQL through the same `$1` query text ([`dispatch!`]). Every write
//! goes through `db.writer()` in one short transaction that first locks the session's row and
//! logs its events before committing (see [`crate::events`]). Flash-sale orders are decided by
//! the [`crate::desk`]; everything else about orders is here.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::codes::{self, CountryCode, CurrencyCode, MAX_STOCK};
use silkstream_catalog::db::{now_ms, rfc3339, Db};
use silkstream_catalog::{dispatch, CatalogStore};
use tracing::instrument;

use crate::error::{Error, Result};
use crate::events::count;
use crate::model::*;
use crate::{lock_session, log_events, read_totals, write_totals};

/// Longest sale countdown and duration, in seconds.
pub const MAX_COUNTDOWN_S: i64 = 86_400;
pub const MAX_DURATION_S: i64 = 7 * 86_400;
/// Largest quantity in one order.
pub const MAX_ORDER_QUANTITY: i64 = 1_000;

/// Store of the feed's aggregates.
#[derive(Clone, Debug)]
pub struct FeedStore {
    db: Db,
    /// Rate table for GMV in CNY; markets for the sessions' checks.
    catalog: CatalogStore,
    /// How long a confirmed order may stay unpaid, in ms.
    payment_window_ms: i64,
    /// Wakes the feed's fan-out after every commit that logged events, so feeds hear of a
    /// change at once instead of at the next poll.
    committed: Arc<tokio::sync::Notify>,
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct SessionRow {
    pub id: i64,
    pub host_token_id: i64,
    pub host_name: String,
    pub title: String,
    pub language: String,
    pub markets: String,
    pub state: String,
    pub scheduled_at: Option<i64>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub pinned_product_id: Option<i64>,
    pub next_seq: i64,
    pub peak_viewers: i64,
}

impl SessionRow {
    pub fn markets(&self) -> Vec<String> {
        serde_json::from_str(&self.markets).unwrap_or_default()
    }
}

const SESSION_SELECT: &str = "SELECT s.id, s.host_token_id, t.name AS host_name, s.title, \
     s.language, s.markets, s.state, s.scheduled_at, s.started_at, s.ended_at, \
     s.pinned_product_id, s.next_seq, s.peak_viewers FROM sessions s \
     JOIN tokens t ON t.id = s.host_token_id";

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct SaleRow {
    pub id: i64,
    pub session_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub warehouse: String,
    pub warehouse_id: i64,
    pub allocated: i64,
    pub remaining: i64,
    pub returned: i64,
    pub per_buyer_limit: i64,
    pub prices: String,
    pub state: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub ended_at: Option<i64>,
    pub sold: i64,
}

impl SaleRow {
    pub fn prices(&self) -> BTreeMap<String, i64> {
        serde_json::from_str(&self.prices).unwrap_or_default()
    }

    fn view(&self, now: i64) -> FlashSale {
        let phase = if self.state == "ended" || now >= self.ends_at {
            "ended"
        } else if self.state == "paused" {
            "paused"
        } else if now < self.starts_at {
            "countdown"
        } else if self.remaining == 0 {
            "sold_out"
        } else {
            "running"
        };
        FlashSale {
            id: self.id,
            session_id: self.session_id,
            variant_id: self.variant_id,
            product_id: self.product_id,
            sku: self.sku.clone(),
            warehouse: self.warehouse.clone(),
            allocated: self.allocated,
            remaining: self.remaining,
            sold: self.sold,
            returned: self.returned,
            per_buyer_limit: self.per_buyer_limit,
            prices: self.prices(),
            state: self.state.clone(),
            phase: phase.to_owned(),
            starts_at: rfc3339(self.starts_at),
            ends_at: rfc3339(self.ends_at),
            ended_at: self.ended_at.map(rfc3339),
        }
    }
}

const SALE_SELECT: &str = "SELECT f.id, f.session_id, f.variant_id, v.product_id, v.sku, \
     w.code AS warehouse, f.warehouse_id, f.allocated, f.remaining, f.returned, \
     f.per_buyer_limit, f.prices, f.state, f.starts_at, f.ends_at, f.ended_at, \
     COALESCE((SELECT CAST(SUM(o.quantity) AS BIGINT) FROM orders o \
       WHERE o.sale_id = f.id AND o.status <> 'cancelled'), 0) AS sold \
     FROM flash_sales f JOIN variants v ON v.id = f.variant_id \
     JOIN warehouses w ON w.id = f.warehouse_id";

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct OrderRow {
    pub id: i64,
    pub session_id: i64,
    pub sale_id: Option<i64>,
    pub buyer_token_id: i64,
    pub request_digest: String,
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub warehouse: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub market: String,
    pub buyer_city: String,
    pub locale: String,
    pub customs_mode: Option<String>,
    pub ship_to: String,
    pub status: String,
    pub pay_by: i64,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: i64,
    pub host_token_id: i64,
}

pub(crate) const ORDER_SELECT: &str = "SELECT o.id, o.session_id, o.sale_id, o.buyer_token_id, \
     o.request_digest, o.variant_id, o.product_id, v.sku, w.code AS warehouse, o.quantity, \
     o.currency, o.unit_price_minor, o.total_minor, o.market, o.buyer_city, o.locale, \
     o.customs_mode, o.ship_to, o.status, o.pay_by, o.paid_at, o.shipped_at, o.delivered_at, \
     o.cancelled_at, o.cancel_reason, o.carrier, o.tracking_number, o.created_at, \
     s.host_token_id FROM orders o JOIN variants v ON v.id = o.variant_id \
     JOIN warehouses w ON w.id = o.warehouse_id JOIN sessions s ON s.id = o.session_id";

impl OrderRow {
    /// The order as `viewer` may see it: recipient details only for the buyer, the session's
    /// host and operators (design invariant 6).
    pub fn view(&self, viewer: &Principal) -> Order {
        let sees_recipient = match viewer.role {
            Role::Operator => true,
            Role::Buyer => viewer.token_id == self.buyer_token_id,
            Role::Host => viewer.token_id == self.host_token_id,
            Role::Admin => false,
        };
        Order {
            id: self.id,
            status: self.status.clone(),
            session_id: self.session_id,
            sale_id: self.sale_id,
            buyer_id: self.buyer_token_id,
            variant_id: self.variant_id,
            product_id: self.product_id,
            sku: self.sku.clone(),
            quantity: self.quantity,
            currency: self.currency.clone(),
            unit_price_minor: self.unit_price_minor,
            total_minor: self.total_minor,
            market: self.market.clone(),
            buyer_city: self.buyer_city.clone(),
            locale: self.locale.clone(),
            customs_mode: self.customs_mode.clone(),
            warehouse: self.warehouse.clone(),
            pay_by: rfc3339(self.pay_by),
            created_at: rfc3339(self.created_at),
            paid_at: self.paid_at.map(rfc3339),
            shipped_at: self.shipped_at.map(rfc3339),
            delivered_at: self.delivered_at.map(rfc3339),
            cancelled_at: self.cancelled_at.map(rfc3339),
            cancel_reason: self.cancel_reason.clone(),
            carrier: self.carrier.clone(),
            tracking_number: self.tracking_number.clone(),
            ship_to: if sees_recipient {
                serde_json::from_str(&self.ship_to).ok()
            } else {
                None
            },
        }
    }

    /// True when `viewer` may read this order at all (others get a 404, not a 403, so that
    /// order ids do not reveal whose they are).
    pub fn visible_to(&self, viewer: &Principal) -> bool {
        match viewer.role {
            Role::Operator | Role::Admin => true,
            Role::Buyer => viewer.token_id == self.buyer_token_id,
            Role::Host => viewer.token_id == self.host_token_id,
        }
    }
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub(crate) struct BuyerRow {
    pub token_id: i64,
    pub display_name: String,
    pub country: String,
    pub city: String,
    pub locale: String,
    pub created_at: i64,
}

impl BuyerRow {
    fn view(&self) -> Buyer {
        Buyer {
            id: self.token_id,
            display_name: self.display_name.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            locale: self.locale.clone(),
            created_at: rfc3339(self.created_at),
        }
    }
}

/// "Aigerim" → "A***m": how buyers appear in feeds other buyers see.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.as_slice() {
        [] => "***".into(),
        [one] => format!("{one}***"),
        [first, .., last] => format!("{first}***{last}"),
    }
}

/// Everything an accepted order writes, checked and priced; built by the handler, written by
/// the desk (flash sale) or by [`FeedStore::place_regular`].
#[derive(Debug, Clone)]
pub struct PendingOrder {
    pub session_id: i64,
    pub sale_id: Option<i64>,
    pub buyer_token_id: i64,
    pub buyer_name: String,
    pub idempotency_key: String,
    pub digest: String,
    pub variant_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub market: String,
    pub buyer_city: String,
    pub locale: String,
    pub customs_mode: Option<String>,
    pub ship_to: String,
}

/// What became of an order handed to the desk or to `place_regular`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// Confirmed and committed: the order id and the units left in the sale.
    Confirmed {
        order_id: i64,
        remaining: Option<i64>,
    },
    /// The buyer's key already names an order (this one's content may differ).
    Duplicate { order_id: i64 },
    /// Refused; nothing written.
    Refused(crate::error::Refusal),
}

/// `end_sale_tx!(tx, sale_id, session_id, now, reason)`: ends a sale that has not ended and
/// returns its remaining units to the warehouse's stock, with its event; evaluates to true when
/// this call ended it (false when it had ended already, so running it twice changes nothing).
macro_rules! end_sale_tx {
    ($tx:expr, $sale_id:expr, $session_id:expr, $now:expr, $reason:expr) => {{
        let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT remaining, variant_id, warehouse_id, state FROM flash_sales WHERE id = $1",
        )
        .bind($sale_id)
        .fetch_optional(&mut *$tx)
        .await?;
        match row {
            Some((remaining, variant_id, warehouse_id, state)) if state != "ended" => {
                let done = sqlx::query(
                    "UPDATE flash_sales SET state = 'ended', remaining = 0, \
                     returned = returned + $1, ended_at = $2 \
                     WHERE id = $3 AND state <> 'ended' AND remaining = $1",
                )
                .bind(remaining)
                .bind($now)
                .bind($sale_id)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
                if done == 1 {
                    if remaining > 0 {
                        sqlx::query(
                            "UPDATE stock SET available = available + $1, updated_at = $2 \
                             WHERE variant_id = $3 AND warehouse_id = $4",
                        )
                        .bind(remaining)
                        .bind($now)
                        .bind(variant_id)
                        .bind(warehouse_id)
                        .execute(&mut *$tx)
                        .await?;
                    }
                    log_events!(
                        $tx,
                        $session_id,
                        $now,
                        [(
                            "sale_ended",
                            json!({"sale_id": $sale_id, "returned_to_stock": remaining,
                                   "reason": $reason}),
                        )]
                    );
                }
                done == 1
            }
            _ => false,
        }
    }};
}

/// `insert_order!(tx, order, warehouse_id, now, pay_by)`: the INSERT of an order that does
/// nothing when the buyer's key exists (never an error that would abort a batch).
#[macro_export]
macro_rules! insert_order {
    ($tx:expr, $o:expr, $warehouse_id:expr, $now:expr, $pay_by:expr) => {
        sqlx::query_as(
            "INSERT INTO orders (session_id, sale_id, buyer_token_id, idempotency_key, \
             request_digest, variant_id, product_id, warehouse_id, quantity, currency, \
             unit_price_minor, total_minor, market, buyer_city, locale, customs_mode, ship_to, \
             status, pay_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, 'confirmed', $18, $19) \
             ON CONFLICT (buyer_token_id, idempotency_key) DO NOTHING RETURNING id",
        )
        .bind($o.session_id)
        .bind($o.sale_id)
        .bind($o.buyer_token_id)
        .bind(&$o.idempotency_key)
        .bind(&$o.digest)
        .bind($o.variant_id)
        .bind($o.product_id)
        .bind($warehouse_id)
        .bind($o.quantity)
        .bind(&$o.currency)
        .bind($o.unit_price_minor)
        .bind($o.unit_price_minor * $o.quantity)
        .bind(&$o.market)
        .bind(&$o.buyer_city)
        .bind(&$o.locale)
        .bind(&$o.customs_mode)
        .bind(&$o.ship_to)
        .bind($pay_by)
        .bind($now)
    };
}

/// Which orders a cancellation may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelBy {
    /// The buyer or an operator: before shipping.
    Request,
    /// The sweeper: still unpaid past the payment window.
    PaymentExpired,
}

impl FeedStore {
    pub fn new(db: Db, catalog: CatalogStore, payment_window: Duration) -> Self {
        Self {
            db,
            catalog,
            payment_window_ms: i64::try_from(payment_window.as_millis()).unwrap_or(i64::MAX),
            committed: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The signal [`FeedStore`] gives after each commit that logged events.
    pub fn commits(&self) -> Arc<tokio::sync::Notify> {
        self.committed.clone()
    }

    /// Tells the fan-out that events were committed.
    pub(crate) fn committed(&self) {
        self.committed.notify_one();
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn catalog(&self) -> &CatalogStore {
        &self.catalog
    }

    pub fn payment_window_ms(&self) -> i64 {
        self.payment_window_ms
    }

    // ---- buyers ---------------------------------------------------------------------------

    /// Checks a guest buyer's details (before a token is made for them).
    pub fn check_buyer(body: &NewBuyer) -> Result<NewBuyer> {
        Ok(NewBuyer {
            display_name: codes::text("display_name", &body.display_name, 60)?,
            country: CountryCode::parse("country", &body.country)?
                .as_str()
                .to_owned(),
            city: codes::text("city", &body.city, 100)?,
            locale: codes::parse_locale("locale", &body.locale)?.to_owned(),
        })
    }

    #[instrument(skip_all)]
    pub async fn create_buyer(
        &self,
        token_id: i64,
        body: &NewBuyer,
        client_addr: &str,
    ) -> Result<Buyer> {
        let now = now_ms();
        dispatch!(self.db.writer(), p => {
            sqlx::query(
                "INSERT INTO buyers (token_id, display_name, country, city, locale, client_addr, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(token_id)
            .bind(&body.display_name)
            .bind(&body.country)
            .bind(&body.city)
            .bind(&body.locale)
            .bind(client_addr)
            .bind(now)
            .execute(p)
            .await?;
        });
        Ok(BuyerRow {
            token_id,
            display_name: body.display_name.clone(),
            country: body.country.clone(),
            city: body.city.clone(),
            locale: body.locale.clone(),
            created_at: now,
        }
        .view())
    }

    pub(crate) async fn buyer(&self, token_id: i64) -> Result<Option<BuyerRow>> {
        Ok(dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT token_id, display_name, country, city, locale, created_at FROM buyers \
                 WHERE token_id = $1",
            )
            .bind(token_id)
            .fetch_optional(p)
            .await?
        }))
    }

    pub async fn get_buyer(&self, token_id: i64) -> Result<Buyer> {
        self.buyer(token_id)
            .await?
            .map(|b| b.view())
            .ok_or_else(|| Error::not_found("buyer profile"))
    }

    // ---- sessions -------------------------------------------------------------------------

    pub(crate) async fn session_row(&self, id: i64) -> Result<SessionRow> {
        let sql = format!("{SESSION_SELECT} WHERE s.id = $1");
        let row: Option<SessionRow> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(id).fetch_optional(p).await?
        });
        row.ok_or_else(|| Error::not_found(format!("session {id}")))
    }

    /// The session if `who` may control it: its host, or an operator (403 for anyone else).
    pub(crate) async fn controlled_session(&self, who: &Principal, id: i64) -> Result<SessionRow> {
        let session = self.session_row(id).await?;
        match who.role {
            Role::Operator => Ok(session),
            Role::Host if who.token_id == session.host_token_id => Ok(session),
            Role::Host => Err(Error::forbidden(
                "this session belongs to another host; only its host or an operator controls it",
            )),
            _ => Err(Error::forbidden(
                "only the session's host or an operator controls a session",
            )),
        }
    }

    #[instrument(skip_all)]
    pub async fn create_session(&self, host: &Principal, body: NewSession) -> Result<Session> {
        let title = codes::text("title", &body.title, 200)?;
        let language = codes::parse_locale("language", &body.language)?;
        if body.markets.is_empty() || body.markets.len() > 14 {
            return Err(Error::invalid("markets", "give 1 to 14 markets"));
        }
        let mut markets: Vec<String> = Vec::new();
        for (i, m) in body.markets.iter().enumerate() {
            let field = format!("markets[{i}]");
            let c = CountryCode::parse(&field, m)?.as_str().to_owned();
            if markets.contains(&c) {
                return Err(Error::invalid(field, "appears twice"));
            }
            if self.catalog.get_market(&c).await.is_err() {
                return Err(Error::invalid(
                    field,
                    format!("{c} is not a configured market"),
                ));
            }
            markets.push(c);
        }
        let scheduled_at = match &body.scheduled_at {
            Some(s) => Some(parse_time("scheduled_at", s)?),
            None => None,
        };
        let markets_json = serde_json::to_string(&markets).map_err(Error::internal)?;
        let now = now_ms();
        let (id,): (i64,) = dispatch!(self.db.writer(), p => {
            sqlx::query_as(
                "INSERT INTO sessions (host_token_id, title, language, markets, state, \
                 scheduled_at, created_at) VALUES ($1, $2, $3, $4, 'scheduled', $5, $6) \
                 RETURNING id",
            )
            .bind(host.token_id)
            .bind(&title)
            .bind(language)
            .bind(&markets_json)
            .bind(scheduled_at)
            .bind(now)
            .fetch_one(p)
            .await?
        });
        self.session(id).await
    }

    /// A session with its showcase, sales and (once ended) summary. Sales whose time is up are
    /// ended first, so what a reader sees never lags the clock.
    pub async fn session(&self, id: i64) -> Result<Session> {
        self.end_due_sales(Some(id)).await?;
        let row = self.session_row(id).await?;
        let (showcase, sales): (Vec<(i64,)>, Vec<SaleRow>) = dispatch!(self.db.reader(), p => {
            let showcase = sqlx::query_as(
                "SELECT product_id FROM showcase WHERE session_id = $1 ORDER BY added_at, product_id",
            )
            .bind(id)
            .fetch_all(p)
            .await?;
            let sql = format!("{SALE_SELECT} WHERE f.session_id = $1 ORDER BY f.id");
            let sales = sqlx::query_as(&sql).bind(id).fetch_all(p).await?;
            (showcase, sales)
        });
        let now = now_ms();
        let sales: Vec<FlashSale> = sales.iter().map(|s| s.view(now)).collect();
        let summary = if row.state == "ended" {
            Some(self.summary(id, row.peak_viewers).await?)
        } else {
            None
        };
        Ok(Session {
            id: row.id,
            host: Host {
                id: row.host_token_id,
                name: row.host_name.clone(),
            },
            markets: row.markets(),
            title: row.title,
            language: row.language,
            state: row.state,
            scheduled_at: row.scheduled_at.map(rfc3339),
            started_at: row.started_at.map(rfc3339),
            ended_at: row.ended_at.map(rfc3339),
            showcase: showcase.into_iter().map(|(p,)| p).collect(),
            pinned_product_id: row.pinned_product_id,
            sale: sales.iter().rev().find(|s| s.state != "ended").cloned(),
            sales,
            last_seq: row.next_seq,
            server_time: rfc3339(now),
            server_time_ms: now,
            summary,
        })
    }

    /// What a session sold: orders, units and GMV (per currency and in CNY), top products.
    pub async fn summary(&self, session_id: i64, peak_viewers: i64) -> Result<Summary> {
        let rows: Vec<(i64, String, i64, i64, String)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT o.product_id, o.currency, o.quantity, o.total_minor, pr.title \
                 FROM orders o JOIN products pr ON pr.id = o.product_id \
                 WHERE o.session_id = $1 AND o.status <> 'cancelled' ORDER BY o.id",
            )
            .bind(session_id)
            .fetch_all(p)
            .await?
        });
        let mut gmv: BTreeMap<String, i64> = BTreeMap::new();
        let mut products: BTreeMap<i64, TopProduct> = BTreeMap::new();
        let mut units = 0;
        for (product_id, currency, quantity, total, title) in &rows {
            units += quantity;
            *gmv.entry(currency.clone()).or_default() += total;
            let top = products.entry(*product_id).or_insert_with(|| TopProduct {
                product_id: *product_id,
                title: title.clone(),
                units: 0,
                orders: 0,
            });
            top.units += quantity;
            top.orders += 1;
        }
        let (gmv_cny, missing_rates) = self.in_cny(&gmv).await?;
        let mut top: Vec<TopProduct> = products.into_values().collect();
        top.sort_by(|a, b| b.units.cmp(&a.units).then(a.product_id.cmp(&b.product_id)));
        top.truncate(5);
        let orders = rows.len() as i64;
        Ok(Summary {
            orders,
            units,
            gmv: money_list(gmv),
            gmv_cny,
            missing_rates,
            top_products: top,
            peak_viewers,
            orders_per_viewer: (peak_viewers > 0).then(|| orders as f64 / peak_viewers as f64),
        })
    }

    /// Sums amounts per currency into CNY (major units, 2 decimals) at today's rates; names the
    /// currencies without a rate.
    pub async fn in_cny(&self, gmv: &BTreeMap<String, i64>) -> Result<(String, Vec<String>)> {
        let rates = self.rates_today().await?;
        Ok(rates.total_in_cny(gmv.iter().map(|(c, a)| (c.as_str(), *a))))
    }

    /// The rate table in force today.
    pub async fn rates_today(&self) -> Result<silkstream_catalog::store::RateTable> {
        Ok(self
            .catalog
            .rate_table(silkstream_catalog::store::today())
            .await?)
    }

    #[instrument(skip_all, fields(id))]
    pub async fn add_to_showcase(&self, who: &Principal, id: i64, product_id: i64) -> Result<()> {
        let session = self.controlled_session(who, id).await?;
        if session.state == "ended" {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let product: Option<(Option<i64>,)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as("SELECT archived_at FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_optional(p)
                .await?
        });
        match product {
            None => {
                return Err(Error::invalid(
                    "product_id",
                    format!("no product {product_id}"),
                ))
            }
            Some((Some(_),)) => {
                return Err(Error::invalid("product_id", "the product is archived"))
            }
            Some((None,)) => {}
        }
        let now = now_ms();
        dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, id);
            let added = sqlx::query(
                "INSERT INTO showcase (session_id, product_id, added_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(product_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 1 {
                log_events!(tx, id, now, [("showcase_added", json!({"product_id": product_id}))]);
            }
            tx.commit().await?;
            self.committed();
        });
        Ok(())
    }

    /// scheduled → live.
    #[instrument(skip_all, fields(id))]
    pub async fn start(&self, who: &Principal, id: i64) -> Result<()> {
        self.controlled_session(who, id).await?;
        let now = now_ms();
        let done = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, id);
            let done = sqlx::query(
                "UPDATE sessions SET state = 'live', started_at = $1 WHERE id = $2 \
                 AND state = 'scheduled'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                log_events!(tx, id, now, [("session_started", json!({}))]);
            }
            tx.commit().await?;
            self.committed();
            done
        });
        if done == 0 {
            return Err(Error::conflict(
                "conflict",
                "only a scheduled session can start",
            ));
        }
        Ok(())
    }

    /// live (or scheduled) → ended: every sale still running ends and returns its units.
    #[instrument(skip_all, fields(id))]
    pub async fn end(&self, who: &Principal, id: i64) -> Result<()> {
        self.controlled_session(who, id).await?;
        let now = now_ms();
        let done = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, id);
            let state: (String,) = sqlx::query_as("SELECT state FROM sessions WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if state.0 == "ended" {
                0
            } else {
                let sales: Vec<(i64,)> = sqlx::query_as(
                    "SELECT id FROM flash_sales WHERE session_id = $1 AND state <> 'ended' ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                for (sale_id,) in sales {
                    end_sale_tx!(tx, sale_id, id, now, "session_ended");
                }
                sqlx::query(
                    "UPDATE sessions SET state = 'ended', ended_at = $1, pinned_product_id = NULL \
                     WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                log_events!(tx, id, now, [("session_ended", json!({}))]);
                tx.commit().await?;
                self.committed();
                1
            }
        });
        if done == 0 {
            return Err(Error::conflict("conflict", "the session has ended already"));
        }
        Ok(())
    }

    /// Pins a showcase product (`Some`) or unpins (`None`).
    #[instrument(skip_all, fields(id))]
    pub async fn pin(&self, who: &Principal, id: i64, product_id: Option<i64>) -> Result<()> {
        let session = self.controlled_session(who, id).await?;
        if session.state == "ended" {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        if product_id.is_none() && session.pinned_product_id.is_none() {
            return Err(Error::conflict("conflict", "nothing is pinned"));
        }
        let now = now_ms();
        let ok = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, id);
            let in_showcase = match product_id {
                Some(pid) => sqlx::query_as::<_, (i64,)>(
                    "SELECT product_id FROM showcase WHERE session_id = $1 AND product_id = $2",
                )
                .bind(id)
                .bind(pid)
                .fetch_optional(&mut *tx)
                .await?
                .is_some(),
                None => true,
            };
            if in_showcase {
                sqlx::query("UPDATE sessions SET pinned_product_id = $1 WHERE id = $2")
                    .bind(product_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let event = match product_id {
                    Some(pid) => ("product_pinned", json!({"product_id": pid})),
                    None => ("product_unpinned", json!({})),
                };
                log_events!(tx, id, now, [event]);
                tx.commit().await?;
                self.committed();
            }
            in_showcase
        });
        if !ok {
            return Err(Error::invalid(
                "product_id",
                "only a product in the session's showcase can be pinned",
            ));
        }
        Ok(())
    }

    // ---- flash sales ----------------------------------------------------------------------

    pub(crate) async fn sale_row(&self, id: i64) -> Result<SaleRow> {
        let sql = format!("{SALE_SELECT} WHERE f.id = $1");
        let row: Option<SaleRow> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(id).fetch_optional(p).await?
        });
        row.ok_or_else(|| Error::not_found(format!("flash sale {id}")))
    }

    /// The latest sale of a variant in a session, if any.
    pub(crate) async fn sale_for(
        &self,
        session_id: i64,
        variant_id: i64,
    ) -> Result<Option<SaleRow>> {
        let sql = format!(
            "{SALE_SELECT} WHERE f.session_id = $1 AND f.variant_id = $2 ORDER BY f.id DESC LIMIT 1"
        );
        Ok(dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(session_id).bind(variant_id).fetch_optional(p).await?
        }))
    }

    pub async fn sale(&self, id: i64) -> Result<FlashSale> {
        let row = self.sale_row(id).await?;
        if row.state != "ended" && now_ms() >= row.ends_at {
            self.end_sale(id, "time_up").await?;
            return Ok(self.sale_row(id).await?.view(now_ms()));
        }
        Ok(row.view(now_ms()))
    }

    #[instrument(skip_all, fields(session_id))]
    pub async fn create_sale(
        &self,
        who: &Principal,
        session_id: i64,
        body: NewFlashSale,
    ) -> Result<FlashSale> {
        let session = self.controlled_session(who, session_id).await?;
        if session.state == "ended" {
            return Err(Error::conflict("conflict", "the session has ended"));
        }
        let quantity = positive("quantity", body.quantity, MAX_STOCK)?;
        let limit = positive("per_buyer_limit", body.per_buyer_limit, MAX_ORDER_QUANTITY)?;
        let countdown = codes::quantity("countdown_s", body.countdown_s, MAX_COUNTDOWN_S)?;
        let duration = positive("duration_s", body.duration_s, MAX_DURATION_S)?;
        if body.prices.is_empty() || body.prices.len() > 16 {
            return Err(Error::invalid("prices", "give 1 to 16 prices"));
        }
        let mut prices = BTreeMap::new();
        for (currency, amount) in &body.prices {
            let field = format!("prices.{currency}");
            let code = CurrencyCode::parse(&field, currency)?;
            code.check_price(&field, *amount)?;
            prices.insert(code.code().to_owned(), *amount);
        }
        let variant: Option<(i64, Option<i64>, Option<i64>)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT v.product_id, v.archived_at, pr.archived_at FROM variants v \
                 JOIN products pr ON pr.id = v.product_id WHERE v.id = $1",
            )
            .bind(body.variant_id)
            .fetch_optional(p)
            .await?
        });
        let product_id = match variant {
            None => {
                return Err(Error::invalid(
                    "variant_id",
                    format!("no variant {}", body.variant_id),
                ))
            }
            Some((_, Some(_), _)) | Some((_, _, Some(_))) => {
                return Err(Error::invalid("variant_id", "the variant is archived"))
            }
            Some((pid, None, None)) => pid,
        };
        let markets = session.markets();
        // Warehouses that serve one of the session's markets, with their stock of the variant.
        let serving: Vec<(i64, String, String, i64)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT w.id, w.code, mw.country, COALESCE(s.available, 0) FROM warehouses w \
                 JOIN market_warehouses mw ON mw.warehouse_id = w.id \
                 LEFT JOIN stock s ON s.warehouse_id = w.id AND s.variant_id = $1 \
                 ORDER BY w.id",
            )
            .bind(body.variant_id)
            .fetch_all(p)
            .await?
        });
        let serving: Vec<(i64, String, i64)> = serving
            .into_iter()
            .filter(|(_, _, country, _)| markets.contains(country))
            .map(|(id, code, _, available)| (id, code, available))
            .collect();
        let warehouse_id = match &body.warehouse {
            Some(code) => {
                let code = codes::upper_code("warehouse", code, 32)?;
                serving
                    .iter()
                    .find(|(_, c, _)| *c == code)
                    .map(|(id, _, _)| *id)
                    .ok_or_else(|| {
                        Error::invalid(
                            "warehouse",
                            format!("{code} is not a warehouse serving the session's markets"),
                        )
                    })?
            }
            None => serving
                .iter()
                .find(|(_, _, available)| *available >= quantity)
                .or_else(|| serving.first())
                .map(|(id, _, _)| *id)
                .ok_or_else(|| {
                    Error::invalid("warehouse", "no warehouse serves the session's markets")
                })?,
        };
        let prices_json = serde_json::to_string(&prices).map_err(Error::internal)?;
        let now = now_ms();
        let starts_at = now + countdown * 1000;
        let ends_at = starts_at + duration * 1000;
        enum Outcome {
            Created(i64),
            SaleExists,
            Ended,
            NoStock(i64),
        }
        let outcome = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, session_id);
            let (state,): (String,) = sqlx::query_as("SELECT state FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
            let running: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM flash_sales WHERE session_id = $1 AND variant_id = $2 \
                 AND state <> 'ended' AND ends_at > $3",
            )
            .bind(session_id)
            .bind(body.variant_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if state == "ended" {
                Outcome::Ended
            } else if running.is_some() {
                Outcome::SaleExists
            } else {
                let taken = sqlx::query(
                    "UPDATE stock SET available = available - $1, updated_at = $2 \
                     WHERE variant_id = $3 AND warehouse_id = $4 AND available >= $1",
                )
                .bind(quantity)
                .bind(now)
                .bind(body.variant_id)
                .bind(warehouse_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken == 0 {
                    let available: Option<(i64,)> = sqlx::query_as(
                        "SELECT available FROM stock WHERE variant_id = $1 AND warehouse_id = $2",
                    )
                    .bind(body.variant_id)
                    .bind(warehouse_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    Outcome::NoStock(available.map_or(0, |a| a.0))
                } else {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO flash_sales (session_id, variant_id, warehouse_id, allocated, \
                         remaining, per_buyer_limit, prices, state, starts_at, ends_at, created_at) \
                         VALUES ($1, $2, $3, $4, $4, $5, $6, 'open', $7, $8, $9) RETURNING id",
                    )
                    .bind(session_id)
                    .bind(body.variant_id)
                    .bind(warehouse_id)
                    .bind(quantity)
                    .bind(limit)
                    .bind(&prices_json)
                    .bind(starts_at)
                    .bind(ends_at)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    let added = sqlx::query(
                        "INSERT INTO showcase (session_id, product_id, added_at) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(session_id)
                    .bind(product_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let mut events = Vec::new();
                    if added == 1 {
                        events.push(("showcase_added", json!({"product_id": product_id})));
                    }
                    events.push((
                        "sale_opened",
                        json!({"sale_id": id, "variant_id": body.variant_id,
                               "product_id": product_id, "quantity": quantity,
                               "per_buyer_limit": limit, "prices": prices,
                               "starts_at": rfc3339(starts_at), "ends_at": rfc3339(ends_at)}),
                    ));
                    log_events!(tx, session_id, now, events);
                    tx.commit().await?;
                    self.committed();
                    Outcome::Created(id)
                }
            }
        });
        match outcome {
            Outcome::Created(id) => self.sale(id).await,
            Outcome::SaleExists => Err(Error::conflict(
                "conflict",
                "a flash sale of this variant is already running in the session",
            )),
            Outcome::Ended => Err(Error::conflict("conflict", "the session has ended")),
            Outcome::NoStock(available) => Err(Error::conflict(
                "insufficient_stock",
                format!(
                    "the warehouse has {available} units of this variant; asked for {quantity}"
                ),
            )),
        }
    }

    /// The sale if `who` may control it (its session's host or an operator).
    pub(crate) async fn controlled_sale(&self, who: &Principal, id: i64) -> Result<SaleRow> {
        let sale = self.sale_row(id).await?;
        self.controlled_session(who, sale.session_id).await?;
        Ok(sale)
    }

    /// open → paused (`pause`) or paused → open.
    #[instrument(skip_all, fields(id))]
    pub async fn set_paused(&self, who: &Principal, id: i64, pause: bool) -> Result<FlashSale> {
        let sale = self.controlled_sale(who, id).await?;
        let now = now_ms();
        let (from, to, kind) = if pause {
            ("open", "paused", "sale_paused")
        } else {
            ("paused", "open", "sale_resumed")
        };
        let done = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, sale.session_id);
            let done = sqlx::query(
                "UPDATE flash_sales SET state = $1 WHERE id = $2 AND state = $3 AND ends_at > $4",
            )
            .bind(to)
            .bind(id)
            .bind(from)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                log_events!(tx, sale.session_id, now, [(kind, json!({"sale_id": id}))]);
                tx.commit().await?;
                self.committed();
            }
            done
        });
        if done == 0 {
            return Err(Error::conflict(
                "conflict",
                format!("only a sale that is {from} and has time left can be {to}"),
            ));
        }
        self.sale(id).await
    }

    /// Adds units from the sale's warehouse (never more than it has).
    #[instrument(skip_all, fields(id))]
    pub async fn restock(&self, who: &Principal, id: i64, quantity: i64) -> Result<FlashSale> {
        let quantity = positive("quantity", quantity, MAX_STOCK)?;
        let sale = self.controlled_sale(who, id).await?;
        let now = now_ms();
        let outcome: std::result::Result<i64, Error> = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, sale.session_id);
            let (state, ends_at): (String, i64) =
                sqlx::query_as("SELECT state, ends_at FROM flash_sales WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if state == "ended" || ends_at <= now {
                Err(Error::conflict("conflict", "the sale has ended"))
            } else {
                let taken = sqlx::query(
                    "UPDATE stock SET available = available - $1, updated_at = $2 \
                     WHERE variant_id = $3 AND warehouse_id = $4 AND available >= $1",
                )
                .bind(quantity)
                .bind(now)
                .bind(sale.variant_id)
                .bind(sale.warehouse_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken == 0 {
                    Err(Error::conflict(
                        "insufficient_stock",
                        format!("the warehouse {} has fewer than {quantity} units", sale.warehouse),
                    ))
                } else {
                    let (remaining,): (i64,) = sqlx::query_as(
                        "UPDATE flash_sales SET allocated = allocated + $1, \
                         remaining = remaining + $1 WHERE id = $2 RETURNING remaining",
                    )
                    .bind(quantity)
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                    log_events!(
                        tx,
                        sale.session_id,
                        now,
                        [("sale_restocked",
                          json!({"sale_id": id, "added": quantity, "remaining": remaining}))]
                    );
                    tx.commit().await?;
                    self.committed();
                    Ok(remaining)
                }
            }
        });
        outcome?;
        self.sale(id).await
    }

    /// Ends a sale and returns its unsold units to stock; a no-op when it has ended already, so
    /// any number of instances may race to do it.
    pub async fn end_sale(&self, id: i64, reason: &str) -> Result<bool> {
        let (session_id,): (i64,) = dispatch!(self.db.reader(), p => {
            sqlx::query_as("SELECT session_id FROM flash_sales WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await?
        });
        let now = now_ms();
        Ok(dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, session_id);
            let ended = end_sale_tx!(tx, id, session_id, now, reason);
            tx.commit().await?;
            self.committed();
            ended
        }))
    }

    /// Ends every sale whose time is up (of one session, or all); returns how many this call
    /// ended.
    pub async fn end_due_sales(&self, session: Option<i64>) -> Result<usize> {
        let now = now_ms();
        let due: Vec<(i64,)> = dispatch!(self.db.reader(), p => {
            match session {
                Some(s) => sqlx::query_as(
                    "SELECT id FROM flash_sales WHERE session_id = $1 AND state <> 'ended' \
                     AND ends_at <= $2 ORDER BY id",
                )
                .bind(s)
                .bind(now)
                .fetch_all(p)
                .await?,
                None => sqlx::query_as(
                    "SELECT id FROM flash_sales WHERE state <> 'ended' AND ends_at <= $1 ORDER BY id",
                )
                .bind(now)
                .fetch_all(p)
                .await?,
            }
        });
        let mut ended = 0;
        for (id,) in due {
            if self.end_sale(id, "time_up").await? {
                ended += 1;
            }
        }
        Ok(ended)
    }

    // ---- orders ---------------------------------------------------------------------------

    pub(crate) async fn order_row(&self, id: i64) -> Result<OrderRow> {
        let sql = format!("{ORDER_SELECT} WHERE o.id = $1");
        let row: Option<OrderRow> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(id).fetch_optional(p).await?
        });
        row.ok_or_else(|| Error::not_found(format!("order {id}")))
    }

    /// The order a buyer's key names, if any.
    pub(crate) async fn order_by_key(&self, buyer: i64, key: &str) -> Result<Option<OrderRow>> {
        let sql = format!("{ORDER_SELECT} WHERE o.buyer_token_id = $1 AND o.idempotency_key = $2");
        Ok(dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(buyer).bind(key).fetch_optional(p).await?
        }))
    }

    /// An order as `who` may see it; 404 for an order that is not theirs to see.
    pub async fn order(&self, who: &Principal, id: i64) -> Result<Order> {
        let row = self.order_row(id).await?;
        if !row.visible_to(who) {
            return Err(Error::not_found(format!("order {id}")));
        }
        Ok(row.view(who))
    }

    /// Orders `who` may see: a buyer's own, a host's sessions', everything for operators and
    /// admins; optionally of one session. Newest first, at most 1000.
    pub async fn orders(&self, who: &Principal, q: &OrdersQuery) -> Result<Vec<Order>> {
        let (filter, arg) = match who.role {
            Role::Buyer => ("o.buyer_token_id = $1", who.token_id),
            Role::Host => ("s.host_token_id = $1", who.token_id),
            Role::Operator | Role::Admin => ("$1 = $1", 0),
        };
        let sql = format!(
            "{ORDER_SELECT} WHERE {filter} AND ($2 = 0 OR o.session_id = $2) \
             ORDER BY o.id DESC LIMIT 1000"
        );
        let session = q.session_id.unwrap_or(0);
        let rows: Vec<OrderRow> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(&sql).bind(arg).bind(session).fetch_all(p).await?
        });
        Ok(rows.iter().map(|r| r.view(who)).collect())
    }

    /// A regular order (no flash sale on the variant): at the variant's price, from a warehouse
    /// serving the buyer's market that has the units.
    #[instrument(skip_all)]
    pub async fn place_regular(&self, order: &PendingOrder) -> Result<Placed> {
        let now = now_ms();
        let pay_by = now.saturating_add(self.payment_window_ms);
        Ok(dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, order.session_id);
            let (state,): (String,) = sqlx::query_as("SELECT state FROM sessions WHERE id = $1")
                .bind(order.session_id)
                .fetch_one(&mut *tx)
                .await?;
            if state != "live" {
                Placed::Refused(crate::error::Refusal::NotLive)
            } else {
                let warehouse: Option<(i64,)> = sqlx::query_as(
                    "SELECT s.warehouse_id FROM stock s JOIN market_warehouses mw \
                     ON mw.warehouse_id = s.warehouse_id WHERE s.variant_id = $1 \
                     AND mw.country = $2 AND s.available >= $3 ORDER BY s.warehouse_id LIMIT 1",
                )
                .bind(order.variant_id)
                .bind(&order.market)
                .bind(order.quantity)
                .fetch_optional(&mut *tx)
                .await?;
                match warehouse {
                    None => Placed::Refused(crate::error::Refusal::SoldOut),
                    Some((warehouse_id,)) => {
                        sqlx::query(
                            "UPDATE stock SET available = available - $1, updated_at = $2 \
                             WHERE variant_id = $3 AND warehouse_id = $4 AND available >= $1",
                        )
                        .bind(order.quantity)
                        .bind(now)
                        .bind(order.variant_id)
                        .bind(warehouse_id)
                        .execute(&mut *tx)
                        .await?;
                        let inserted: Option<(i64,)> =
                            crate::insert_order!(tx, order, warehouse_id, now, pay_by)
                                .fetch_optional(&mut *tx)
                                .await?;
                        match inserted {
                            None => {
                                tx.rollback().await?;
                                let existing = self
                                    .order_by_key(order.buyer_token_id, &order.idempotency_key)
                                    .await?
                                    .ok_or_else(|| Error::internal("idempotency key vanished"))?;
                                Placed::Duplicate { order_id: existing.id }
                            }
                            Some((order_id,)) => {
                                let mut totals = read_totals!(tx, order.session_id);
                                count(
                                    &mut totals,
                                    &order.currency,
                                    order.quantity,
                                    order.unit_price_minor * order.quantity,
                                    1,
                                );
                                write_totals!(tx, order.session_id, totals, [&order.currency]);
                                log_events!(
                                    tx,
                                    order.session_id,
                                    now,
                                    [("order_confirmed", order_event(order, order_id, None, &totals))]
                                );
                                tx.commit().await?;
                                self.committed();
                                Placed::Confirmed { order_id, remaining: None }
                            }
                        }
                    }
                }
            }
        }))
    }

    /// Moves an order along confirmed → paid → shipped → delivered.
    #[instrument(skip_all, fields(id))]
    pub async fn advance(&self, id: i64, to: &str, shipment: Option<&Shipment>) -> Result<()> {
        let row = self.order_row(id).await?;
        let now = now_ms();
        let (sql, from) = match to {
            "paid" => (
                "UPDATE orders SET status = 'paid', paid_at = $1 WHERE id = $2 \
                 AND status = 'confirmed' AND pay_by > $1",
                "confirmed and within its payment window",
            ),
            "shipped" => (
                "UPDATE orders SET status = 'shipped', shipped_at = $1, carrier = $3, \
                 tracking_number = $4 WHERE id = $2 AND status = 'paid'",
                "paid",
            ),
            _ => (
                "UPDATE orders SET status = 'delivered', delivered_at = $1 WHERE id = $2 \
                 AND status = 'shipped'",
                "shipped",
            ),
        };
        let kind = format!("order_{to}");
        let done = dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, row.session_id);
            let mut q = sqlx::query(sql).bind(now).bind(id);
            if let Some(s) = shipment {
                q = q.bind(&s.carrier).bind(&s.tracking_number);
            }
            let done = q.execute(&mut *tx).await?.rows_affected();
            if done == 1 {
                let mut payload = json!({"order_id": id, "sale_id": row.sale_id});
                if let Some(s) = shipment {
                    payload["carrier"] = json!(s.carrier);
                    payload["tracking_number"] = json!(s.tracking_number);
                }
                log_events!(tx, row.session_id, now, [(kind.as_str(), payload)]);
                tx.commit().await?;
                self.committed();
            }
            done
        });
        if done == 0 {
            return Err(Error::conflict(
                "conflict",
                format!(
                    "order {id} is {}; only an order that is {from} can become {to}",
                    row.status
                ),
            ));
        }
        Ok(())
    }

    /// Cancels an order and gives its units back: to its sale while the sale runs, else to the
    /// warehouse's stock. The conditional UPDATE makes it happen once, whoever races.
    #[instrument(skip_all, fields(id))]
    pub async fn cancel(&self, id: i64, by: CancelBy, reason: &str) -> Result<bool> {
        let row = self.order_row(id).await?;
        let now = now_ms();
        let sql = match by {
            CancelBy::Request => {
                "UPDATE orders SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2 \
                 WHERE id = $3 AND status IN ('confirmed', 'paid')"
            }
            CancelBy::PaymentExpired => {
                "UPDATE orders SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2 \
                 WHERE id = $3 AND status = 'confirmed' AND pay_by <= $1"
            }
        };
        Ok(dispatch!(self.db.writer(), p => {
            let mut tx = p.begin().await?;
            lock_session!(tx, row.session_id);
            let done = sqlx::query(sql)
                .bind(now)
                .bind(reason)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 1 {
                let mut to_stock = true;
                let mut remaining: Option<i64> = None;
                if let Some(sale_id) = row.sale_id {
                    sqlx::query(
                        "UPDATE sale_buyers SET units = units - $1 WHERE sale_id = $2 \
                         AND buyer_token_id = $3 AND units >= $1",
                    )
                    .bind(row.quantity)
                    .bind(sale_id)
                    .bind(row.buyer_token_id)
                    .execute(&mut *tx)
                    .await?;
                    let back: Option<(i64,)> = sqlx::query_as(
                        "UPDATE flash_sales SET remaining = remaining + $1 WHERE id = $2 \
                         AND state <> 'ended' AND ends_at > $3 RETURNING remaining",
                    )
                    .bind(row.quantity)
                    .bind(sale_id)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match back {
                        Some((r,)) => {
                            to_stock = false;
                            remaining = Some(r);
                        }
                        None => {
                            sqlx::query(
                                "UPDATE flash_sales SET returned = returned + $1 WHERE id = $2",
                            )
                            .bind(row.quantity)
                            .bind(sale_id)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                }
                if to_stock {
                    let w: (i64,) = sqlx::query_as("SELECT warehouse_id FROM orders WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(
                        "UPDATE stock SET available = available + $1, updated_at = $2 \
                         WHERE variant_id = $3 AND warehouse_id = $4",
                    )
                    .bind(row.quantity)
                    .bind(now)
                    .bind(row.variant_id)
                    .bind(w.0)
                    .execute(&mut *tx)
                    .await?;
                }
                let mut totals = read_totals!(tx, row.session_id);
                count(&mut totals, &row.currency, row.quantity, row.total_minor, -1);
                write_totals!(tx, row.session_id, totals, [&row.currency]);
                log_events!(
                    tx,
                    row.session_id,
                    now,
                    [("order_cancelled",
                      json!({"order_id": id, "sale_id": row.sale_id, "quantity": row.quantity,
                             "reason": reason,
                             "returned_to": if to_stock { "stock" } else { "sale" },
                             "remaining": remaining,
                             "currency": row.currency, "total_minor": row.total_minor,
                             "totals": crate::events::totals_json(&totals)}))]
                );
                tx.commit().await?;
                self.committed();
            }
            done == 1
        }))
    }

    /// Cancels every confirmed order unpaid past its window; returns how many this call did.
    pub async fn expire_unpaid(&self) -> Result<usize> {
        let due: Vec<(i64,)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT id FROM orders WHERE status = 'confirmed' AND pay_by <= $1 ORDER BY id \
                 LIMIT 1000",
            )
            .bind(now_ms())
            .fetch_all(p)
            .await?
        });
        let mut n = 0;
        for (id,) in due {
            if self
                .cancel(id, CancelBy::PaymentExpired, "payment_expired")
                .await?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The product, customs mode and archived flag of a variant.
    pub(crate) async fn variant_facts(
        &self,
        variant_id: i64,
    ) -> Result<Option<(i64, Option<String>, bool)>> {
        type Facts = (i64, Option<String>, Option<i64>, Option<i64>);
        let row: Option<Facts> = dispatch!(self.db.reader(), p => {
            sqlx::query_as(
                "SELECT v.product_id, pr.customs_mode, v.archived_at, pr.archived_at \
                 FROM variants v JOIN products pr ON pr.id = v.product_id WHERE v.id = $1",
            )
            .bind(variant_id)
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(|(pid, mode, va, pa)| (pid, mode, va.is_some() || pa.is_some())))
    }

    /// The variant's set price in a currency.
    pub(crate) async fn regular_price(
        &self,
        variant_id: i64,
        currency: &str,
    ) -> Result<Option<i64>> {
        let row: Option<(i64,)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as("SELECT amount_minor FROM prices WHERE variant_id = $1 AND currency = $2")
                .bind(variant_id)
                .bind(currency)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(|r| r.0))
    }

    pub(crate) async fn in_showcase(&self, session_id: i64, product_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = dispatch!(self.db.reader(), p => {
            sqlx::query_as("SELECT product_id FROM showcase WHERE session_id = $1 AND product_id = $2")
                .bind(session_id)
                .bind(product_id)
                .fetch_optional(p)
                .await?
        });
        Ok(row.is_some())
    }

    // ---- events ---------------------------------------------------------------------------

    pub async fn events(&self, session_id: i64, since: i64, limit: i64) -> Result<Vec<Event>> {
        let events =
            crate::fanout::session_events_after(&self.db, session_id, since, limit).await?;
        Ok(events
            .into_iter()
            .map(|e| Event {
                id: e.id,
                session_id: e.session_id,
                seq: e.seq,
                kind: e.kind,
                payload: e.payload,
                created_at: rfc3339(e.created_at),
            })
            .collect())
    }
}

/// Amounts per currency as a list of [`Money`].
pub(crate) fn money_list(amounts: BTreeMap<String, i64>) -> Vec<Money> {
    amounts
        .into_iter()
        .map(|(currency, amount_minor)| Money {
            currency,
            amount_minor,
        })
        .collect()
}

/// The `order_confirmed` event: the buyer masked for the buyer feed; their id for the host's.
/// The buyer's full name and the prices are in the log for the host's and operators' feeds; the
/// feed cuts them from what buyers receive.
pub(crate) fn order_event(
    o: &PendingOrder,
    order_id: i64,
    remaining: Option<i64>,
    totals: &crate::events::Totals,
) -> serde_json::Value {
    json!({
        "order_id": order_id,
        "sale_id": o.sale_id,
        "variant_id": o.variant_id,
        "product_id": o.product_id,
        "quantity": o.quantity,
        "remaining": remaining,
        "currency": o.currency,
        "unit_price_minor": o.unit_price_minor,
        "total_minor": o.unit_price_minor * o.quantity,
        "buyer": {"id": o.buyer_token_id, "name": o.buyer_name, "masked": mask_name(&o.buyer_name),
                  "city": o.buyer_city, "country": o.market, "locale": o.locale},
        "totals": crate::events::totals_json(totals),
    })
}

fn positive(field: &str, value: i64, max: i64) -> Result<i64> {
    if !(1..=max).contains(&value) {
        return Err(Error::invalid(
            field,
            format!("must be between 1 and {max}"),
        ));
    }
    Ok(value)
}

/// An RFC 3339 time as ms since the epoch.
fn parse_time(field: &str, s: &str) -> Result<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            Error::invalid(
                field,
                "expected an RFC 3339 time, e.g. 2026-11-27T18:00:00Z",
            )
        })?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| Error::invalid(field, "out of range"))
}
