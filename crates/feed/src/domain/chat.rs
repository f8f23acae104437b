//! The live room's chat, with no I/O: what a message is, what a buyer's message may not carry
//! before a moderator has looked at it ([`held_reason`]), and the bounds of the moderation
//! controls (docs/live-room.md).
//!
//! A message is one line of text of at most [`MAX_TEXT_CHARS`] characters, written by a buyer,
//! the session's host or an operator, with the writer's own `client_message_id` (the key that
//! makes a resend harmless). Buyers' messages that carry a link, a phone number, a payment
//! instruction or an off-platform contact are held back: stored, shown to the host and the
//! operators, and to the room only when one of them releases it. The host's messages go
//! through the claims filter instead, as titles do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::error::{Error, Result};

/// The longest message, in characters.
pub const MAX_TEXT_CHARS: usize = 500;
/// The longest `client_message_id`, in bytes (the same bound as an order's key).
pub const MAX_CLIENT_ID_BYTES: usize = 64;
/// The longest slow mode, in seconds (an hour).
pub const MAX_SLOW_MODE_S: i64 = 3_600;
/// The longest timed mute, in seconds (a day; longer is "for the session").
pub const MAX_MUTE_S: i64 = 86_400;
/// The most messages a page of the chat's history holds.
pub const MAX_PAGE: i64 = 200;

/// `POST /api/v1/sessions/{id}/chat`, and the WebSocket `chat` message without its `type`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatMessage {
    /// The writer's own key for this message (1–64 printable ASCII characters): sending the
    /// same key and text again answers with the message already posted.
    pub client_message_id: String,
    /// One line, at most 500 characters.
    pub text: String,
    /// The language the message is written in (one of the 16 locales); the buyer's own
    /// locale, the session's language for its host, else `en`.
    #[serde(default)]
    pub locale: Option<String>,
}

/// A message as its writer and the room's moderators read it (`POST …/chat`, the chat's
/// pages): buyers in the room read the feed's `chat_message` instead, with the writer masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessageView {
    pub id: i64,
    pub session_id: i64,
    /// The seq of its `chat_message` event; null while it is held back (and for one deleted
    /// while held).
    pub seq: Option<i64>,
    /// `shown`, `held` (waiting for a moderator) or `deleted`.
    pub state: String,
    /// Why it was held back: `link`, `phone`, `payment` or `contact`.
    pub held_reason: Option<String>,
    pub sender: crate::domain::events::ChatSender,
    /// The language it is written in.
    pub locale: String,
    pub client_message_id: String,
    /// The text as written (kept for a deleted message: moderation and evidence need it).
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
    /// When a moderator released or deleted it (RFC 3339).
    pub moderated_at: Option<String>,
    /// The order this message became (a buyer's order keyword), once placed.
    pub order_id: Option<i64>,
}

/// `POST /api/v1/sessions/{id}/chat`'s answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatPosted {
    pub message: ChatMessageView,
    /// A buyer's order keyword: the order it placed (as `POST …/orders` answers it, with the
    /// localized message), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub order: Option<crate::domain::model::OrderPlaced>,
    /// A buyer's order keyword that did not become an order: why (`code`, `message`, and
    /// `localized` where the order path has the buyer's own words): the order route's codes,
    /// and `ship_to_missing` (no saved delivery address: `PUT /api/v1/buyers/me/ship-to`),
    /// `variant_needed` (the pinned product has several variants), `nothing_to_order`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub order_error: Option<serde_json::Value>,
}

/// A page of a session's chat, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatPage {
    pub items: Vec<ChatMessageView>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<i64>,
}

/// `PUT /api/v1/sessions/{id}/chat/mutes/{buyer_id}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMute {
    /// 1 to 86,400 seconds; null or absent: for the rest of the session.
    #[serde(default)]
    pub duration_s: Option<i64>,
}

/// A buyer's mute in a session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MuteView {
    pub session_id: i64,
    pub buyer_id: i64,
    /// RFC 3339; null: for the rest of the session.
    pub until: Option<String>,
}

/// `PUT /api/v1/sessions/{id}/chat/slow-mode`, and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowMode {
    /// One message per buyer per this many seconds: 0 (off) to 3,600.
    pub seconds: i64,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRole {
    Buyer,
    Host,
    Operator,
}

