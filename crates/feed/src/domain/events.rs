//! The feed's events: one [`Event`] variant per kind with a typed payload, stored in the log as
//! the kind string and the payload's JSON (the same keys and values the log has always held), and
//! what each audience sees of each kind ([`Event::project`]): one exhaustive `match`, so a new
//! kind does not compile until it says what buyers, its host and operators get. The log itself
//! (append, read) is `store::log`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::domain::totals::{count, Totals};

/// An event of a session's log, with its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Event {
    ShowcaseAdded(ProductRef),
    SessionStarted(Empty),
    SessionEnded(Empty),
    ProductPinned(ProductRef),
    ProductUnpinned(Empty),
    StreamSet(crate::domain::stream::Stream),
    StreamCleared(Empty),
    SaleOpened(SaleOpened),
    SalePaused(SaleRef),
    SaleResumed(SaleRef),
    SaleRestocked(SaleRestocked),
    SaleEnded(SaleEnded),
    SaleSoldOut(SaleRef),
    OrderConfirmed(OrderConfirmed),
    OrderPaid(OrderStep),
    OrderShipped(OrderShipped),
    OrderDelivered(OrderStep),
    OrderCancelled(OrderCancelled),
    SummaryChanged(SummaryChanged),
    ChatMessage(ChatMessage),
    ChatHeld(ChatHeld),
    ChatDeleted(ChatRef),
    ChatMuted(ChatMuted),
    ChatUnmuted(ChatUnmuted),
    ChatSlowMode(ChatSlowMode),
    ChatOrdered(ChatOrdered),
    ChatKeywords(ChatKeywords),
}

/// A payload without fields (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRef {
    pub product_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRef {
    pub sale_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleOpened {
    pub sale_id: i64,
    pub variant_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub per_buyer_limit: i64,
    /// Minor units per currency code.
    pub prices: BTreeMap<String, i64>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRestocked {
    pub sale_id: i64,
    pub added: i64,
    pub remaining: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleEnded {
    pub sale_id: i64,
    pub returned_to_stock: i64,
    pub reason: String,
}

/// The buyer of an order as the log keeps it: the full name and token id are for the host's and
/// operators' feeds only; buyers see `masked`, `city` and `country`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerLine {
    pub id: i64,
    pub name: String,
    pub masked: String,
    pub city: String,
    pub country: String,
    pub locale: String,
}

/// The session's running totals: all orders and units, GMV per currency (minor units), and
/// GMV in CNY fen at the orders' own rates with the currencies of orders that have no rate.
/// Events logged before orders carried their rate have no `gmv_cny_fen` (`None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsView {
    pub orders: i64,
    pub units: i64,
    pub gmv: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmv_cny_fen: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_rates: Vec<String>,
}

impl TotalsView {
    /// The totals as the host's feed shows them.
    pub fn of(totals: &Totals) -> Self {
        TotalsView {
            orders: totals.values().map(|t| t.orders).sum(),
            units: totals.values().map(|t| t.units).sum(),
            gmv: totals
                .iter()
                .filter(|(_, t)| t.orders != 0 || t.gmv_minor != 0)
                .map(|(c, t)| (c.clone(), t.gmv_minor))
                .collect(),
            // `count` keeps this sum within 64 bits.
            gmv_cny_fen: Some(totals.values().map(|t| t.cny_fen).sum()),
            missing_rates: totals
                .iter()
                .filter(|(_, t)| t.unrated > 0)
                .map(|(c, _)| c.clone())
                .collect(),
        }
    }
}

/// `summary_changed`: an order of an ended session was cancelled (by its buyer, an operator or
/// the payment window), so its summary changed; the totals are the summary's figures now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryChanged {
    pub order_id: i64,
    pub reason: String,
    pub totals: TotalsView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderConfirmed {
    pub order_id: i64,
    pub sale_id: Option<i64>,
    pub variant_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    /// Units left in the sale (null when not known to this write).
    pub remaining: Option<i64>,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub buyer: BuyerLine,
    pub totals: TotalsView,
}

/// `order_paid`, `order_delivered`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStep {
    pub order_id: i64,
    pub sale_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    pub order_id: i64,
    pub sale_id: Option<i64>,
    pub carrier: String,
    pub tracking_number: String,
}

/// Where a cancelled order's units went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnedTo {
    Stock,
    Sale,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub order_id: i64,
    pub sale_id: Option<i64>,
    pub quantity: i64,
    pub reason: String,
    pub returned_to: ReturnedTo,
    /// Units left in the sale when they went back to it; null when they went to stock.
    pub remaining: Option<i64>,
    pub currency: String,
    pub total_minor: i64,
    pub totals: TotalsView,
}

