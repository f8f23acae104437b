//! The feed's store: the only code of the feed crate that runs SQL, one module per domain, each
//! owning its tables. Every write goes through [`write::SessionWrite`] (begin → lock the session
//! → work → log events → commit → wake the fan-out; the lock order is written down there), and
//! every unit of stock moves through [`silkstream_catalog::stock`] (warehouses) or
//! [`sales::take_from_sale`] / [`sales::give_back_to_sale`] (a sale's units).
//!
//! - [`sessions`]: guest buyers, sessions, showcase and pin (`buyers`, `sessions`, `showcase`);
//! - [`chat`]: the live room's chat and its moderation (`chat_messages`, `chat_mutes`);
//! - [`sales`]: flash sales (`flash_sales`, `sale_buyers`);
//! - [`orders`]: orders outside the desk: regular orders, payment, shipping, cancellation,
//!   expiry (`orders`);
//! - [`batch`]: the order desk's batch transaction (the flash-sale hot path);
//! - [`payments`]: payments of orders and the providers' transactions (`payments`,
//!   `payment_callbacks`);
//! - [`log`]: the event log and the sessions' running totals (`events`, `event_clock`,
//!   `session_totals`);
//! - [`reports`]: the operators' reads across sessions;
//! - [`gate`]: hosts' profiles and the qualification gate's checks (`host_profiles`);
//! - [`per_person`]: the per-person cross-border limits in the order's transaction
//!   (`cross_border_persons`);
//! - [`identity`]: the key of the orderers' ID-number hashes (`identity_key`);
//! - [`write`]: the one write path;
//! - [`commits`]: where a commit's events go next (this instance's fan-out, the bus);
//! - [`deployment`]: the deployment's key, which names its channels and keys in Redis
//!   (`deployment`).

pub mod batch;
pub mod cache;
pub mod chat;
pub mod commits;
pub mod customs;
pub mod deployment;
pub mod gate;
pub mod identity;
pub mod log;
pub mod mutual_trade;
pub mod orders;
pub mod payments;
pub mod per_person;
pub mod regular;
pub mod reports;
pub mod sales;
pub mod sessions;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use silkstream_catalog::auth::{Principal, Role};
use silkstream_catalog::db::{rfc3339, Db, Params};
use silkstream_catalog::CatalogStore;

use crate::domain::error::{Error, Result};
use crate::domain::events as ev;
use crate::domain::model::*;

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
    /// Hands every commit's events to the feed's fan-out (and the bus, scaled out), so feeds
    /// hear of a change at once instead of at the next poll.
    commits: Arc<commits::Commits>,
    /// What the order path keeps in memory ([`crate::store::cache`]); the writes that change a cached
    /// fact on this instance forget it.
    caches: Arc<crate::store::cache::Caches>,
    /// The key of the orderers' ID-number hashes ([`identity`]).
    identity: Arc<identity::IdentityKey>,
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
    pub stream_kind: Option<String>,
    pub stream_url: Option<String>,
}

impl SessionRow {
    pub fn markets(&self) -> Vec<String> {
        serde_json::from_str(&self.markets).unwrap_or_default()
    }

    /// The stream, when both of its columns are set.
    pub fn stream(&self) -> Option<crate::domain::stream::Stream> {
        match (&self.stream_kind, &self.stream_url) {
            (Some(kind), Some(url)) => Some(crate::domain::stream::Stream {
                kind: crate::domain::stream::StreamKind::parse(kind)?,
                url: url.clone(),
            }),
            _ => None,
        }
    }
}

const SESSION_SELECT: &str = "SELECT s.id, s.host_token_id, t.name AS host_name, s.title, \
     s.language, s.markets, s.state, s.scheduled_at, s.started_at, s.ended_at, \
     s.pinned_product_id, s.next_seq, s.peak_viewers, s.stream_kind, s.stream_url \
     FROM sessions s \
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
        let phase = if self.state == SaleState::Ended.as_str() || now >= self.ends_at {
            "ended"
        } else if self.state == SaleState::Paused.as_str() {
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
    pub warehouse_id: i64,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub market: String,
    pub buyer_city: String,
    pub locale: String,
    pub customs_mode: Option<String>,
    /// Why the order has its customs mode (docs/customs.md); `None` for orders confirmed
    /// before modes were decided.
    pub customs_reason: Option<String>,
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
    pub rate_cny: Option<String>,
    pub value_cny_fen: Option<i64>,
    pub landed_cost: Option<String>,
    /// The orderer of an order into CN: their name and masked ID number.
    pub orderer_name: Option<String>,
    pub orderer_id_masked: Option<String>,
}