impl SenderRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SenderRole::Buyer => "buyer",
            SenderRole::Host => "host",
            SenderRole::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "buyer" => Ok(SenderRole::Buyer),
            "host" => Ok(SenderRole::Host),
            "operator" => Ok(SenderRole::Operator),
            other => Err(Error::internal(format!("unknown chat sender role {other}"))),
        }
    }
}

/// Why a buyer's message was held back for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldReason {
    /// A web address or a domain name.
    Link,
    /// A run of 8 to 12 digits: a phone number.
    Phone,
    /// Words that ask for money outside the platform (a transfer, a card, a wallet), or a
    /// run of 13 or more digits (a card or account number).
    Payment,
    /// An off-platform messenger ("add me on WhatsApp").
    Contact,
}

impl HeldReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HeldReason::Link => "link",
            HeldReason::Phone => "phone",
            HeldReason::Payment => "payment",
            HeldReason::Contact => "contact",
        }
    }
}

/// Checks a message's key: 1–64 printable ASCII characters.
pub fn check_client_id(id: &str) -> Result<String> {
    let ok = !id.is_empty()
        && id.len() <= MAX_CLIENT_ID_BYTES
        && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(id.to_owned())
    } else {
        Err(Error::invalid(
            "client_message_id",
            format!("must be 1 to {MAX_CLIENT_ID_BYTES} printable ASCII characters"),
        ))
    }
}

/// Checks a message's text: one line (no control or bidi character), trimmed, not empty, at
/// most [`MAX_TEXT_CHARS`] characters, and made of visible characters.
pub fn check_text(text: &str) -> Result<String> {
    Ok(silkstream_catalog::text::name(
        "text",
        text,
        MAX_TEXT_CHARS,
    )?)
}

/// Words (lower case) that ask for money outside the platform, in the room's languages. A
/// match anywhere in the lower-cased message holds it back.
const PAYMENT_WORDS: &[&str] = &[
    // en, fil, ms
    "pay me",
    "pay directly",
    "pay direct",
    "bank transfer",
    "transfer to my",
    "send money",
    "card number",
    "account number",
    "paypal",
    "western union",
    "gcash",
    "maya wallet",
    "padala",
    // ru, kk, ky, tt
    "переведи",
    "перевод на карт",
    "перевод на номер",
    "оплата на карт",
    "оплата напрямую",
    "номер карты",
    "на карту",
    "каспи",
    "kaspi",
    "сбер",
    "тинькофф",
    "qiwi",
    "киви",
    "картаға",
    "аударым",
    "картага",
    // uz
    "karta raqam",
    "kartaga",
    "pul o'tkaz",
    "pul otkaz",
    // mn
    "данс руу",
    "дансанд",
    "шилжүүл",
    // vi
    "chuyển khoản",
    "chuyen khoan",
    "số tài khoản",
    "so tai khoan",
    "stk",
    "ví momo",
    // th
    "โอนเงิน",
    "โอนมา",
    "พร้อมเพย์",
    "promptpay",
    "เลขบัญชี",
    // id, ms
    "transfer ke",
    "no rek",
    "norek",
    "rekening",
    "gopay",
    "ovo",
    "akaun bank",
    // zh
    "转账",
    "汇款",
    "打款",
    "银行卡",
    "微信支付",
    "支付宝",
    "私下交易",
    "私聊付款",
    // km, lo, my
    "ផ្ទេរប្រាក់",
    "ໂອນເງິນ",
    "ငွေလွှဲ",
];

/// Off-platform messengers and handles.
const CONTACT_WORDS: &[&str] = &[
    "whatsapp",
    "wa.me",
    "telegram",
    "телеграм",
    "телега",
    "t.me",
    "zalo",
    "wechat",
    "weixin",
    "加微信",
    "加我微信",
    "vx:",
    "line id",
    "viber",
    "вайбер",
    "ватсап",
    "вотсап",
    "signal app",
];