/// Who wrote a chat message, as the log keeps it: the token id and the full name are for the
/// host's and operators' feeds only; buyers see a buyer as `masked`, `city` and `country` (as
/// in order lines), the host by name, an operator as `operator` alone. Also the writer of a
/// message whole, in the writer's own answer and the moderators' pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChatSender {
    /// `buyer`, `host` or `operator`.
    pub role: String,
    /// The writer's token id (what a mute names).
    pub id: i64,
    pub name: String,
    /// The name as other buyers see it.
    pub masked: String,
    pub city: String,
    pub country: String,
}

/// `chat_message`: a message reached the room (posted, or released by a moderator). A deleted
/// message's logged event is rewritten to `deleted: true` without its text and sender, so that
/// a feed that reads the log again (`since`) never shows it (docs/live-room.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub message_id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<ChatSender>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub locale: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl ChatMessage {
    /// What a deleted message's logged event becomes.
    pub fn tombstone(message_id: i64) -> Self {
        ChatMessage {
            message_id,
            sender: None,
            locale: String::new(),
            text: String::new(),
            deleted: true,
        }
    }
}

/// `chat_held`: a buyer's message was held back for a moderator (`reason`: `link`, `phone`,
/// `payment`, `contact`). Buyers get the kind only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatHeld {
    pub message_id: i64,
    pub reason: String,
    pub sender: ChatSender,
    pub locale: String,
    pub text: String,
}

/// `chat_deleted`: a message was taken down; every screen removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRef {
    pub message_id: i64,
}

/// `chat_muted`: a buyer may not write until `until` (RFC 3339), or for the rest of the
/// session (`null`). Buyers get the kind only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMuted {
    pub buyer_id: i64,
    pub until: Option<String>,
}

/// `chat_unmuted`: the buyer may write again. Buyers get the kind only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatUnmuted {
    pub buyer_id: i64,
}

/// `chat_ordered`: a buyer's message was an order keyword and became order `order_id` (its
/// `order_confirmed` is logged too). Buyers get `message_id` only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatOrdered {
    pub message_id: i64,
    pub order_id: i64,
}

/// `chat_keywords`: the order keywords in force from now on (the session's own, or the
/// built-in ones; empty: ordering by comment is off). Public: the page's hint says them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatKeywords {
    pub keywords: Vec<String>,
}

/// `chat_slow_mode`: each buyer may write one message per `seconds` (0: off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSlowMode {
    pub seconds: i64,
}

/// "Aigerim" → "A***m": how buyers appear in feeds other buyers see. Counted in graphemes (what
/// a reader sees as one letter, a Thai consonant with its vowel and tone marks, a CJK
/// character), never bytes; a name of one or two letters shows its first letter only.
pub fn mask_name(name: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let name = silkstream_catalog::text::clean_line(name);
    let letters: Vec<&str> = name.graphemes(true).collect();
    match letters.as_slice() {
        [] => "***".into(),
        [first] | [first, _] => format!("{first}***"),
        [first, .., last] => format!("{first}***{last}"),
    }
}

impl BuyerLine {
    /// The line with its text made single-line ([`silkstream_catalog::text::clean_line`]) and
    /// `masked` made again from the cleaned name: rows logged before names and cities were
    /// checked reach no screen with a forged line or a reversed text.
    fn cleaned(&mut self) {
        use silkstream_catalog::text::clean_line;
        self.name = clean_line(&self.name);
        self.masked = mask_name(&self.name);
        self.city = clean_line(&self.city);
        self.country = clean_line(&self.country);
        self.locale = clean_line(&self.locale);
    }
}

/// A logged kind or payload that is not an [`Event`] (a corrupt row, or one of a newer build).
#[derive(Debug)]
pub struct UnknownEvent {
    pub kind: String,
    pub error: serde_json::Error,
}

impl std::fmt::Display for UnknownEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event '{}' does not parse: {}", self.kind, self.error)
    }
}

impl std::error::Error for UnknownEvent {}