/// The columns of [`OrderRow`], over [`ORDER_ROW_FROM`]'s aliases: the one list every read of
/// orders selects (`store/orders`; the export adds its own columns after it, `store/reports`).
pub(crate) const ORDER_ROW_COLUMNS: &str = "o.id, o.session_id, o.sale_id, o.buyer_token_id, \
     o.request_digest, o.variant_id, o.product_id, v.sku, w.code AS warehouse, \
     o.warehouse_id, o.quantity, o.currency, o.unit_price_minor, o.total_minor, o.market, \
     o.buyer_city, o.locale, o.customs_mode, o.customs_reason, o.ship_to, o.status, \
     o.pay_by, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.cancel_reason, \
     o.carrier, o.tracking_number, o.created_at, s.host_token_id, o.rate_cny, \
     o.value_cny_fen, o.landed_cost, o.orderer_name, o.orderer_id_masked";

/// The orders (`o`) with what [`ORDER_ROW_COLUMNS`] shows of others: the variant's SKU (`v`),
/// the warehouse's code (`w`), the session's host (`s`).
pub(crate) const ORDER_ROW_FROM: &str = "orders o JOIN variants v ON v.id = o.variant_id \
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
            buyer_city: silkstream_catalog::text::clean_line(&self.buyer_city),
            locale: self.locale.clone(),
            customs_mode: self.customs_mode.clone(),
            customs_reason: self.customs_reason.clone(),
            warehouse: self.warehouse.clone(),
            pay_by: rfc3339(self.pay_by),
            created_at: rfc3339(self.created_at),
            paid_at: self.paid_at.map(rfc3339),
            shipped_at: self.shipped_at.map(rfc3339),
            delivered_at: self.delivered_at.map(rfc3339),
            cancelled_at: self.cancelled_at.map(rfc3339),
            cancel_reason: self.cancel_reason.clone(),
            carrier: self
                .carrier
                .as_deref()
                .map(silkstream_catalog::text::clean_line),
            tracking_number: self
                .tracking_number
                .as_deref()
                .map(silkstream_catalog::text::clean_line),
            rate_cny: self.rate_cny.clone(),
            value_cny: self
                .value_cny_fen
                .map(|fen| silkstream_catalog::store::cny_text(i128::from(fen))),
            landed_cost: self
                .landed_cost
                .as_deref()
                .and_then(|q| serde_json::from_str(q).ok()),
            ship_to: if sees_recipient {
                serde_json::from_str(&self.ship_to).ok()
            } else {
                None
            },
            identity: match (&self.orderer_name, &self.orderer_id_masked) {
                (Some(name), Some(id_number)) if sees_recipient => Some(IdentityView {
                    name: silkstream_catalog::text::clean_line(name),
                    id_number: id_number.clone(),
                }),
                _ => None,
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
            ship_to: None,
            currency: None,
        }
    }
}

pub use crate::domain::events::mask_name;
pub use per_person::PerPerson;

/// Everything an accepted order writes, checked and priced; built by the handler, written by
/// the desk (a flash sale's batch, [`batch`], or a session's regular orders, [`regular`]). Serialized when a desk hands a
/// batch to the instance that owns its sale's desk ([`crate::tasks::cluster`]); an order with
/// `per_person` set is never handed over (decided where it arrived).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// The product's default customs mode; the order's own is decided when it is inserted
    /// ([`crate::domain::customs::decide`]).
    pub customs_mode: Option<String>,
    /// Units above which the order is a B2B direct export (`customs_b2c_max_quantity`).
    #[serde(default = "default_b2c_max_quantity")]
    pub b2c_max_quantity: i64,
    pub ship_to: String,
    /// The landed-cost quote the order is placed under, as JSON (stored with the order).
    pub landed_cost: Option<String>,
    /// Where a per-person rule applies (CN, UZ): what deciding the quote again inside the
    /// order's transaction needs ([`per_person`]); that quote replaces `landed_cost`.
    #[serde(skip)]
    pub per_person: Option<PerPerson>,
    /// The orderer of an order into CN (checked, the ID number hashed and masked): the
    /// per-person limits count by their ID number's hash instead of the buyer's token.
    pub orderer: Option<Orderer>,
}

