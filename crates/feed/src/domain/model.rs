//! The feed's API types: request bodies (checked at the edge by the store) and responses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// A guest buyer: who they are for the feed ("A***a from Almaty") and which language they read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBuyer {
    pub display_name: String,
    /// ISO 3166-1 alpha-2: the buyer's market.
    pub country: String,
    pub city: String,
    pub locale: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Buyer {
    /// The buyer's token id.
    pub id: i64,
    pub display_name: String,
    pub country: String,
    pub city: String,
    pub locale: String,
    pub created_at: String,
    /// The delivery address a comment order is placed with (`PUT /api/v1/buyers/me/ship-to`);
    /// null until the buyer saved one (and in a guest's sign-up answer).
    #[serde(default)]
    pub ship_to: Option<ShipTo>,
    /// The currency a comment order is placed in, saved with `ship_to`.
    #[serde(default)]
    pub currency: Option<String>,
}

/// `PUT /api/v1/buyers/me/ship-to`: where and in which currency the buyer's comment orders
/// are placed (docs/live-room.md).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedShipTo {
    pub ship_to: ShipTo,
    /// A currency code (ISO 4217) of the delivery country's market.
    pub currency: String,
}

/// A guest buyer just created, with the bearer token (shown once).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BuyerCreated {
    pub token: String,
    pub buyer: Buyer,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub title: String,
    /// The language the host speaks (a supported locale).
    pub language: String,
    /// Countries (ISO 3166-1 alpha-2) the session sells to; each must be a configured market.
    pub markets: Vec<String>,
    /// RFC 3339; absent means "whenever the host starts it".
    #[serde(default)]
    pub scheduled_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductRef {
    pub product_id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Host {
    pub id: i64,
    pub name: String,
}

/// `GET /api/v1/sessions`: which sessions to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SessionsQuery {
    /// Only sessions in this state: `scheduled`, `live` or `ended`.
    pub state: Option<String>,
}

/// One session of a list: what it is and who watches it, without its showcase and sales (read
/// those with `GET /api/v1/sessions/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionListItem {
    pub id: i64,
    pub host: Host,
    pub title: String,
    pub language: String,
    pub markets: Vec<String>,
    /// `scheduled`, `live` or `ended`.
    pub state: String,
    pub scheduled_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub pinned_product_id: Option<i64>,
    /// The stream buyers watch on the session's page, when the host has set one.
    pub stream: Option<crate::domain::stream::Stream>,
    /// The last event's per-session sequence number.
    pub last_seq: i64,
    /// Feed connections watching the session on this instance now.
    pub viewers: i64,
    /// The most feed connections that watched it at once.
    pub peak_viewers: i64,
}

/// Sessions, newest first (at most 500).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionListItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub id: i64,
    pub host: Host,
    pub title: String,
    pub language: String,
    pub markets: Vec<String>,
    /// `scheduled`, `live` or `ended`.
    pub state: String,
    pub scheduled_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// Product ids in the order they were added.
    pub showcase: Vec<i64>,
    pub pinned_product_id: Option<i64>,
    /// The stream buyers watch on the session's page (`PUT /sessions/{id}/stream`), when the
    /// host has set one; gone when the session ends.
    pub stream: Option<crate::domain::stream::Stream>,
    /// The sale that has not ended, if any (the latest created).
    pub sale: Option<FlashSale>,
    /// Every flash sale of the session.
    pub sales: Vec<FlashSale>,
    /// The last event's per-session sequence number.
    pub last_seq: i64,
    /// The server's clock (RFC 3339) and in ms, for countdowns.
    pub server_time: String,
    pub server_time_ms: i64,
    /// Present once the session has ended.
    pub summary: Option<Summary>,
}