impl Event {
    /// The kind string the log stores.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ShowcaseAdded(_) => "showcase_added",
            Event::SessionStarted(_) => "session_started",
            Event::SessionEnded(_) => "session_ended",
            Event::ProductPinned(_) => "product_pinned",
            Event::ProductUnpinned(_) => "product_unpinned",
            Event::StreamSet(_) => "stream_set",
            Event::StreamCleared(_) => "stream_cleared",
            Event::SaleOpened(_) => "sale_opened",
            Event::SalePaused(_) => "sale_paused",
            Event::SaleResumed(_) => "sale_resumed",
            Event::SaleRestocked(_) => "sale_restocked",
            Event::SaleEnded(_) => "sale_ended",
            Event::SaleSoldOut(_) => "sale_sold_out",
            Event::OrderConfirmed(_) => "order_confirmed",
            Event::OrderPaid(_) => "order_paid",
            Event::OrderShipped(_) => "order_shipped",
            Event::OrderDelivered(_) => "order_delivered",
            Event::OrderCancelled(_) => "order_cancelled",
            Event::SummaryChanged(_) => "summary_changed",
            Event::ChatMessage(_) => "chat_message",
            Event::ChatHeld(_) => "chat_held",
            Event::ChatDeleted(_) => "chat_deleted",
            Event::ChatMuted(_) => "chat_muted",
            Event::ChatUnmuted(_) => "chat_unmuted",
            Event::ChatSlowMode(_) => "chat_slow_mode",
            Event::ChatOrdered(_) => "chat_ordered",
            Event::ChatKeywords(_) => "chat_keywords",
        }
    }

    /// The payload as the log stores it (JSON object): the `payload` half of the event's
    /// adjacently tagged form.
    pub fn payload(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut tagged)) => tagged
                .remove("payload")
                .unwrap_or_else(|| Value::Object(Map::new())),
            // The payloads are plain structs with string keys: serializing cannot fail.
            _ => Value::Object(Map::new()),
        }
    }

    /// Reads a logged event back from its kind and payload.
    pub fn parse(kind: &str, payload: &Value) -> Result<Event, UnknownEvent> {
        let mut tagged = Map::new();
        tagged.insert("kind".into(), Value::String(kind.to_owned()));
        tagged.insert("payload".into(), payload.clone());
        serde_json::from_value(Value::Object(tagged)).map_err(|error| UnknownEvent {
            kind: kind.to_owned(),
            error,
        })
    }

    /// The event with the people-written text it carries made single-line and the buyer's
    /// mask made again (see [`BuyerLine`]); what every read of the log hands on.
    pub fn cleaned(mut self) -> Event {
        use silkstream_catalog::text::clean_line;
        match &mut self {
            Event::OrderConfirmed(o) => o.buyer.cleaned(),
            Event::OrderShipped(s) => {
                s.carrier = clean_line(&s.carrier);
                s.tracking_number = clean_line(&s.tracking_number);
            }
            Event::ChatMessage(m) => {
                if let Some(sender) = &mut m.sender {
                    sender.cleaned();
                }
                m.text = clean_line(&m.text);
            }
            Event::ChatHeld(m) => {
                m.sender.cleaned();
                m.text = clean_line(&m.text);
            }
            _ => {}
        }
        self
    }

    /// What `audience` sees of this event. Every kind decides for every audience here; there is
    /// no default, so a new kind cannot reach buyers with fields nobody chose to show them.
    pub fn project(&self, audience: Audience) -> Projection<'_> {
        let public = match audience {
            Audience::Public => true,
            Audience::Host | Audience::Operator => false,
        };
        let parts = match self {
            // Session, showcase and sale events carry nothing private: everyone sees them whole.
            Event::ShowcaseAdded(p) | Event::ProductPinned(p) => vec![Part::fields(p)],
            Event::SessionStarted(p)
            | Event::SessionEnded(p)
            | Event::ProductUnpinned(p)
            | Event::StreamCleared(p) => {
                vec![Part::fields(p)]
            }
            // The stream is what the buyer page plays or links: public by nature.
            Event::StreamSet(p) => vec![Part::fields(p)],
            Event::SaleOpened(p) => vec![Part::fields(p)],
            Event::SalePaused(p) | Event::SaleResumed(p) | Event::SaleSoldOut(p) => {
                vec![Part::fields(p)]
            }
            Event::SaleRestocked(p) => vec![Part::fields(p)],
            Event::SaleEnded(p) => vec![Part::fields(p)],
            Event::OrderConfirmed(o) => {
                let head = ConfirmedHead {
                    sale_id: o.sale_id,
                    product_id: o.product_id,
                    variant_id: o.variant_id,
                    quantity: o.quantity,
                    remaining: o.remaining,
                };
                let line = Part::Line {
                    masked: &o.buyer.masked,
                    city: &o.buyer.city,
                    quantity: o.quantity,
                };
                if public {
                    let buyer = PublicBuyer {
                        masked: &o.buyer.masked,
                        city: &o.buyer.city,
                        country: &o.buyer.country,
                    };
                    vec![
                        Part::fields(&head),
                        line,
                        Part::fields(&PublicConfirmedTail { buyer }),
                    ]
                } else {
                    let tail = PrivateConfirmedTail {
                        order_id: o.order_id,
                        currency: &o.currency,
                        unit_price_minor: o.unit_price_minor,
                        total_minor: o.total_minor,
                        buyer: &o.buyer,
                    };
                    vec![
                        Part::fields(&head),
                        line,
                        Part::fields(&tail),
                        Part::Price {
                            currency: &o.currency,
                            total_minor: o.total_minor,
                        },
                        Part::Totals(&o.totals),
                    ]
                }
            }
            Event::OrderPaid(p) | Event::OrderDelivered(p) => {
                if public {
                    vec![Part::fields(&SaleOnly { sale_id: p.sale_id })]
                } else {
                    vec![Part::fields(&StepPrivate {
                        sale_id: p.sale_id,
                        order_id: p.order_id,
                    })]
                }
            }
            Event::OrderShipped(p) => {
                if public {
                    vec![Part::fields(&SaleOnly { sale_id: p.sale_id })]
                } else {
                    vec![Part::fields(&ShippedPrivate {
                        sale_id: p.sale_id,
                        order_id: p.order_id,
                        carrier: &p.carrier,
                        tracking_number: &p.tracking_number,
                    })]
                }
            }
            Event::OrderCancelled(c) => {
                if public {
                    vec![Part::fields(&CancelledPublic {
                        sale_id: c.sale_id,
                        remaining: c.remaining,
                    })]
                } else {
                    vec![
                        Part::fields(&CancelledPrivate {
                            sale_id: c.sale_id,
                            remaining: c.remaining,
                            order_id: c.order_id,
                            quantity: c.quantity,
                            reason: &c.reason,
                            returned_to: c.returned_to,
                            currency: &c.currency,
                            total_minor: c.total_minor,
                        }),
                        Part::Totals(&c.totals),
                    ]
                }
            }
            // Buyers learn only that it happened; the figures are the host's and operators'.
            Event::SummaryChanged(c) => {
                if public {
                    vec![Part::fields(&Empty {})]
                } else {
                    vec![
                        Part::fields(&SummaryChangedPrivate {
                            order_id: c.order_id,
                            reason: &c.reason,
                        }),
                        Part::Totals(&c.totals),
                    ]
                }
            }
            Event::ChatMessage(m) => {
                if public {
                    vec![Part::fields(&ChatMessagePublic {
                        message_id: m.message_id,
                        sender: m.sender.as_ref().map(ChatSender::public),
                        locale: &m.locale,
                        text: &m.text,
                        deleted: m.deleted,
                    })]
                } else {
                    vec![Part::fields(m)]
                }
            }
            // Held messages are the moderators': buyers learn only that one was held.
            Event::ChatHeld(m) => {
                if public {
                    vec![Part::fields(&Empty {})]
                } else {
                    vec![Part::fields(m)]
                }
            }
            Event::ChatDeleted(p) => vec![Part::fields(p)],
            // Who was muted is the moderators' business; the muted buyer hears it when writing.
            Event::ChatMuted(p) => {
                if public {
                    vec![Part::fields(&Empty {})]
                } else {
                    vec![Part::fields(p)]
                }
            }
            Event::ChatUnmuted(p) => {
                if public {
                    vec![Part::fields(&Empty {})]
                } else {
                    vec![Part::fields(p)]
                }
            }
            Event::ChatSlowMode(p) => vec![Part::fields(p)],
            Event::ChatKeywords(p) => vec![Part::fields(p)],
            // Which order a comment became is the host's and operators'; the room sees the
            // order's own line.
            Event::ChatOrdered(p) => {
                if public {
                    vec![Part::fields(&ChatRef {
                        message_id: p.message_id,
                    })]
                } else {
                    vec![Part::fields(p)]
                }
            }
        };
        Projection { parts }
    }
}