fn default_b2c_max_quantity() -> i64 {
    crate::domain::customs::CustomsConfig::default().b2c_max_quantity
}

pub use crate::domain::identity::Orderer;

/// What placing an order reads of its variant: the catalog's (`silkstream_catalog::facts`).
pub use silkstream_catalog::facts::VariantFacts;

/// What the desk's batch wrote for an accepted order beyond its [`PendingOrder`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Written {
    pub created_at: i64,
    pub pay_by: i64,
    pub warehouse_id: i64,
    pub rate_cny: Option<String>,
    pub value_cny_fen: Option<i64>,
    pub landed_cost: Option<String>,
    /// The customs mode decided for the order and its reason.
    #[serde(default)]
    pub customs_mode: Option<String>,
    #[serde(default)]
    pub customs_reason: Option<String>,
    /// The code of the warehouse the units came from, where the batch read it (the regular
    /// batch; a sale's answer takes the sale's).
    #[serde(default)]
    pub warehouse: Option<String>,
}

/// What became of an order handed to the desk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Placed {
    /// Confirmed and committed: the order id and the units left in the sale, and what the
    /// desk's batch wrote beside the pending order (the answer is built from it, no re-read;
    /// `None` from the regular path, whose answer reads the order).
    Confirmed {
        order_id: i64,
        remaining: Option<i64>,
        written: Option<Box<Written>>,
    },
    /// The buyer's key already names an order (this one's content may differ).
    Duplicate { order_id: i64 },
    /// Refused; nothing written.
    Refused(crate::domain::error::Refusal),
    /// A regular order found a flash sale of its variant open under the session's lock: it must
    /// be placed in that sale (at the sale's price, within its limit); nothing written.
    SaleOpen { sale_id: i64 },
    /// The buyer's token no longer authenticates (revoked, expired or deleted since this
    /// instance checked it): 401; nothing written.
    Unauthorized,
    /// Over a per-person cross-border limit, decided with the buyer's (or the person's)
    /// earlier orders inside the transaction (409 `cross_border_limit`), or a limit that cannot
    /// be checked for want of a rate (409 `cross_border_limit_unknown`): the code and the
    /// message; nothing written.
    OverLimit { code: &'static str, message: String },
    /// The variant or its product was archived (seen inside the transaction: intake may have
    /// checked a copy from memory); nothing written.
    Archived,
}

/// [`Placed`] as another instance's desk wrote it (its own `Deserialize`: an over-limit code is
/// one of the codes a per-person limit refuses with, not any string).
#[derive(serde::Deserialize)]
enum PlacedWire {
    Confirmed {
        order_id: i64,
        remaining: Option<i64>,
        written: Option<Box<Written>>,
    },
    Duplicate {
        order_id: i64,
    },
    Refused(crate::domain::error::Refusal),
    SaleOpen {
        sale_id: i64,
    },
    Unauthorized,
    OverLimit {
        code: String,
        message: String,
    },
    Archived,
}

impl<'de> serde::Deserialize<'de> for Placed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match PlacedWire::deserialize(d)? {
            PlacedWire::Confirmed {
                order_id,
                remaining,
                written,
            } => Placed::Confirmed {
                order_id,
                remaining,
                written,
            },
            PlacedWire::Duplicate { order_id } => Placed::Duplicate { order_id },
            PlacedWire::Refused(r) => Placed::Refused(r),
            PlacedWire::SaleOpen { sale_id } => Placed::SaleOpen { sale_id },
            PlacedWire::Unauthorized => Placed::Unauthorized,
            PlacedWire::OverLimit { code, message } => Placed::OverLimit {
                code: ["cross_border_limit", "cross_border_limit_unknown"]
                    .into_iter()
                    .find(|c| *c == code)
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!("unknown limit code {code}"))
                    })?,
                message,
            },
            PlacedWire::Archived => Placed::Archived,
        })
    }
}