/// Top-level domains a link in a live room ends with; a word `name.tld` (or `name.tld/…`) is
/// held as a link even without `http`.
const TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "me", "co", "ly", "gl", "cc", "xyz", "top", "shop",
    "store", "link", "site", "online", "app", "ru", "kz", "kg", "uz", "mn", "vn", "th", "id", "my",
    "ph", "la", "mm", "kh", "cn", "su", "рф", "in", "to", "gg",
];

/// The decimal value of a digit in any of the room's scripts (ASCII, full-width, Thai, Lao,
/// Myanmar, Khmer, Mongolian, Arabic-Indic, Devanagari), so that a number written in another
/// script is still a number.
fn digit(c: char) -> Option<u32> {
    const ZEROS: &[u32] = &[
        0x30, 0xFF10, 0x0E50, 0x0ED0, 0x1040, 0x17E0, 0x1810, 0x0660, 0x06F0, 0x0966,
    ];
    let code = u32::from(c);
    ZEROS
        .iter()
        .find(|zero| (**zero..**zero + 10).contains(&code))
        .map(|zero| code - zero)
}

/// The longest run of digits in `text`, counting digits separated only by spaces, dashes,
/// dots, parentheses, slashes and a leading `+` as one run ("+7 (701) 123-45-67" is 11).
fn longest_number(text: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut gap = 0;
    for c in text.chars() {
        if digit(c).is_some() {
            run += 1;
            gap = 0;
            best = best.max(run);
        } else if matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '+' | '\u{00A0}') && gap < 2 {
            gap += 1;
        } else {
            run = 0;
            gap = 0;
        }
    }
    best
}

/// Whether `text` (lower case) names a web address: a scheme, `www.`, or a `name.tld` word.
fn has_link(lower: &str) -> bool {
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return true;
    }
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | '\''))
        .any(|word| {
            let host = word.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.trim_end_matches(['.', '!', '?', ':', ';']);
            let mut labels = host.rsplit('.');
            let (Some(tld), Some(name)) = (labels.next(), labels.next()) else {
                return false;
            };
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                && name.chars().any(char::is_alphabetic)
                && TLDS.contains(&tld)
        })
}

/// Why a buyer's message must wait for a moderator, or `None` when it may reach the room.
/// The order of the checks decides the reason when there are several: payment first (the scam
/// the hold is for), then contact, link and phone.
pub fn held_reason(text: &str) -> Option<HeldReason> {
    let lower = text.to_lowercase();
    let digits = longest_number(&lower);
    let words = |list: &[&str]| list.iter().any(|w| lower.contains(w));
    if words(PAYMENT_WORDS) || digits >= 13 {
        Some(HeldReason::Payment)
    } else if words(CONTACT_WORDS) {
        Some(HeldReason::Contact)
    } else if has_link(&lower) {
        Some(HeldReason::Link)
    } else if digits >= 8 {
        Some(HeldReason::Phone)
    } else {
        None
    }
}

/// The order keywords of a session whose host set none, in the room's languages: a buyer's
/// message that is one of them, alone or followed by a quantity ("+1", "扣2", "купить 2",
/// "mua 2", "beli 3", "sold"), orders the pinned product or the running flash sale.
pub const DEFAULT_KEYWORDS: &[&str] = &[
    "+",
    "扣",
    "要",
    "买",
    "sold",
    "mine",
    "buy",
    "купить",
    "куплю",
    "беру",
    "аламын",
    "алам",
    "olaman",
    "sotib olaman",
    "авна",
    "mua",
    "lấy",
    "chốt",
    "ซื้อ",
    "เอา",
    "cf",
    "beli",
    "ambil",
    "bili",
    "ទិញ",
    "យក",
    "ຊື້",
    "ເອົາ",
    "ဝယ်မယ်",
    "ယူမယ်",
];

/// The most keywords a session may set, and the longest.
pub const MAX_KEYWORDS: usize = 20;
pub const MAX_KEYWORD_CHARS: usize = 24;
/// The largest quantity one comment orders.
pub const MAX_COMMENT_QUANTITY: u32 = 99;

/// `PUT /api/v1/sessions/{id}/chat/keywords`, and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Keywords {
    /// The words that turn a buyer's message into an order (at most 20, each one line of at
    /// most 24 characters, without digits); `[]` turns ordering by comment off; `null` (or
    /// absent) goes back to the built-in words of every locale.
    #[serde(default)]
    pub keywords: Option<Vec<String>>,
}