impl ChatSender {
    /// Made single-line, and a buyer's mask made again from the cleaned name.
    fn cleaned(&mut self) {
        use silkstream_catalog::text::clean_line;
        self.name = clean_line(&self.name);
        self.masked = mask_name(&self.name);
        self.city = clean_line(&self.city);
        self.country = clean_line(&self.country);
    }

    /// What buyers see of a writer: a buyer masked with city and country, the host by name,
    /// an operator by role alone.
    fn public(&self) -> ChatSenderPublic<'_> {
        let buyer = self.role == "buyer";
        ChatSenderPublic {
            role: &self.role,
            name: (self.role == "host").then_some(self.name.as_str()),
            masked: buyer.then_some(self.masked.as_str()),
            city: buyer.then_some(self.city.as_str()),
            country: buyer.then_some(self.country.as_str()),
        }
    }
}

#[derive(Serialize)]
struct ChatSenderPublic<'a> {
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    masked: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
}

#[derive(Serialize)]
struct ChatMessagePublic<'a> {
    message_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<ChatSenderPublic<'a>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    locale: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    text: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
}

/// What one audience receives of an event, in order: plain fields, and the parts the feed
/// renders for the connection (localized line, formatted price, totals with GMV in CNY).
#[derive(Debug, Clone, PartialEq)]
pub struct Projection<'a> {
    pub parts: Vec<Part<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part<'a> {
    /// Fields copied as they are.
    Fields(Map<String, Value>),
    /// `line`: the buyer's order line in the connection's locale.
    Line {
        masked: &'a str,
        city: &'a str,
        quantity: i64,
    },
    /// `price`: the order's total formatted in the connection's locale.
    Price { currency: &'a str, total_minor: i64 },
    /// `totals`: the running totals, with GMV converted to CNY.
    Totals(&'a TotalsView),
}

impl Part<'_> {
    fn fields<T: Serialize>(view: &T) -> Self {
        match serde_json::to_value(view) {
            Ok(Value::Object(m)) => Part::Fields(m),
            _ => Part::Fields(Map::new()),
        }
    }
}