/// Who cancels, which decides the orders a cancellation may touch (docs/payments.md).
#[derive(Debug, Clone, Copy)]
pub enum CancelBy<'a> {
    /// The order's buyer: a confirmed (unpaid) order only; a paid one is 409 `order_paid`.
    Buyer,
    /// An operator: a confirmed order, or a paid one with its refund recorded.
    Staff(&'a Principal),
    /// The refund route (the session's host, an operator or an admin): a paid order only, its
    /// refund recorded.
    Refund(&'a Principal),
    /// The sweeper: still unpaid past the payment window.
    PaymentExpired,
}

impl FeedStore {
    pub fn new(db: Db, catalog: CatalogStore, payment_window: Duration) -> Self {
        // The catalog's quotes read the buyers' history through this store, which owns it.
        catalog.set_buyer_history(Arc::new(per_person::FeedBuyers { db: db.clone() }));
        Self {
            db,
            catalog,
            payment_window_ms: i64::try_from(payment_window.as_millis()).unwrap_or(i64::MAX),
            commits: Arc::new(commits::Commits::default()),
            caches: Arc::new(crate::store::cache::Caches::default()),
            identity: Arc::new(identity::IdentityKey::default()),
        }
    }

    /// The store with `secret` as the key of the orderers' ID-number hashes (the
    /// `identity_secret` setting); without one the deployment's key in the database is used.
    pub fn with_identity_secret(mut self, secret: Option<String>) -> Self {
        self.identity = Arc::new(identity::IdentityKey {
            secret,
            key: tokio::sync::OnceCell::new(),
        });
        self
    }

    /// A store over an empty in-memory SQLite database (no tables): for unit tests of what
    /// sits above the store and never reaches the database.
    #[cfg(test)]
    pub(crate) async fn in_memory() -> Self {
        let db = Db::connect(
            "sqlite::memory:",
            &silkstream_catalog::db::DbOptions::default(),
        )
        .await
        .expect("an in-memory database");
        let l10n = Arc::new(silkstream_l10n::L10n::embedded().expect("bundles"));
        let catalog = CatalogStore::new(db.clone(), l10n);
        Self::new(db, catalog, Duration::from_secs(900))
    }

    /// Where each commit that logged events hands them ([`commits::Commits`]).
    pub fn commits(&self) -> &Arc<commits::Commits> {
        &self.commits
    }

    /// Hands the rows a write just committed to the fan-out and the bus.
    pub(crate) fn committed(&self, rows: Vec<log::EventRow>) {
        self.commits.committed(rows);
    }

    /// What the order path keeps in memory (tokens, buyers, sessions, sales, keys).
    pub fn caches(&self) -> &Arc<crate::store::cache::Caches> {
        &self.caches
    }

    /// The buyer token's earlier totals to `market` before `now` (intake's fast refusal):
    /// [`per_person::earlier_totals`], the one computation of them.
    pub(crate) async fn buyer_earlier(
        &self,
        buyer_token_id: i64,
        market: &str,
        now: i64,
    ) -> Result<silkstream_catalog::landed::Earlier> {
        let mut conn = self.db.reader().acquire().await?;
        per_person::buyer_earlier(&mut conn, buyer_token_id, market, now).await
    }

    pub fn catalog(&self) -> &CatalogStore {
        &self.catalog
    }

    pub fn payment_window_ms(&self) -> i64 {
        self.payment_window_ms
    }
}

/// An order's rate and value in CNY, decided in the order's own transaction from the rate
/// table in force on its UTC date (docs/reports.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Valued {
    /// The rate's exact decimal text (CNY per one major unit); `None` without a rate.
    pub rate: Option<String>,
    /// The order's total in CNY fen, rounded half away from zero; `None` without a rate.
    pub cny_fen: Option<i64>,
}

/// Values an order's total at `rates`; [`Refusal::TotalOverflow`] when the total or its CNY
/// value does not fit in 64 bits.
pub(crate) fn value_order(
    rates: &silkstream_catalog::store::RateTable,
    o: &PendingOrder,
) -> std::result::Result<Valued, crate::domain::error::Refusal> {
    let overflow = crate::domain::error::Refusal::TotalOverflow;
    let total = o.unit_price_minor.checked_mul(o.quantity).ok_or(overflow)?;
    match rates.value_in_cny(&o.currency, total) {
        Ok(Some((rate, fen))) => Ok(Valued {
            rate: Some(rate),
            cny_fen: Some(fen),
        }),
        Ok(None) => Ok(Valued::default()),
        Err(()) => Err(overflow),
    }
}

/// An order as the running totals count it.
pub(crate) fn counted<'a>(o: &'a PendingOrder, v: &Valued) -> log::Counted<'a> {
    log::Counted {
        currency: &o.currency,
        quantity: o.quantity,
        total_minor: o.unit_price_minor.saturating_mul(o.quantity),
        cny_fen: v.cny_fen,
    }
}