/// A message's text as keywords are compared with it: trimmed, lower case, runs of spaces made
/// one.
fn folded(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks a session's keywords: each folded (lower case, single spaces), without digits
/// (the quantity follows them), not repeated.
pub fn check_keywords(keywords: &[String]) -> Result<Vec<String>> {
    if keywords.len() > MAX_KEYWORDS {
        return Err(Error::invalid(
            "keywords",
            format!("at most {MAX_KEYWORDS} keywords"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, k) in keywords.iter().enumerate() {
        let field = format!("keywords[{i}]");
        let k = silkstream_catalog::text::line(&field, k, MAX_KEYWORD_CHARS)?;
        let k = folded(&k);
        if k.chars().any(|c| digit(c).is_some()) {
            return Err(Error::invalid(
                field,
                "must hold no digits: the quantity follows the keyword",
            ));
        }
        if out.contains(&k) {
            return Err(Error::invalid(field, "is given twice"));
        }
        out.push(k);
    }
    Ok(out)
}

/// The quantity a buyer's message orders with `keywords`: the whole message is a keyword
/// (1), or a keyword followed by a number from 1 to 99, with or without a space between
/// ("+2", "扣 2", "купить 2"; digits of any of the room's scripts). Anything else orders
/// nothing ("I'd buy 2 if it were cheaper" is a message, not an order).
pub fn comment_quantity<S: AsRef<str>>(text: &str, keywords: &[S]) -> Option<u32> {
    let text = folded(text);
    let mut best: Option<(usize, u32)> = None;
    for k in keywords {
        let k = k.as_ref();
        let Some(rest) = text.strip_prefix(k) else {
            continue;
        };
        let rest = rest.trim_start();
        let quantity = if rest.is_empty() {
            Some(1)
        } else if rest.chars().all(|c| digit(c).is_some()) && rest.chars().count() <= 2 {
            rest.chars()
                .filter_map(digit)
                .try_fold(0u32, |n, d| n.checked_mul(10)?.checked_add(d))
                .filter(|q| (1..=MAX_COMMENT_QUANTITY).contains(q))
        } else {
            None
        };
        // The longest keyword that reads the message decides ("sotib olaman" over "olaman").
        if let Some(q) = quantity {
            if best.is_none_or(|(len, _)| k.len() > len) {
                best = Some((k.len(), q));
            }
        }
    }
    best.map(|(_, q)| q)
}

/// Checks a slow mode's interval: 0 (off) to [`MAX_SLOW_MODE_S`] seconds.
pub fn check_slow_mode(seconds: i64) -> Result<i64> {
    if (0..=MAX_SLOW_MODE_S).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(Error::invalid(
            "seconds",
            format!("must be 0 (off) to {MAX_SLOW_MODE_S}"),
        ))
    }
}

/// Checks a mute's length: 1 to [`MAX_MUTE_S`] seconds, or none (for the rest of the session).
pub fn check_mute(duration_s: Option<i64>) -> Result<Option<i64>> {
    match duration_s {
        None => Ok(None),
        Some(s) if (1..=MAX_MUTE_S).contains(&s) => Ok(Some(s)),
        Some(_) => Err(Error::invalid(
            "duration_s",
            format!("must be 1 to {MAX_MUTE_S} seconds, or null for the rest of the session"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_messages_reach_the_room() {
        for text in [
            "Hello from Almaty!",
            "Какой размер у этой куртки?",
            "+1",
            "扣1",
            "купить 2",
            "mua 2",
            "beli 2 ya kak",
            "Is shipping to Bishkek free? 3 pcs please",
            "สวยมากค่ะ",
            "Price 4500 tenge ok",
            "size 42.5 fits?",
            "I love it... really",
            "Dana is my sister", // a name that is also a wallet's: not on the list
        ] {
            assert_eq!(held_reason(text), None, "{text}");
        }
    }

    #[test]
    fn links_phones_payments_and_contacts_are_held() {
        let cases = [
            ("see https://cheap.example/x", HeldReason::Link),
            ("go to www.shop", HeldReason::Link),
            ("cheaper at best-deals.ru now", HeldReason::Link),
            ("bit.ly/abc", HeldReason::Link),
            ("call +7 (701) 123-45-67", HeldReason::Phone),
            ("my number 0901234567", HeldReason::Phone),
            ("เบอร์ ๐๘๑๒๓๔๕๖๗๘", HeldReason::Phone),
            ("４５６７８９０１２", HeldReason::Phone),
            ("pay me directly, cheaper", HeldReason::Payment),
            ("Переведи на карту, дешевле", HeldReason::Payment),
            ("4400 4301 2345 6789", HeldReason::Payment),
            ("chuyển khoản cho mình nhé", HeldReason::Payment),
            ("โอนเงินมาที่นี่", HeldReason::Payment),
            ("transfer ke rekening saya", HeldReason::Payment),
            ("私下交易更便宜", HeldReason::Payment),
            ("add me on WhatsApp", HeldReason::Contact),
            ("пиши в телеграм", HeldReason::Contact),
            ("t.me/seller", HeldReason::Contact),
        ];
        for (text, reason) in cases {
            assert_eq!(held_reason(text), Some(reason), "{text}");
        }
    }

    #[test]
    fn numbers_count_across_separators_and_scripts() {
        assert_eq!(longest_number("+7 (701) 123-45-67"), 11);
        assert_eq!(longest_number("2 and 3"), 1);
        assert_eq!(longest_number("๑๒๓"), 3);
        assert_eq!(longest_number("12 - - - 34"), 2);
    }

    #[test]
    fn comments_order_only_as_a_keyword_and_a_quantity() {
        let k = DEFAULT_KEYWORDS;
        for (text, q) in [
            ("+1", Some(1)),
            ("+", Some(1)),
            (" + 2 ", Some(2)),
            ("扣1", Some(1)),
            ("扣 3", Some(3)),
            ("Купить 2", Some(2)),
            ("mua 2", Some(2)),
            ("beli 3", Some(3)),
            ("SOLD", Some(1)),
            ("ซื้อ ๒", Some(2)),
            ("sotib olaman 2", Some(2)),
            ("olaman", Some(1)),
            ("+99", Some(99)),
            ("+100", None),
            ("+0", None),
            ("+1 please", None),
            ("I'd buy 2 if cheaper", None),
            ("купить бы 2", None),
            ("hello", None),
            ("++", None),
        ] {
            assert_eq!(comment_quantity(text, k), q, "{text}");
        }
        assert_eq!(comment_quantity("+1", &[] as &[&str]), None, "off");
        assert_eq!(comment_quantity("take 2", &["take"]), Some(2));
    }

    #[test]
    fn keywords_are_checked() {
        let ok = check_keywords(&["  Take  It ".into(), "беру".into()]).expect("keywords");
        assert_eq!(ok, ["take it", "беру"]);
        assert!(check_keywords(&["take2".into()]).is_err());
        assert!(check_keywords(&["a".into(), "A".into()]).is_err());
        assert!(check_keywords(&["".into()]).is_err());
        assert!(check_keywords(&["x".repeat(25)]).is_err());
        assert!(check_keywords(&vec!["k".to_owned(); 21]).is_err());
        assert!(check_keywords(&[]).expect("off").is_empty());
    }

    #[test]
    fn keys_texts_and_bounds_are_checked() {
        assert!(check_client_id("m-1").is_ok());
        assert!(check_client_id("").is_err());
        assert!(check_client_id("has space").is_err());
        assert!(check_client_id(&"k".repeat(65)).is_err());
        assert_eq!(check_text("  hi  ").expect("a line"), "hi");
        assert!(check_text("two\nlines").is_err());
        assert!(check_text("   ").is_err());
        assert!(check_text("\u{200B}\u{200B}").is_err());
        assert!(check_text(&"я".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(check_text(&"я".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert_eq!(check_slow_mode(0).expect("off"), 0);
        assert!(check_slow_mode(-1).is_err());
        assert!(check_slow_mode(MAX_SLOW_MODE_S + 1).is_err());
        assert_eq!(check_mute(None).expect("session"), None);
        assert!(check_mute(Some(0)).is_err());
        assert!(check_mute(Some(MAX_MUTE_S + 1)).is_err());
    }
}