#[derive(Serialize)]
struct ConfirmedHead {
    sale_id: Option<i64>,
    product_id: i64,
    variant_id: i64,
    quantity: i64,
    remaining: Option<i64>,
}

#[derive(Serialize)]
struct PublicBuyer<'a> {
    masked: &'a str,
    city: &'a str,
    country: &'a str,
}

#[derive(Serialize)]
struct PublicConfirmedTail<'a> {
    buyer: PublicBuyer<'a>,
}

#[derive(Serialize)]
struct PrivateConfirmedTail<'a> {
    order_id: i64,
    currency: &'a str,
    unit_price_minor: i64,
    total_minor: i64,
    buyer: &'a BuyerLine,
}

#[derive(Serialize)]
struct SaleOnly {
    sale_id: Option<i64>,
}

#[derive(Serialize)]
struct StepPrivate {
    sale_id: Option<i64>,
    order_id: i64,
}

#[derive(Serialize)]
struct ShippedPrivate<'a> {
    sale_id: Option<i64>,
    order_id: i64,
    carrier: &'a str,
    tracking_number: &'a str,
}

#[derive(Serialize)]
struct SummaryChangedPrivate<'a> {
    order_id: i64,
    reason: &'a str,
}

#[derive(Serialize)]
struct CancelledPublic {
    sale_id: Option<i64>,
    remaining: Option<i64>,
}

#[derive(Serialize)]
struct CancelledPrivate<'a> {
    sale_id: Option<i64>,
    remaining: Option<i64>,
    order_id: i64,
    quantity: i64,
    reason: &'a str,
    returned_to: ReturnedTo,
    currency: &'a str,
    total_minor: i64,
}

/// Who a connection's payloads are cut for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Buyers, and hosts watching another host's session: masked buyers, no recipients.
    Public,
    /// The session's host: full order lines and running totals.
    Host,
    /// Operators: everything.
    Operator,
}