/// The columns of an order as [`insert_orders`] writes it.
const ORDER_COLUMNS: &str = "session_id, sale_id, buyer_token_id, idempotency_key, \
     request_digest, variant_id, product_id, warehouse_id, quantity, currency, \
     unit_price_minor, total_minor, market, buyer_city, locale, customs_mode, ship_to, \
     status, pay_by, created_at, rate_cny, value_cny_fen, landed_cost, orderer_name, \
     orderer_id_hash, orderer_id_masked, customs_reason";
/// Parameters per row of [`insert_orders`] (the status is a literal).
const ORDER_PARAMS: usize = 26;

/// One accepted order of a batch as [`insert_orders`] writes it.
pub(crate) struct NewOrderRow<'a> {
    pub order: &'a PendingOrder,
    pub value: &'a Valued,
    pub landed_cost: Option<&'a str>,
}

/// Inserts a batch's accepted orders in the given order (the caller's (buyer, key) order),
/// `ON CONFLICT DO NOTHING`, in one statement per binary digit of their count (rows 64, then
/// 16, then 8…: a handful of distinct statements, each prepared once per connection), and
/// returns the id of each inserted one by (buyer, key). A key another transaction took is
/// missing from the answer: the caller decides the batch again. Each order's customs mode is
/// decided here, from the kind of the warehouse its units left ([`crate::domain::customs::decide`]).
pub(crate) async fn insert_orders(
    tx: &mut silkstream_catalog::db::Conn,
    rows: &[NewOrderRow<'_>],
    warehouse_id: i64,
    kind: silkstream_catalog::codes::WarehouseKind,
    now: i64,
    pay_by: i64,
) -> Result<HashMap<(i64, String), i64>> {
    let mut ids = HashMap::with_capacity(rows.len());
    let mut rest = rows;
    while !rest.is_empty() {
        // The largest power of two that fits: a statement of 2^k rows.
        let n = 1usize << (usize::BITS - 1 - rest.len().leading_zeros());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        let mut params = Params::new(tx);
        let values: Vec<String> = (0..n)
            .map(|_| {
                let head = params.list(17);
                let tail = params.list(ORDER_PARAMS - 17);
                format!("({head}, 'confirmed', {tail})")
            })
            .collect();
        let sql = format!(
            "INSERT INTO orders ({ORDER_COLUMNS}) VALUES {} \
             ON CONFLICT (buyer_token_id, idempotency_key) DO NOTHING \
             RETURNING id, buyer_token_id, idempotency_key",
            values.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64, String)>(&sql);
        for row in chunk {
            let o = row.order;
            let mode = crate::domain::customs::decide(
                kind,
                o.quantity,
                o.customs_mode.as_deref(),
                o.b2c_max_quantity,
            );
            q = q
                .bind(o.session_id)
                .bind(o.sale_id)
                .bind(o.buyer_token_id)
                .bind(&o.idempotency_key)
                .bind(&o.digest)
                .bind(o.variant_id)
                .bind(o.product_id)
                .bind(warehouse_id)
                .bind(o.quantity)
                .bind(&o.currency)
                .bind(o.unit_price_minor)
                .bind(o.unit_price_minor.saturating_mul(o.quantity))
                .bind(&o.market)
                .bind(&o.buyer_city)
                .bind(&o.locale)
                .bind(mode.code)
                .bind(&o.ship_to)
                .bind(pay_by)
                .bind(now)
                .bind(&row.value.rate)
                .bind(row.value.cny_fen)
                .bind(row.landed_cost)
                .bind(o.orderer.as_ref().map(|p| p.name.as_str()))
                .bind(o.orderer.as_ref().map(|p| p.id_hash.as_str()))
                .bind(o.orderer.as_ref().map(|p| p.id_masked.as_str()))
                .bind(mode.reason);
        }
        for (id, buyer, key) in q.fetch_all(&mut *tx).await? {
            ids.insert((buyer, key), id);
        }
    }
    Ok(ids)
}

/// The orders that any of `keys` (buyer, key) names, in one query, read inside a write
/// transaction (so that, under the session's lock, it sees every order committed before):
/// (buyer, key) → order id.
pub(crate) async fn keys_in_tx(
    tx: &mut silkstream_catalog::db::Conn,
    keys: &[(i64, &str)],
) -> Result<HashMap<(i64, String), i64>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    // The keys as a VALUES list joined on the orders' unique (buyer, key) index: one probe per
    // key (an OR of pairs costs PostgreSQL a bitmap scan per pair and a long plan).
    let mut params = Params::new(tx);
    let values: Vec<String> = (0..keys.len())
        .map(|_| format!("({})", params.list(2)))
        .collect();
    let sql = format!(
        "SELECT o.buyer_token_id, o.idempotency_key, o.id FROM (VALUES {}) AS k \
         JOIN orders o ON o.buyer_token_id = k.column1 AND o.idempotency_key = k.column2",
        values.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, String, i64)>(&sql);
    for (buyer, key) in keys {
        q = q.bind(*buyer).bind(*key);
    }
    let rows = q.fetch_all(&mut *tx).await?;
    Ok(rows
        .into_iter()
        .map(|(buyer, key, id)| ((buyer, key), id))
        .collect())
}

