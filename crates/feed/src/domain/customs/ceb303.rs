//! The CEB303 export order message (电子订单, orderType `E`) of China's cross-border
//! e-commerce single window, as Silkstream prepares it for the firm that signs and transmits it
//! (docs/customs.md, "The CEB303 message"). Its schema is `data/customs/CEB303Message.xsd`,
//! which says where each constraint comes from; the tests validate every message against it.
//! Amounts are in CNY at the order's own stored rate (`orders.rate_cny`), JGS-20 currency
//! `142`; units of measure are JGS-20 codes ([`unit_of`]).

use rust_decimal::{Decimal, RoundingStrategy};

/// The message's namespace.
pub const NAMESPACE: &str = "http://www.chinaport.gov.cn/ceb";
/// JGS-20 currency code of the renminbi (CNY).
pub const CNY: &str = "142";

/// One order as its CEB303 message declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderMessage {
    /// The message's and the order head's id: an upper-case UUID (36 characters).
    pub guid: String,
    /// `yyyyMMddHHmmss` in China Standard Time (UTC+8).
    pub app_time: String,
    /// The platform's order number (`SS` and the order id).
    pub order_no: String,
    pub ebp_code: String,
    pub ebp_name: String,
    pub ebc_code: String,
    pub ebc_name: String,
    /// Sum of the lines' `totalPrice`, CNY.
    pub goods_value: Decimal,
    /// Freight charged to the buyer beside the goods, CNY (Silkstream's prices include it: 0).
    pub freight: Decimal,
    pub note: Option<String>,
    pub lines: Vec<OrderLine>,
}

/// One line of `OrderList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// 1, 2, 3… in order.
    pub gnum: u32,
    /// The firm's own item number: the SKU.
    pub item_no: String,
    /// The goods' name in Chinese.
    pub item_name: String,
    pub item_describe: Option<String>,
    pub bar_code: Option<String>,
    /// JGS-20 unit of measure code.
    pub unit: &'static str,
    pub qty: i64,
    /// Price of one unit, CNY, at most 5 decimals.
    pub price: Decimal,
    /// The line's value, CNY, 2 decimals: the order's stored CNY value.
    pub total_price: Decimal,
    pub note: Option<String>,
}

/// The CNY amounts of a line: one unit's price at the order's stored rate (rounded half away
/// from zero to 5 decimals, the schema's fraction digits), and the line's total, which is the
/// order's stored CNY value in fen (`orders.value_cny_fen`, computed at confirmation with the
/// same rate and the money rounding rule). `None` when the rate does not parse or an amount
/// overflows.
pub fn cny_amounts(
    unit_price_minor: i64,
    exponent: u32,
    rate_cny: &str,
    value_cny_fen: i64,
) -> Option<(Decimal, Decimal)> {
    let rate: Decimal = rate_cny.parse().ok()?;
    let price = Decimal::new(unit_price_minor, exponent)
        .checked_mul(rate)?
        .round_dp_with_strategy(5, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    let total = Decimal::new(value_cny_fen, 2);
    Some((price, total))
}

/// The JGS-20 unit of measure of goods in `category` sold by the piece: 件 (`011`) for most,
/// 条 (`015`, strips and pieces of cloth) for scarves and textiles, 瓶 (`142`) for bottled
/// drinks and honey, 盒 (`140`) for boxed tea and sweets. Silkstream sells by the unit of the
/// variant, never by weight; the declared quantity is the order's quantity.
pub fn unit_of(category: &str) -> &'static str {
    let under = |prefix: &str| category == prefix || category.starts_with(&format!("{prefix}."));
    if under("textiles") {
        "015"
    } else if under("food.honey") || under("food.drinks") || under("beverages") {
        "142"
    } else if under("food.tea") || under("food.sweets") {
        "140"
    } else {
        "011"
    }
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn element(out: &mut String, indent: &str, name: &str, value: &str) {
    out.push_str(&format!(
        "{indent}<ceb:{name}>{}</ceb:{name}>\n",
        escape(value)
    ));
}

/// A decimal as the message writes it: no exponent, at least 2 fraction digits for money.
fn money(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

impl OrderMessage {
    /// The message as UTF-8 XML.
    pub fn to_xml(&self) -> String {
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.push_str(&format!(
            "<ceb:CEB303Message guid=\"{}\" version=\"1.0\" xmlns:ceb=\"{NAMESPACE}\">\n",
            escape(&self.guid)
        ));
        x.push_str("  <ceb:Order>\n    <ceb:OrderHead>\n");
        let h = "      ";
        element(&mut x, h, "guid", &self.guid);
        // 1: a new declaration; 2: declared (not a draft kept at the single window).
        element(&mut x, h, "appType", "1");
        element(&mut x, h, "appTime", &self.app_time);
        element(&mut x, h, "appStatus", "2");
        element(&mut x, h, "orderType", "E");
        element(&mut x, h, "orderNo", &self.order_no);
        element(&mut x, h, "ebpCode", &self.ebp_code);
        element(&mut x, h, "ebpName", &self.ebp_name);
        element(&mut x, h, "ebcCode", &self.ebc_code);
        element(&mut x, h, "ebcName", &self.ebc_name);
        element(&mut x, h, "goodsValue", &money(self.goods_value));
        element(&mut x, h, "freight", &money(self.freight));
        element(&mut x, h, "currency", CNY);
        if let Some(note) = &self.note {
            element(&mut x, h, "note", note);
        }
        x.push_str("    </ceb:OrderHead>\n");
        for l in &self.lines {
            x.push_str("    <ceb:OrderList>\n");
            element(&mut x, h, "gnum", &l.gnum.to_string());
            element(&mut x, h, "itemNo", &l.item_no);
            element(&mut x, h, "itemName", &l.item_name);
            if let Some(d) = &l.item_describe {
                element(&mut x, h, "itemDescribe", d);
            }
            if let Some(b) = &l.bar_code {
                element(&mut x, h, "barCode", b);
            }
            element(&mut x, h, "unit", l.unit);
            element(&mut x, h, "currency", CNY);
            element(&mut x, h, "qty", &l.qty.to_string());
            element(&mut x, h, "price", &money(l.price));
            element(&mut x, h, "totalPrice", &money(l.total_price));
            if let Some(n) = &l.note {
                element(&mut x, h, "note", n);
            }
            x.push_str("    </ceb:OrderList>\n");
        }
        x.push_str("  </ceb:Order>\n</ceb:CEB303Message>\n");
        x
    }
}

/// Text cut to `max` characters (the schema's length of the field).
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// `yyyyMMddHHmmss` of `ms` (milliseconds since the epoch) in China Standard Time.
pub fn app_time(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::macros::offset!(+8));
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4,500.00 KZT at 0.0142 CNY is 63.90 CNY a unit; two are the stored 127.80.
    #[test]
    fn amounts_are_at_the_orders_rate() {
        let (price, total) = cny_amounts(450_000, 2, "0.0142", 12_780).expect("amounts");
        assert_eq!(money(price), "63.90");
        assert_eq!(money(total), "127.80");
        // 1 VND-like currency without decimals at a 5-decimal rate keeps 5 decimals.
        let (price, _) = cny_amounts(1, 0, "0.000284", 0).expect("amounts");
        assert_eq!(money(price), "0.00028");
    }

    /// Text is escaped, and the time is China's.
    #[test]
    fn text_is_escaped_and_time_is_utc_plus_8() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        // 2026-12-07T16:30:00Z is 2026-12-08 00:30:00 in Beijing.
        assert_eq!(app_time(1_796_661_000_000), "20261208003000");
    }
}