impl Session {
    /// What `audience` may see of a session, over HTTP and on the WebSocket snapshot alike:
    /// the summary (GMV, top products) goes to the session's host and operators only.
    pub fn project(mut self, audience: crate::domain::events::Audience) -> Session {
        if audience == crate::domain::events::Audience::Public {
            self.summary = None;
        }
        self
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFlashSale {
    pub variant_id: i64,
    /// Units carved out of the warehouse's stock.
    pub quantity: i64,
    pub per_buyer_limit: i64,
    /// Sale price per currency, integer minor units.
    pub prices: BTreeMap<String, i64>,
    /// Seconds before the sale opens.
    pub countdown_s: i64,
    /// Seconds the sale runs once open.
    pub duration_s: i64,
    /// Warehouse code; by default the first warehouse serving one of the session's markets that
    /// has the quantity.
    #[serde(default)]
    pub warehouse: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restock {
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FlashSale {
    pub id: i64,
    pub session_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub warehouse: String,
    /// Units carved out of stock for the sale (initial quantity plus restocks).
    pub allocated: i64,
    /// Units still for sale.
    pub remaining: i64,
    /// Units in orders that are not cancelled.
    pub sold: i64,
    /// Units given back to stock (at the end, or cancelled after it).
    pub returned: i64,
    pub per_buyer_limit: i64,
    pub prices: BTreeMap<String, i64>,
    /// `open`, `paused` or `ended` (as stored).
    pub state: String,
    /// What a buyer sees now: `countdown`, `running`, `sold_out`, `paused` or `ended`.
    pub phase: String,
    pub starts_at: String,
    pub ends_at: String,
    pub ended_at: Option<String>,
}

/// The recipient of an order: only the buyer, the session's host and operators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipTo {
    pub name: String,
    pub phone: String,
    pub country: String,
    pub city: String,
    pub address: String,
    /// Required, except where the country has no postal codes or does not use them
    /// (`codes::POSTAL_CODE_OPTIONAL`: e.g. KH, LA, MM), where it may be empty or left out.
    #[serde(default)]
    pub postal_code: String,
}

/// The orderer (订购人) of an order into a market whose cross-border limits count per person
/// (CN): the buyer's real name and PRC resident ID number. Required for orders into CN (422
/// `invalid` naming `identity`, `identity.name` or `identity.id_number` otherwise), ignored for
/// other markets. The number is stored only as a keyed hash and shown masked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// The orderer's real name (one line, at most 100 characters).
    #[schema(example = "王小明")]
    pub name: String,
    /// The 18-character resident ID number (17 digits and a check digit or `X`, GB 11643-1999).
    #[schema(example = "11010519491231002X")]
    pub id_number: String,
}

/// The orderer as an order's views and the export show them: the ID number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentityView {
    pub name: String,
    /// The first four and last four characters of the ID number (`1101**********002X`).
    pub id_number: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub variant_id: i64,
    pub quantity: i64,
    pub currency: String,
    pub ship_to: ShipTo,
    /// The orderer (订购人): required when `ship_to.country` is `CN`, whose limits count per
    /// person; ignored for other markets.
    #[serde(default)]
    pub identity: Option<Identity>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: i64,
    /// `confirmed`, `paid`, `shipped`, `delivered` or `cancelled`.
    pub status: String,
    pub session_id: i64,
    pub sale_id: Option<i64>,
    pub buyer_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    /// The buyer's country.
    pub market: String,
    pub buyer_city: String,
    /// The buyer's locale when ordering (messages about the order use it).
    pub locale: String,
    pub customs_mode: Option<String>,
    /// Why the order has its customs mode: `bonded_warehouse`, `overseas_warehouse`,
    /// `over_b2c_threshold`, `product_b2b` or `retail_parcel` (docs/customs.md).
    pub customs_reason: Option<String>,
    pub warehouse: String,
    /// Unpaid after this, the order is cancelled.
    pub pay_by: String,
    pub created_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancelled_at: Option<String>,
    /// `buyer`, `operator` or `payment_expired`.
    pub cancel_reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// The rate the order was sold at: CNY per one major unit of its currency, as the rate
    /// table held it on the order's UTC date; null when none was in force.
    pub rate_cny: Option<String>,
    /// The order's total in CNY at that rate (decimal string, two digits); null without a rate.
    pub value_cny: Option<String>,
    /// The landed-cost quote the order was placed under (its rule id in `rule.id`); null for
    /// orders placed before quotes were recorded.
    pub landed_cost: Option<silkstream_catalog::landed::LandedQuote>,
    /// Only for the buyer, the session's host and operators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShipTo>,
    /// The orderer of an order into CN, the ID number masked; only for those who see
    /// `ship_to`, and absent for other orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityView>,
}

/// The answer to an order: the order, the units left in its sale, and the buyer's message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderPlaced {
    pub order: Order,
    /// Units left in the flash sale right after this order (none for a regular order).
    pub remaining: Option<i64>,
    /// True when this answers a retry with the same Idempotency-Key (status 200).
    pub replayed: bool,
    /// "Order confirmed: 2 items, total …" in the buyer's locale.
    #[schema(value_type = Object)]
    pub message: silkstream_l10n::Localized,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderList {
    pub items: Vec<Order>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    /// A buyer's own orders (buyers always get only their own).
    pub mine: Option<String>,
    /// Only this session's orders.
    pub session_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Global id, increasing across sessions.
    pub id: i64,
    pub session_id: i64,
    /// 1, 2, 3… per session, gapless.
    pub seq: i64,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: Value,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Events after this seq (default 0: from the start).
    pub since: Option<i64>,
    /// At most this many (1..=1000, default 500).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Money {
    pub currency: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TopProduct {
    pub product_id: i64,
    pub title: String,
    pub units: i64,
    pub orders: i64,
}

/// What a session sold. Cancelled orders do not count.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub orders: i64,
    pub units: i64,
    /// GMV per currency, minor units.
    pub gmv: Vec<Money>,
    /// GMV in CNY (decimal string, two digits): the sum of the orders' stored CNY values, each
    /// at the rate in force on the order's date (docs/reports.md).
    pub gmv_cny: String,
    /// Currencies of orders left out of `gmv_cny` for want of a rate.
    pub missing_rates: Vec<String>,
    pub top_products: Vec<TopProduct>,
    /// When these figures were read (RFC 3339): they are current as of then. After the end
    /// they still change when an order is cancelled or its payment window expires; the host's
    /// and operators' feeds get a `summary_changed` event each time.
    pub as_of: String,
    /// Confirmed orders not yet paid: counted above, but they leave the figures if their
    /// payment window expires.
    pub unpaid_orders: i64,
    /// Peak concurrent viewers: 0 until the WebSocket feed counts viewers.
    pub peak_viewers: i64,
    /// Orders per peak viewer; null while no viewers are counted.
    pub orders_per_viewer: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `session`, `host`, `market` or `day`.
    pub group_by: String,
    /// Any IANA time zone (for `day`, at the offsets it had then), default `UTC`.
    pub tz: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportRow {
    /// The session id, host id, market or day (YYYY-MM-DD in `tz`).
    pub key: String,
    /// The host's name beside its id (`group_by=host`); null for other groupings.
    pub name: Option<String>,
    pub orders: i64,
    pub units: i64,
    pub gmv: Vec<Money>,
    /// The sum of the row's orders' stored CNY values (two digits).
    pub gmv_cny: String,
    /// Currencies of the row's orders that have no rate, left out of `gmv_cny`.
    pub missing_rates: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SalesReport {
    pub group_by: String,
    pub tz: String,
    pub rows: Vec<ReportRow>,
    /// Money owed back to buyers, per currency, over every order (`GET /api/v1/payments/refunds`
    /// lists it): paid orders cancelled with a refund (which the rows no longer count), money
    /// for orders that could not be paid and mismatched amounts (docs/payments.md).
    pub refunds_due: Vec<Money>,
    /// When the report was read (RFC 3339).
    pub as_of: String,
}

/// The state of `all` whose stored name is `s`; any other name is a broken row (a 500 with the
/// cause), named `what`. The one reading of the state enums below, each of which declares its
/// names once, in its exhaustive `as_str`.
fn parse_stored<T: Copy>(
    s: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> crate::domain::error::Result<T> {
    all.iter().copied().find(|v| name(*v) == s).ok_or_else(|| {
        crate::domain::error::Error::internal(format!("unknown {what} {s:?} in the database"))
    })
}

/// A live session's life: scheduled → live → ended (or scheduled → ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    Scheduled,
    Live,
    Ended,
}

impl SessionState {
    /// Every state, for [`Self::parse`].
    pub const ALL: &'static [SessionState] = &[
        SessionState::Scheduled,
        SessionState::Live,
        SessionState::Ended,
    ];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Scheduled => "scheduled",
            SessionState::Live => "live",
            SessionState::Ended => "ended",
        }
    }