/// Sums per currency (kept in 128 bits) back in 64 bits; a sum that does not fit is a 409
/// `total_overflow`, never a wrapped number.
pub(crate) fn narrow(sums: BTreeMap<String, i128>) -> Result<BTreeMap<String, i64>> {
    sums.into_iter()
        .map(|(currency, sum)| match i64::try_from(sum) {
            Ok(v) => Ok((currency, v)),
            Err(_) => Err(Error::conflict(
                "total_overflow",
                format!("the sum in {currency} does not fit in 64 bits"),
            )),
        })
        .collect()
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
    totals: &log::Totals,
) -> ev::Event {
    ev::Event::OrderConfirmed(ev::OrderConfirmed {
        order_id,
        sale_id: o.sale_id,
        variant_id: o.variant_id,
        product_id: o.product_id,
        quantity: o.quantity,
        remaining,
        currency: o.currency.clone(),
        unit_price_minor: o.unit_price_minor,
        total_minor: o.unit_price_minor * o.quantity,
        buyer: ev::BuyerLine {
            id: o.buyer_token_id,
            name: o.buyer_name.clone(),
            masked: mask_name(&o.buyer_name),
            city: o.buyer_city.clone(),
            country: o.market.clone(),
            locale: o.locale.clone(),
        },
        totals: ev::TotalsView::of(totals),
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

// ---- the order path's reads through its memory (crate::store::cache) -----------------------------

impl FeedStore {
    /// A buyer's profile, from memory when this instance has read it before (a profile never
    /// changes; it is deleted only with its token, which is then forgotten).
    pub(crate) async fn buyer_cached(&self, token_id: i64) -> Result<Option<Arc<BuyerRow>>> {
        if let Some(b) = self.caches.buyer(token_id) {
            return Ok(Some(b));
        }
        let Some(row) = self.buyer(token_id).await? else {
            return Ok(None);
        };
        let row = Arc::new(row);
        self.caches.put_buyer(row.clone());
        Ok(Some(row))
    }

    /// What intake needs of a session: its host and markets (never change) and its state,
    /// from memory when live or ended (404 when there is none).
    pub(crate) async fn session_facts(
        &self,
        id: i64,
    ) -> Result<Arc<crate::store::cache::SessionFacts>> {
        if let Some(s) = self.caches.session(id) {
            return Ok(s);
        }
        let row = self.session_row(id).await?;
        let facts = Arc::new(crate::store::cache::SessionFacts {
            host_token_id: row.host_token_id,
            state: SessionState::parse(&row.state)?,
            markets: row.markets(),
        });
        self.caches.put_session(id, facts.clone());
        Ok(facts)
    }

    /// The latest sale of a variant in a session, or none, from memory when read before. Intake
    /// takes only its id, prices, warehouse and SKU-independent facts from it (none of which
    /// change); its state, units, limit and window are decided by the desk, and a newer sale
    /// (or a first one) is found when the desk or the regular path answers `sale_ended` or
    /// `SaleOpen`, which forget the entry.
    pub(crate) async fn sale_for_cached(
        &self,
        session_id: i64,
        variant_id: i64,
    ) -> Result<Option<Arc<SaleRow>>> {
        if let Some(s) = self.caches.sale(session_id, variant_id) {
            return Ok(s);
        }
        let sale = self.sale_for(session_id, variant_id).await?.map(Arc::new);
        self.caches.put_sale(session_id, variant_id, sale.clone());
        Ok(sale)
    }
}