impl Audience {
    /// Whom `principal` watches a session of the host `host_token_id` as: operators and admins
    /// see everything, the session's own host its full console, anyone else (buyers, other
    /// hosts) the public view. The same rule for HTTP reads and WebSocket feeds.
    pub fn of(principal: &silkstream_catalog::auth::Principal, host_token_id: i64) -> Audience {
        use silkstream_catalog::auth::Role;
        match principal.role {
            Role::Operator | Role::Admin => Audience::Operator,
            Role::Host if host_token_id == principal.token_id => Audience::Host,
            _ => Audience::Public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals() -> TotalsView {
        TotalsView {
            orders: 2,
            units: 3,
            gmv: BTreeMap::from([("EUR".to_owned(), 1500), ("USD".to_owned(), 900)]),
            gmv_cny_fen: None,
            missing_rates: Vec::new(),
        }
    }

    fn buyer() -> BuyerLine {
        BuyerLine {
            id: 42,
            name: "Marta Kowalska".into(),
            masked: "M***a".into(),
            city: "Kraków".into(),
            country: "PL".into(),
            locale: "pl".into(),
        }
    }

    /// One event of every kind.
    fn samples() -> Vec<Event> {
        vec![
            Event::ShowcaseAdded(ProductRef { product_id: 7 }),
            Event::SessionStarted(Empty {}),
            Event::SessionEnded(Empty {}),
            Event::ProductPinned(ProductRef { product_id: 7 }),
            Event::ProductUnpinned(Empty {}),
            Event::SaleOpened(SaleOpened {
                sale_id: 3,
                variant_id: 11,
                product_id: 7,
                quantity: 50,
                per_buyer_limit: 2,
                prices: BTreeMap::from([("EUR".to_owned(), 1999)]),
                starts_at: "2026-11-27T18:00:00Z".into(),
                ends_at: "2026-11-27T18:05:00Z".into(),
            }),
            Event::SalePaused(SaleRef { sale_id: 3 }),
            Event::SaleResumed(SaleRef { sale_id: 3 }),
            Event::SaleRestocked(SaleRestocked {
                sale_id: 3,
                added: 5,
                remaining: 20,
            }),
            Event::SaleEnded(SaleEnded {
                sale_id: 3,
                returned_to_stock: 4,
                reason: "session_ended".into(),
            }),
            Event::SaleSoldOut(SaleRef { sale_id: 3 }),
            Event::OrderConfirmed(OrderConfirmed {
                order_id: 99,
                sale_id: Some(3),
                variant_id: 11,
                product_id: 7,
                quantity: 2,
                remaining: None,
                currency: "EUR".into(),
                unit_price_minor: 750,
                total_minor: 1500,
                buyer: buyer(),
                totals: totals(),
            }),
            Event::OrderPaid(OrderStep {
                order_id: 99,
                sale_id: Some(3),
            }),
            Event::OrderShipped(OrderShipped {
                order_id: 99,
                sale_id: None,
                carrier: "DHL".into(),
                tracking_number: "JD0001".into(),
            }),
            Event::OrderDelivered(OrderStep {
                order_id: 99,
                sale_id: Some(3),
            }),
            Event::OrderCancelled(OrderCancelled {
                order_id: 99,
                sale_id: Some(3),
                quantity: 2,
                reason: "buyer request".into(),
                returned_to: ReturnedTo::Stock,
                remaining: None,
                currency: "EUR".into(),
                total_minor: 1500,
                totals: totals(),
            }),
            Event::SummaryChanged(SummaryChanged {
                order_id: 99,
                reason: "payment_expired".into(),
                totals: TotalsView {
                    gmv_cny_fen: Some(1234),
                    missing_rates: vec!["USD".into()],
                    ..totals()
                },
            }),
            Event::StreamSet(crate::domain::stream::Stream {
                kind: crate::domain::stream::StreamKind::Hls,
                url: "https://media.example.com/live/7.m3u8".into(),
            }),
            Event::StreamCleared(Empty {}),
            Event::ChatMessage(ChatMessage {
                message_id: 5,
                sender: Some(chat_buyer()),
                locale: "pl".into(),
                text: "Czy jest rozmiar M?".into(),
                deleted: false,
            }),
            Event::ChatMessage(ChatMessage::tombstone(6)),
            Event::ChatHeld(ChatHeld {
                message_id: 7,
                reason: "payment".into(),
                sender: chat_buyer(),
                locale: "pl".into(),
                text: "pay me directly".into(),
            }),
            Event::ChatDeleted(ChatRef { message_id: 5 }),
            Event::ChatMuted(ChatMuted {
                buyer_id: 42,
                until: None,
            }),
            Event::ChatUnmuted(ChatUnmuted { buyer_id: 42 }),
            Event::ChatSlowMode(ChatSlowMode { seconds: 10 }),
            Event::ChatOrdered(ChatOrdered {
                message_id: 5,
                order_id: 99,
            }),
            Event::ChatKeywords(ChatKeywords {
                keywords: vec!["+".into(), "беру".into()],
            }),
        ]
    }

    fn chat_buyer() -> ChatSender {
        ChatSender {
            role: "buyer".into(),
            id: 42,
            name: "Marta Kowalska".into(),
            masked: "M***a".into(),
            city: "Kraków".into(),
            country: "PL".into(),
        }
    }

    #[test]
    fn buyers_see_chat_writers_masked_and_nothing_of_moderation() {
        for e in samples().iter().filter(|e| e.kind().starts_with("chat_")) {
            let public = format!("{:?}", e.project(Audience::Public));
            assert!(
                !public.contains("Marta Kowalska"),
                "{} leaks the name",
                e.kind()
            );
            assert!(!public.contains("pay me"), "{} leaks a held text", e.kind());
            assert!(!public.contains("42"), "{} leaks the buyer's id", e.kind());
            let host = format!("{:?}", e.project(Audience::Host));
            if matches!(e, Event::ChatMessage(m) if !m.deleted) || matches!(e, Event::ChatHeld(_)) {
                assert!(host.contains("Marta Kowalska"), "{}", e.kind());
            }
        }
        let Event::ChatMessage(m) = &samples()[19] else {
            panic!("the sample");
        };
        let event = Event::ChatMessage(m.clone());
        let public = event.project(Audience::Public);
        let Part::Fields(fields) = &public.parts[0] else {
            panic!("fields");
        };
        assert_eq!(
            fields["sender"],
            serde_json::json!({"role": "buyer", "masked": "M***a", "city": "Kraków", "country": "PL"})
        );
        assert_eq!(fields["text"], "Czy jest rozmiar M?");
        let host = ChatSender {
            role: "host".into(),
            name: "Dana".into(),
            ..chat_buyer()
        };
        let public = serde_json::to_value(host.public()).expect("json");
        assert_eq!(public, serde_json::json!({"role": "host", "name": "Dana"}));
    }

    /// Short names show no more than their first letter, counted in graphemes.
    #[test]
    fn masks_count_letters_not_bytes() {
        assert_eq!(mask_name("Al"), "A***");
        assert_eq!(mask_name("A"), "A***");
        assert_eq!(mask_name("Aigerim"), "A***m");
        assert_eq!(mask_name("Ян"), "Я***");
        assert_eq!(mask_name("Ярослав"), "Я***в");
        assert_eq!(mask_name("王五"), "王***");
        assert_eq!(mask_name("李小龙"), "李***龙");
        // Thai: a consonant with its vowel and tone mark is one letter, so this is two.
        assert_eq!(mask_name("กิ่ง"), "กิ่***");
        assert_eq!(mask_name("สมชาย"), "ส***ย");
        assert_eq!(mask_name("ก้า"), "ก้***");
        assert_eq!(mask_name(""), "***");
        assert_eq!(mask_name("A\u{202E}l"), "A***");
        // An older name under 40 combining marks, or of Hangul fillers, shows neither.
        let buried = format!("A{}igerim", "\u{0301}".repeat(40));
        assert_eq!(mask_name(&buried), "A\u{0301}\u{0301}\u{0301}\u{0301}***m");
        assert_eq!(mask_name(&"\u{3164}".repeat(20)), "***");
    }

    /// An older order line with a newline and a bidi override comes out as one clean line.
    #[test]
    fn cleaned_events_carry_one_line_text() {
        let mut b = buyer();
        b.name = "Al\u{202E}".into();
        b.masked = "A***l".into();
        b.city = "Astana\nHOST: pay at http://evil.example".into();
        let e = Event::OrderConfirmed(OrderConfirmed {
            order_id: 1,
            sale_id: None,
            variant_id: 1,
            product_id: 1,
            quantity: 1,
            remaining: None,
            currency: "KZT".into(),
            unit_price_minor: 1,
            total_minor: 1,
            buyer: b,
            totals: totals(),
        });
        let Event::OrderConfirmed(o) = Event::parse(e.kind(), &e.payload())
            .expect("parses")
            .cleaned()
        else {
            panic!("kind changed")
        };
        assert_eq!(o.buyer.masked, "A***");
        assert_eq!(o.buyer.city, "Astana HOST: pay at http://evil.example");
    }

    #[test]
    fn every_kind_round_trips_through_json() {
        let all = samples();
        let mut kinds: Vec<&str> = all.iter().map(Event::kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), 27, "one sample per kind");
        for e in &all {
            let text = e.payload().to_string();
            let back: Value = serde_json::from_str(&text).expect("payload is JSON");
            let parsed = Event::parse(e.kind(), &back).expect("parses back");
            assert_eq!(&parsed, e);
            // The kind the serde tag writes is the one `kind` names.
            let tagged = serde_json::to_value(e).expect("serializes");
            assert_eq!(tagged["kind"], e.kind());
        }
    }

    #[test]
    fn payloads_keep_the_logged_keys() {
        let all = samples();
        let confirmed = all[11].payload();
        assert_eq!(confirmed["remaining"], Value::Null, "null, not omitted");
        let keys: Vec<&str> = confirmed
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "order_id",
                "sale_id",
                "variant_id",
                "product_id",
                "quantity",
                "remaining",
                "currency",
                "unit_price_minor",
                "total_minor",
                "buyer",
                "totals"
            ]
        );
        assert_eq!(
            confirmed["totals"].to_string(),
            r#"{"orders":2,"units":3,"gmv":{"EUR":1500,"USD":900}}"#
        );
        assert_eq!(all[1].payload().to_string(), "{}");
        assert_eq!(all[15].payload()["returned_to"], "stock");
        assert_eq!(all[15].payload()["remaining"], Value::Null);
        // Totals with their CNY value carry it; totals logged before it parse without it.
        assert_eq!(
            all[16].payload()["totals"].to_string(),
            r#"{"orders":2,"units":3,"gmv":{"EUR":1500,"USD":900},"gmv_cny_fen":1234,"missing_rates":["USD"]}"#
        );
    }

    #[test]
    fn totals_view_matches_the_running_totals() {
        let mut t = Totals::new();
        let order = |currency, quantity, total_minor, cny_fen| crate::domain::totals::Counted {
            currency,
            quantity,
            total_minor,
            cny_fen,
        };
        count(&mut t, order("EUR", 2, 1500, Some(11_811)), 1).expect("fits");
        count(&mut t, order("USD", 1, 900, None), 1).expect("fits");
        count(&mut t, order("USD", 1, 900, None), -1).expect("fits");
        // A sum past 64 bits is refused and changes nothing.
        let before = t.clone();
        assert!(count(&mut t, order("EUR", 1, i64::MAX, Some(1)), 1).is_err());
        assert!(count(&mut t, order("KZT", 1, 1, Some(i64::MAX)), 1).is_err());
        assert_eq!(t, before);
        let v = TotalsView::of(&t);
        assert_eq!(v.orders, 1);
        assert_eq!(v.units, 2);
        assert_eq!(v.gmv_cny_fen, Some(11_811));
        assert!(v.missing_rates.is_empty());
        assert_eq!(v.gmv, BTreeMap::from([("EUR".to_owned(), 1500)]));
    }

    #[test]
    fn unknown_kinds_and_bad_payloads_do_not_parse() {
        assert!(Event::parse("order_refunded", &Value::Object(Map::new())).is_err());
        let bad: Value = serde_json::from_str(r#"{"sale_id":"x"}"#).expect("json");
        assert!(Event::parse("sale_paused", &bad).is_err());
    }

    fn keys_of(p: &Projection<'_>) -> Vec<String> {
        let mut keys = Vec::new();
        for part in &p.parts {
            match part {
                Part::Fields(m) => keys.extend(m.keys().cloned()),
                Part::Line { .. } => keys.push("line".into()),
                Part::Price { .. } => keys.push("price".into()),
                Part::Totals(_) => keys.push("totals".into()),
            }
        }
        keys
    }

    #[test]
    fn public_order_confirmed_has_no_buyer_identity_or_prices() {
        let all = samples();
        let p = all[11].project(Audience::Public);
        let keys = keys_of(&p);
        for private in [
            "order_id",
            "currency",
            "unit_price_minor",
            "total_minor",
            "price",
            "totals",
        ] {
            assert!(!keys.iter().any(|k| k == private), "{private} leaked");
        }
        let text = format!("{p:?}");
        assert!(!text.contains("Marta Kowalska"), "buyer name leaked");
        for part in &p.parts {
            if let Part::Fields(m) = part {
                if let Some(b) = m.get("buyer") {
                    let b = b.as_object().expect("buyer object");
                    let mut bk: Vec<&str> = b.keys().map(String::as_str).collect();
                    bk.sort_unstable();
                    assert_eq!(bk, ["city", "country", "masked"]);
                }
            }
        }
        let host = keys_of(&all[11].project(Audience::Host));
        assert!(host.iter().any(|k| k == "order_id"));
        assert!(host.iter().any(|k| k == "totals"));
    }

    #[test]
    fn every_kind_has_a_projection_for_every_audience() {
        for e in samples() {
            for audience in [Audience::Public, Audience::Host, Audience::Operator] {
                let p = e.project(audience);
                assert!(!p.parts.is_empty(), "{} for {audience:?}", e.kind());
                let keys = keys_of(&p);
                if audience == Audience::Public {
                    for private in ["order_id", "tracking_number", "carrier", "reason", "totals"] {
                        let order_kind = e.kind().starts_with("order_");
                        assert!(
                            !(order_kind && keys.iter().any(|k| k == private)),
                            "{} shows {private} to buyers",
                            e.kind()
                        );
                    }
                }
            }
        }
    }
}