    /// Reads a stored name; anything else is a broken row (a 500 with the cause).
    pub fn parse(s: &str) -> crate::domain::error::Result<Self> {
        parse_stored(s, Self::ALL, Self::as_str, "SessionState")
    }
}

impl std::fmt::Display for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A flash sale's stored state (its phase adds the clock: countdown, running, sold out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleState {
    Open,
    Paused,
    Ended,
}

impl SaleState {
    /// Every state, for [`Self::parse`].
    pub const ALL: &'static [SaleState] = &[SaleState::Open, SaleState::Paused, SaleState::Ended];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Open => "open",
            SaleState::Paused => "paused",
            SaleState::Ended => "ended",
        }
    }

    /// Reads a stored name; anything else is a broken row (a 500 with the cause).
    pub fn parse(s: &str) -> crate::domain::error::Result<Self> {
        parse_stored(s, Self::ALL, Self::as_str, "SaleState")
    }
}

impl std::fmt::Display for SaleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order's life: confirmed → paid → shipped → delivered, or cancelled before shipping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Confirmed,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    /// Every state, for [`Self::parse`].
    pub const ALL: &'static [OrderStatus] = &[
        OrderStatus::Confirmed,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a stored name; anything else is a broken row (a 500 with the cause).
    pub fn parse(s: &str) -> crate::domain::error::Result<Self> {
        parse_stored(s, Self::ALL, Self::as_str, "OrderStatus")
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod stored_names_tests {
    use super::*;

    /// Every state reads back from its own name, and an unknown name is an error.
    #[test]
    fn names_round_trip() {
        for s in [
            SessionState::Scheduled,
            SessionState::Live,
            SessionState::Ended,
        ] {
            assert_eq!(SessionState::parse(s.as_str()).expect("known"), s);
            assert_eq!(s.to_string(), s.as_str());
        }
        for s in [SaleState::Open, SaleState::Paused, SaleState::Ended] {
            assert_eq!(SaleState::parse(s.as_str()).expect("known"), s);
        }
        for s in [
            OrderStatus::Confirmed,
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            OrderStatus::Cancelled,
        ] {
            assert_eq!(OrderStatus::parse(s.as_str()).expect("known"), s);
        }
        assert_eq!(OrderStatus::Cancelled.as_str(), "cancelled");
        assert!(OrderStatus::parse("refunded").is_err());
        assert!(SessionState::parse("Live").is_err());
    }
}

/// `GET /sessions/{id}/room`: the language and currency of the pinned product's view.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RoomQuery {
    /// Render the pinned product in this locale (wins over `Accept-Language`; default `en`).
    pub locale: Option<String>,
    /// Price it in this currency (default: the locale's default currency).
    pub currency: Option<String>,
}

/// A session's room as a guest sees it before joining (no token): the session as buyers see
/// it, its pinned product and its markets. No personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Room {
    pub session: Session,
    /// The pinned product, localized and priced; null while nothing is pinned.
    pub product: Option<silkstream_catalog::model::Product>,
    /// The session's markets: their currencies (the first is the default) and whether a
    /// delivery address there needs a postal code.
    pub markets: Vec<silkstream_catalog::model::Market>,
}
