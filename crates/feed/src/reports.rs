//! Operator reports: sales grouped by session, host, market or day (in a trade hub's time zone),
//! and the orders export for fulfilment and customs (CSV, RFC 4180, UTF-8, header row). Money
//! in reports is per currency in minor units plus a CNY total; in the CSV it is a decimal string
//! in major units.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use silkstream_catalog::codes::CurrencyCode;
use silkstream_catalog::db::rfc3339;

use crate::error::{Error, Result};
use crate::model::{ReportRow, SalesReport};
use crate::store::FeedStore;

/// The zones of the hubs and their markets, with their UTC offsets in minutes. None of them
/// observes daylight saving time (Kazakhstan has been on UTC+5 throughout since March 2024), so
/// a fixed table is exact and needs no tz database.
pub const ZONES: &[(&str, i64)] = &[
    ("UTC", 0),
    ("Asia/Shanghai", 480),
    ("Asia/Urumqi", 360),
    ("Asia/Almaty", 300),
    ("Asia/Qostanay", 300),
    ("Asia/Bishkek", 360),
    ("Asia/Tashkent", 300),
    ("Europe/Moscow", 180),
    ("Asia/Ulaanbaatar", 480),
    ("Asia/Ho_Chi_Minh", 420),
    ("Asia/Bangkok", 420),
    ("Asia/Jakarta", 420),
    ("Asia/Kuala_Lumpur", 480),
    ("Asia/Manila", 480),
    ("Asia/Phnom_Penh", 420),
    ("Asia/Vientiane", 420),
    ("Asia/Yangon", 390),
];

/// The offset of a supported zone, else 422 naming the supported ones.
pub fn zone_offset(tz: &str) -> Result<i64> {
    ZONES
        .iter()
        .find(|(name, _)| *name == tz)
        .map(|(_, offset)| *offset)
        .ok_or_else(|| {
            let names: Vec<&str> = ZONES.iter().map(|(n, _)| *n).collect();
            Error::invalid(
                "tz",
                format!("unknown time zone '{tz}'; supported: {}", names.join(", ")),
            )
        })
}

/// `YYYY-MM-DD` of a stored time in a zone `offset` minutes east of UTC.
fn day(ms: i64, offset_min: i64) -> String {
    let shifted = ms + offset_min * 60_000;
    let rendered = rfc3339(shifted);
    rendered.get(..10).unwrap_or_default().to_owned()
}

/// Minor units as a decimal string in major units (`1500000` KZT → `15000.00`).
pub fn major(amount_minor: i64, currency: &str) -> String {
    let exponent = CurrencyCode::parse("currency", currency).map_or(2, |c| c.exponent());
    Decimal::new(amount_minor, exponent).to_string()
}

pub async fn sales(store: &FeedStore, group_by: &str, tz: Option<&str>) -> Result<SalesReport> {
    if !["session", "host", "market", "day"].contains(&group_by) {
        return Err(Error::invalid(
            "group_by",
            "must be session, host, market or day",
        ));
    }
    let tz = tz.unwrap_or("UTC");
    let offset = zone_offset(tz)?;
    let rows = store.sold_orders().await?;
    struct Acc {
        orders: i64,
        units: i64,
        gmv: BTreeMap<String, i64>,
    }
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for (session_id, host, market, created_at, currency, quantity, total) in rows {
        let key = match group_by {
            "session" => session_id.to_string(),
            "host" => host,
            "market" => market,
            _ => day(created_at, offset),
        };
        let acc = groups.entry(key).or_insert_with(|| Acc {
            orders: 0,
            units: 0,
            gmv: BTreeMap::new(),
        });
        acc.orders += 1;
        acc.units += quantity;
        *acc.gmv.entry(currency).or_default() += total;
    }
    let rates = store.rates_today().await?;
    let mut out = Vec::with_capacity(groups.len());
    for (key, acc) in groups {
        let (gmv_cny, _) = rates.total_in_cny(acc.gmv.iter().map(|(c, a)| (c.as_str(), *a)));
        out.push(ReportRow {
            key,
            orders: acc.orders,
            units: acc.units,
            gmv: crate::store::money_list(acc.gmv),
            gmv_cny,
        });
    }
    Ok(SalesReport {
        group_by: group_by.to_owned(),
        tz: tz.to_owned(),
        rows: out,
    })
}

/// The columns of the export, in order.
pub const EXPORT_COLUMNS: &[&str] = &[
    "order_id",
    "created_at",
    "session_id",
    "host",
    "buyer_country",
    "buyer_city",
    "sku",
    "hs_code",
    "quantity",
    "unit_price",
    "total",
    "currency",
    "customs_mode",
    "warehouse",
    "status",
    "tracking_number",
];

/// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// Every order as CSV with CRLF line ends.
pub async fn export_csv(store: &FeedStore) -> Result<String> {
    let rows = store.export_rows().await?;
    let mut out = EXPORT_COLUMNS.join(",");
    out.push_str("\r\n");
    for r in rows {
        let fields = [
            r.id.to_string(),
            rfc3339(r.created_at),
            r.session_id.to_string(),
            r.host,
            r.market,
            r.buyer_city,
            r.sku,
            r.hs_code,
            r.quantity.to_string(),
            major(r.unit_price_minor, &r.currency),
            major(r.total_minor, &r.currency),
            r.currency,
            r.customs_mode.unwrap_or_default(),
            r.warehouse,
            r.status,
            r.tracking_number.unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quotes, commas and line breaks are quoted and doubled; plain text is left alone.
    #[test]
    fn csv_fields_follow_rfc_4180() {
        assert_eq!(field("Almaty"), "Almaty");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    /// Major units follow the currency's exponent.
    #[test]
    fn major_units() {
        assert_eq!(major(1_500_000, "KZT"), "15000.00");
        assert_eq!(major(329_900, "VND"), "329900");
        assert_eq!(major(5, "CNY"), "0.05");
    }

    /// A day is cut in the zone: 20:00 UTC is the next day in Almaty (UTC+5).
    #[test]
    fn days_in_a_zone() {
        let ms = 1_795_795_200_000; // 2026-11-27T16:00:00Z
        assert_eq!(day(ms, 0), "2026-11-27");
        assert_eq!(day(ms + 4 * 3_600_000, 300), "2026-11-28");
        assert!(zone_offset("Mars/Olympus").is_err());
    }
}
